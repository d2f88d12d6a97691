from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgdata.mapping import shipped_org_mapping_names
from orgdata.models import OrgBatchMode, OrgMapping


def mapping_choices() -> list[tuple[str, str]]:
    saved = list(OrgMapping.objects.order_by("name").values_list("name", flat=True))
    shipped = [name for name in shipped_org_mapping_names() if name not in saved]
    return [(name, name) for name in [*shipped, *saved]]


class OrgImportForm(forms.Form):
    file = forms.FileField(
        label=_("Organisation file"),
        help_text=_("A CSV of one kind, an XLSX workbook with one sheet per kind, or a ZIP of CSV files."),
    )
    mapping = forms.ChoiceField(label=_("Column mapping"), choices=(), initial="jingli")
    mode = forms.ChoiceField(
        label=_("When some rows are wrong"),
        choices=OrgBatchMode.choices,
        initial=OrgBatchMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )
    update_existing = forms.BooleanField(
        label=_("Update what is already stored (otherwise only add new rows)"), required=False, initial=True
    )
    full_export = forms.BooleanField(
        label=_("This file lists every person: report the people it does not list"), required=False
    )
    effective_date = forms.DateField(
        label=_("Moves take effect on"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["mapping"].choices = mapping_choices()  # type: ignore[attr-defined]
        self.fields["effective_date"].initial = timezone.localdate()

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        limit = settings.JINGLI_IMPORT_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than the limit of %(mb)d MB.") % {"mb": limit})
        if not upload.name.lower().endswith((".csv", ".xlsx", ".zip", ".txt")):
            raise forms.ValidationError(_("Upload a .csv, .xlsx or .zip file."))
        return upload
