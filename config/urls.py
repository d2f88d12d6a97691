from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

admin.site.site_header = _("Jingli police staffing")
admin.site.site_title = _("Jingli")
admin.site.index_title = _("County organisation and staffing")
# The sidebar costs a third of a 1280 px screen on wide change lists; breadcrumbs and the index suffice.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
