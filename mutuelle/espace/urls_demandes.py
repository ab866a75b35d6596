from django.urls import path

from mutuelle.espace import views_demandes as views

app_name = "requests"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("envoyer-un-document/", views.envoyer_document, name="envoyer_document"),
    path("contester/<int:pk>/", views.contester, name="contester"),
    path("estimer-un-devis/", views.estimer, name="estimer"),
    path("prise-en-charge/", views.prise_en_charge, name="prise_en_charge"),
    path("famille/ajouter/", views.ajouter_beneficiaire, name="ajouter_beneficiaire"),
    path("famille/retirer/", views.retirer_beneficiaire, name="retirer_beneficiaire"),
    path("etat-civil/", views.etat_civil, name="etat_civil"),
    path("feuille-de-soins/", views.feuille_soins, name="feuille_soins"),
    path("<str:numero>/", views.detail, name="detail"),
    path("<str:numero>/pieces/<int:pk>/", views.piece, name="piece"),
]
