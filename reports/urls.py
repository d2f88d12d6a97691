from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("stations/<str:code>/", views.station, name="station"),
    path("reports/", views.report_index, name="index"),
    path("reports/<slug:slug>/", views.report, name="report"),
]
