"""/api/v1/: every endpoint, the OpenAPI schema and its documentation page.

The page is Swagger UI from drf-spectacular-sidecar's static files; no Redoc page, because its
template pulls web fonts from outside and the bureau's networks are closed."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.http import conditional_page
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from allocation import api as allocation_api
from audit import api as audit_api
from personnel import api as personnel_api
from rosters import api as rosters_api
from stations import api as stations_api
from workload import api as workload_api

app_name = "api"


class Router(DefaultRouter):
    include_format_suffixes = False  # ?format=csv is the one way to ask for a format


def unknown_path(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"code": "not_found", "message": _("No such API endpoint.")}, status=404)


router = Router()
router.register("counties", stations_api.CountyViewSet, basename="county")
router.register("stations", stations_api.StationViewSet, basename="station")
router.register("units", stations_api.UnitViewSet, basename="unit")
router.register("communities", stations_api.CommunityViewSet, basename="community")
router.register("people", personnel_api.PersonViewSet, basename="person")
router.register("assignments", personnel_api.AssignmentViewSet, basename="assignment")
router.register("incidents", workload_api.IncidentViewSet, basename="incident")
router.register("standards", workload_api.StandardsSetViewSet, basename="standards")
router.register("allocation-runs", allocation_api.AllocationRunViewSet, basename="allocation-run")
router.register("proposals", allocation_api.ProposalViewSet, basename="proposal")
router.register("moves", allocation_api.MoveViewSet, basename="move")
router.register("rosters", rosters_api.RosterViewSet, basename="roster")
router.register("roster-entries", rosters_api.RosterEntryViewSet, basename="roster-entry")
router.register("audit-events", audit_api.AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("org-imports/", include("orgdata.api")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("imports/", workload_api.ImportListApi.as_view(), name="import-list"),
    path("imports/<int:pk>/", workload_api.ImportDetailApi.as_view(), name="import-detail"),
    path("incidents/batch/", workload_api.IncidentBatchApi.as_view(), name="incident-batch"),
    path("need/", conditional_page(workload_api.NeedApi.as_view()), name="need"),
    path(
        "stations/<str:code>/workload/",
        conditional_page(workload_api.StationWorkloadApi.as_view()),
        name="station-workload",
    ),
    path("", include(router.urls)),
    # Anything else under /api/v1/ is a 404 in the API's own shape, not Django's HTML page.
    re_path(r"^.*/$", unknown_path),  # without the slash, APPEND_SLASH redirects here first
]
