from django.urls import path

from workload import views

app_name = "workload"

urlpatterns = [
    path("imports/", views.import_list, name="imports"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/status/", views.import_status, name="import_status"),
    path("imports/<int:pk>/rejected.csv", views.import_rejected_file, name="import_rejected"),
    path("imports/<int:pk>/decide/", views.import_decide, name="import_decide"),
    path("imports/<int:pk>/rollback/", views.import_rollback, name="import_rollback"),
]
