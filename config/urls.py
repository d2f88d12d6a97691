from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from reports.views import language_set
from security import views as security_views

admin.site.site_header = _("Jingli police staffing")
admin.site.site_title = _("Jingli")
admin.site.index_title = _("County organisation and staffing")
# The sidebar costs a third of a 1280 px screen on wide change lists; breadcrumbs and the index suffice.
admin.site.enable_nav_sidebar = False


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request, not at import: the production manifest may not exist when a command loads urls.
    return HttpResponsePermanentRedirect(static("jingli/favicon.svg"))


urlpatterns = [
    # Browsers ask for /favicon.ico on pages that do not name one (the admin's login page, for one).
    path("favicon.ico", favicon),
    path("", RedirectView.as_view(pattern_name="reports:overview", permanent=False), name="home"),
    path("accounts/login/", security_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/language/", language_set, name="language_set"),  # set_language, remembered per user
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", security_views.admin_login),  # one login form, with lockout and second factor
    path("admin/", admin.site.urls),
    path("security/", include("security.urls")),
    path("audit/", include("audit.urls")),
    path("api/v1/", include("config.api_urls")),
    path("", include("workload.urls")),
    path("county/", include("reports.urls")),
    path("org/", include("orgdata.urls")),
    path("rosters/", include("rosters.urls")),
    path("allocation/", include("allocation.urls")),
]
