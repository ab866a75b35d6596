from django.urls import path

from mutuelle.accounts import views_securite as v

app_name = "compte"

urlpatterns = [
    path("securite/", v.securite, name="securite"),
    path("confirmer/", v.confirmer, name="confirmer"),
    path("secret/", v.secret_modifier, name="secret"),
    path("application/", v.totp_ajouter, name="totp_ajouter"),
    path("application/retirer/", v.totp_supprimer, name="totp_retirer"),
    path("codes-de-secours/", v.codes, name="codes"),
    path("codes-de-secours/nouveaux/", v.codes_regenerer, name="codes_regenerer"),
    path("cles/options/", v.cle_options, name="cle_options"),
    path("cles/ajouter/", v.cle_ajouter, name="cle_ajouter"),
    path("cles/<int:pk>/retirer/", v.cle_supprimer, name="cle_retirer"),
    path("appareils/<int:pk>/retirer/", v.appareil_supprimer, name="appareil_retirer"),
    path("sessions/fermer/", v.sessions_fermer, name="sessions_fermer"),
]
