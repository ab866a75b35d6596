from django.urls import path

from mutuelle.claims import views

app_name = "claims"

urlpatterns = [
    path("revue/", views.revue_liste, name="revue_liste"),
    path("revue/<int:pk>/", views.revue_detail, name="revue_detail"),
]
