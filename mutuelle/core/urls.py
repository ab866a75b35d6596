from django.urls import path

from mutuelle.core import views

app_name = "core"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("sante/", views.sante, name="sante"),
    path("contact/", views.contact, name="contact"),
    path("marque.css", views.marque_css, name="marque_css"),
]
