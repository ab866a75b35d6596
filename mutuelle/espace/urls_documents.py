from django.urls import path

from mutuelle.espace import views_documents as views

app_name = "documents"

urlpatterns = [
    path("", views.mes_documents, name="liste"),
    path("carte/", views.carte, name="carte"),
    path("emettre/<str:type_document>/", views.emettre, name="emettre"),
    path("<int:pk>/pdf/", views.telecharger, name="telecharger"),
]
