from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from reports.views import language_set

admin.site.site_header = _("Jingli police staffing")
admin.site.site_title = _("Jingli")
admin.site.index_title = _("County organisation and staffing")
# The sidebar costs a third of a 1280 px screen on wide change lists; breadcrumbs and the index suffice.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    # Browsers ask for /favicon.ico on pages that do not name one (the admin's login page, for one).
    path("favicon.ico", RedirectView.as_view(url=static("jingli/favicon.svg"), permanent=True)),
    path("", RedirectView.as_view(pattern_name="reports:overview", permanent=False), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/language/", language_set, name="language_set"),  # set_language, remembered per user
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("", include("workload.urls")),
    path("county/", include("reports.urls")),
    path("org/", include("orgdata.urls")),
    path("rosters/", include("rosters.urls")),
    path("allocation/", include("allocation.urls")),
]
