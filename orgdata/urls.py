from django.urls import path

from orgdata import views

app_name = "orgdata"

urlpatterns = [
    path("imports/", views.org_import_new, name="import"),
    path("imports/<int:pk>/", views.org_batch, name="batch"),
    path("imports/<int:pk>/store/", views.org_batch_store, name="store"),
    path("imports/<int:pk>/departures/", views.org_batch_departures, name="departures"),
    path("imports/<int:pk>/rollback/", views.org_batch_rollback, name="rollback"),
    path("imports/<int:pk>/errors.csv", views.org_batch_errors, name="errors"),
    path("export/", views.org_export_download, name="export"),
]
