from django.urls import path

from mutuelle.espace_courtier import views

app_name = "courtier"

urlpatterns = [
    path("connexion/", views.connexion, name="connexion"),
    path("", views.accueil, name="accueil"),
    path("portefeuille/", views.portefeuille, name="portefeuille"),
    path("contrats/<str:numero>/", views.contrat, name="contrat"),
    path("contrats/<str:numero>/documents/<str:type_document>/", views.document_emettre_vue, name="document_emettre"),
    path("contrats/<str:numero>/changement/<str:sorte>/", views.changement, name="changement"),
    path("documents/<int:pk>/", views.document_telecharger, name="document"),
    path("affiliations/", views.affiliations, name="affiliations"),
    path("affiliations/nouvelle/", views.affiliation_nouvelle, name="affiliation_nouvelle"),
    path("affiliations/<str:numero>/", views.affiliation, name="affiliation"),
    path("commissions/", views.commissions, name="commissions"),
    path("cabinet/", views.cabinet, name="cabinet"),
    path("cabinet/<int:pk>/acces/", views.courtier_acces, name="courtier_acces"),
]
