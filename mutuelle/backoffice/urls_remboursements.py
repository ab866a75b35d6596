from django.urls import path

from mutuelle.backoffice import views_remboursements as views

app_name = "claims"

urlpatterns = [
    path("revue/", views.revue_liste, name="revue_liste"),
    path("revue/<int:pk>/", views.revue_detail, name="revue_detail"),
    path("fichiers/", views.fichiers_liste, name="fichiers_liste"),
    path("fichiers/depot/", views.fichier_depot, name="fichier_depot"),
    path("fichiers/<int:pk>/", views.fichier_detail, name="fichier_detail"),
]
