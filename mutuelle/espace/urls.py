from django.urls import path

from mutuelle.espace import views, views_profil

app_name = "espace"

urlpatterns = [
    path("", views.tableau_de_bord, name="accueil"),
    path("remboursements/", views.remboursements, name="remboursements"),
    path("remboursements/<int:pk>/", views.remboursement, name="remboursement"),
    path("depenses/", views.depenses, name="depenses"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_ouvrir, name="notification"),
    path("notifications/tout-lire/", views.notifications_tout_lire, name="notifications_tout_lire"),
    path("preferences/", views.preferences, name="preferences"),
    path("profil/", views_profil.profil, name="profil"),
    path("profil/coordonnees-bancaires/", views_profil.rib, name="rib"),
    path("profil/mes-donnees/", views_profil.donnees, name="donnees"),
    path("profil/mes-donnees/archive/<int:pk>/", views_profil.donnees_archive, name="donnees_archive"),
    path("profil/mes-donnees/<str:jeton>/", views_profil.donnees_telecharger, name="donnees_telecharger"),
]
