from django.urls import path

from mutuelle.espace import views_messagerie as views

app_name = "messaging"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("nouveau/", views.nouveau, name="nouveau"),
    path("<str:numero>/", views.fil, name="fil"),
    path("<str:numero>/clore/", views.clore, name="clore"),
    path("<str:numero>/pieces/<int:pk>/", views.piece, name="piece"),
]
