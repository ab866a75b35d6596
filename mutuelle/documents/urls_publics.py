from django.urls import path

from mutuelle.documents import views

app_name = "documents_publics"

urlpatterns = [
    path("", views.verifier, name="verifier"),
    path("<str:code>/", views.verifier_code, name="verifier_code"),
]
