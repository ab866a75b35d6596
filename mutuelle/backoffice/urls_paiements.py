from django.urls import path

from mutuelle.backoffice import views_paiements as views

app_name = "payments"

urlpatterns = [
    path("", views.lots, name="lots"),
    path("lancer/", views.lancer, name="lancer"),
    path("retours/", views.retour, name="retour"),
    path("professionnels-sans-coordonnees/", views.sans_coordonnees, name="sans_coordonnees"),
    path("<str:numero>/", views.lot, name="lot"),
    path("<str:numero>/fichier/", views.fichier, name="fichier"),
]
