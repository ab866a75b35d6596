from django.urls import path

from mutuelle.backoffice import views_demandes as views

app_name = "requests_gestion"

urlpatterns = [
    path("", views.file_attente, name="liste"),
    path("<str:numero>/", views.gestion_detail, name="detail"),
    path("<str:numero>/pieces/<int:pk>/", views.gestion_piece, name="piece"),
    path("<str:numero>/liquider/", views.gestion_liquider, name="liquider"),
]
