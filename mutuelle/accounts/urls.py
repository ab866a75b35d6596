from django.urls import path

from mutuelle.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.connexion, name="connexion"),
    path("deconnexion/", views.deconnexion, name="deconnexion"),
    path("activer/<str:jeton>/", views.activer, name="activer"),
    path("nouveau-mot-de-passe/<str:jeton>/", views.nouveau_secret, name="nouveau_secret"),
    path("cle/options/", views.connexion_cle_options, name="connexion_cle_options"),
    path("cle/", views.connexion_cle, name="connexion_cle"),
    path("verification/", views.verification, name="verification"),
    path("verification/cle/options/", views.verification_cle_options, name="verification_cle_options"),
    path("verification/cle/", views.verification_cle, name="verification_cle"),
    path("second-facteur/", views.second_facteur_obligatoire, name="second_facteur_obligatoire"),
]
