from django.urls import include, path

from workload import api as workload_api

app_name = "api"

urlpatterns = [
    path("org-imports/", include("orgdata.api")),
    path("imports/", workload_api.ImportListApi.as_view(), name="import-list"),
    path("imports/<int:pk>/", workload_api.ImportDetailApi.as_view(), name="import-detail"),
    path("need/", workload_api.NeedApi.as_view(), name="need"),
    path("stations/<str:code>/workload/", workload_api.StationWorkloadApi.as_view(), name="station-workload"),
]
