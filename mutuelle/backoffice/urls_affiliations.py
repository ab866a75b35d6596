from django.urls import path

from mutuelle.backoffice import views_affiliations as views

app_name = "brokers_gestion"

urlpatterns = [
    path("<str:numero>/", views.affiliation, name="affiliation"),
    path("<str:numero>/bulletin/", views.bulletin, name="bulletin"),
]
