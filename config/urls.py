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
    # The member's own account pages (first connection, forgotten secret, letter code, email): their
    # paths start with connexion/ and compte/ like the shared pages beside them.
    path("", include("mutuelle.espace.urls_compte")),
    path("compte/", include("mutuelle.accounts.urls_compte")),
    path("espace/documents/", include("mutuelle.espace.urls_documents")),
    path("espace/demandes/", include("mutuelle.espace.urls_demandes")),
    path("espace/", include("mutuelle.espace.urls")),
    path("verifier/", include("mutuelle.espace.urls_verifier")),
    path("courtier/", include("mutuelle.espace_courtier.urls")),
    path("espace/messagerie/", include("mutuelle.espace.urls_messagerie")),
    path("gestion/remboursements/", include("mutuelle.backoffice.urls_remboursements")),
    path("gestion/demandes/", include("mutuelle.backoffice.urls_demandes")),
    path("gestion/messages/", include("mutuelle.backoffice.urls_messages")),
    path("gestion/comptes/", include("mutuelle.backoffice.urls_comptes")),
    path("gestion/paiements/", include("mutuelle.backoffice.urls_paiements")),
    path("gestion/affiliations/", include("mutuelle.backoffice.urls_affiliations")),
    path("gestion/", include("mutuelle.backoffice.urls")),
    path("", include("mutuelle.core.urls")),
    # Demo-only pages: each answers 404 unless its setting is on (MUTUELLE_OUTBOX_PAGE…).
    path("__debug__/", include("mutuelle.core.debug_urls")),
]
