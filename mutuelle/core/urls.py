from django.urls import path

from mutuelle.core import sante, views

app_name = "core"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("sante/", views.sante, name="sante"),
    path("healthz", sante.healthz, name="healthz"),
    path("readyz", sante.readyz, name="readyz"),
    path("contact/", views.contact, name="contact"),
    path("marque.css", views.marque_css, name="marque_css"),
    path("manifest.webmanifest", views.manifeste, name="manifeste"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("icone-<int:taille>.png", views.icone, name="icone"),
    path("hors-ligne/", views.hors_ligne, name="hors_ligne"),
]
