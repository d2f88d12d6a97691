from django.urls import path

from security import views

app_name = "security"

urlpatterns = [
    path("totp/", views.totp_enrol, name="totp_enrol"),
]
