from django.urls import path

from mutuelle.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("files/<slug:cle>/", views.file, name="file"),
    path("files/<slug:cle>/suivant/", views.suivant, name="suivant"),
    path("files/<slug:cle>/reattribuer/", views.reattribuer, name="reattribuer"),
    path("files/<slug:cle>/<int:pk>/prendre/", views.prendre, name="prendre"),
    path("files/<slug:cle>/<int:pk>/liberer/", views.liberer, name="liberer"),
    path("revue/valider/", views.revue_valider_lot, name="revue_valider_lot"),
    path("signalements/<int:pk>/", views.signalement, name="signalement"),
    path("recherche/", views.recherche, name="recherche"),
    path("adherents/<str:numero>/", views.fiche, name="fiche"),
    path(
        "adherents/<str:numero>/modifier/<slug:cible>/<int:pk>/",
        views.modification_proposer,
        name="modification_proposer",
    ),
    path("modifications/<int:pk>/", views.modification, name="modification"),
    path("tableau-de-bord/", views.tableau_de_bord, name="tableau_de_bord"),
]
