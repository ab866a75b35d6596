from django.urls import path

from mutuelle.brokers import views_gestion

app_name = "brokers_gestion"

urlpatterns = [
    path("<str:numero>/", views_gestion.affiliation, name="affiliation"),
    path("<str:numero>/bulletin/", views_gestion.bulletin, name="bulletin"),
]
