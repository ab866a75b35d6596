from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from mutuelle.core import views as core_views

admin.site.site_header = "Administration de la mutuelle"
admin.site.site_title = "Administration"
admin.site.index_title = "Référentiels, adhérents et contrats"

urlpatterns = [
    # The admin has no login of its own: everyone goes through the login with its second factor.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:connexion", query_string=True)),
    path("admin/", admin.site.urls),
    # The footer's switch also keeps a logged-in member's choice (core.views.langue).
    path("i18n/setlang/", core_views.langue, name="set_language"),
    path("connexion/", include("mutuelle.accounts.urls")),
    path("compte/", include("mutuelle.accounts.urls_compte")),
    path("espace/documents/", include("mutuelle.documents.urls")),
    path("espace/demandes/", include("mutuelle.requests.urls")),
    path("espace/", include("mutuelle.espace.urls")),
    path("verifier/", include("mutuelle.documents.urls_publics")),
    path("courtier/", include("mutuelle.brokers.urls")),
    path("espace/messagerie/", include("mutuelle.messaging.urls")),
    path("gestion/remboursements/", include("mutuelle.claims.urls")),
    path("gestion/demandes/", include("mutuelle.requests.urls_gestion")),
    path("gestion/messages/", include("mutuelle.messaging.urls_gestion")),
    path("gestion/comptes/", include("mutuelle.accounts.urls_gestion")),
    path("gestion/paiements/", include("mutuelle.payments.urls")),
    path("gestion/affiliations/", include("mutuelle.brokers.urls_gestion")),
    path("gestion/", include("mutuelle.backoffice.urls")),
    path("", include("mutuelle.core.urls")),
    # Demo-only pages: each answers 404 unless its setting is on (MUTUELLE_OUTBOX_PAGE…).
    path("__debug__/", include("mutuelle.core.debug_urls")),
]
