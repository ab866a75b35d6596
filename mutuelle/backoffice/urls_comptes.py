from django.urls import path

from mutuelle.backoffice import views_comptes as views

app_name = "accounts_gestion"

urlpatterns = [
    path("deverrouiller/", views.deverrouiller, name="deverrouiller"),
    path("courriers/", views.courriers, name="courriers"),
    path("courriers/<int:pk>/pdf/", views.courrier_pdf, name="courrier_pdf"),
    path("courriers/lots/<int:pk>/pdf/", views.lot_pdf, name="lot_pdf"),
    path("courriers/lots/<int:pk>/imprime/", views.lot_confirmer_vue, name="lot_confirmer"),
]
