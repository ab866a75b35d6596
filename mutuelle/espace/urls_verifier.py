from django.urls import path

from mutuelle.espace import views_documents as views

app_name = "documents_publics"

urlpatterns = [
    path("", views.verifier, name="verifier"),
    path("<str:code>/", views.verifier_code, name="verifier_code"),
]
