from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgdataConfig(AppConfig):
    name = "orgdata"
    verbose_name = _("Organisation import and export")
