"""Pages for the demo only: each view answers 404 unless its setting is on."""

from django.urls import path

from mutuelle.core import views

app_name = "debug"

urlpatterns = [
    path("outbox/", views.outbox_list, name="outbox"),
    path("outbox/<str:name>/", views.outbox_detail, name="outbox_detail"),
]
