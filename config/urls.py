from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Administration de la mutuelle"
admin.site.site_title = "Administration"
admin.site.index_title = "Référentiels, adhérents et contrats"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("connexion/", include("mutuelle.accounts.urls")),
    path("espace/", include("mutuelle.espace.urls")),
    path("gestion/remboursements/", include("mutuelle.claims.urls")),
    path("", include("mutuelle.core.urls")),
    # Demo-only pages: each answers 404 unless its setting is on (MUTUELLE_OUTBOX_PAGE…).
    path("__debug__/", include("mutuelle.core.debug_urls")),
]
