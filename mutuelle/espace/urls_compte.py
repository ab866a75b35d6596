"""The member's own account pages, beside the shared login (``/connexion/``) and security page
(``/compte/``): mounted at the root so that their addresses read as the rest of those sections."""

from django.urls import path

from mutuelle.espace import views_compte as v

app_name = "compte_adherent"

urlpatterns = [
    path("connexion/premiere-connexion/", v.premiere_connexion, name="premiere_connexion"),
    path("connexion/mot-de-passe-oublie/", v.oubli, name="oubli"),
    path("connexion/code-courrier/", v.code_courrier, name="code_courrier"),
    path("compte/email/", v.email_modifier, name="email"),
    path("compte/email/confirmer/<str:jeton>/", v.email_confirmer_vue, name="email_confirmer"),
]
