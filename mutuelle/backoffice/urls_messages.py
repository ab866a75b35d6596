from django.urls import path

from mutuelle.backoffice import views_messages as views

app_name = "messaging_gestion"

urlpatterns = [
    path("<str:numero>/", views.gestion_fil, name="fil"),
    path("<str:numero>/pieces/<int:pk>/", views.gestion_piece, name="piece"),
]
