from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from workload.mapping import shipped_mapping_names
from workload.models import BatchMode, ImportMapping


def mapping_choices() -> list[tuple[str, str]]:
    saved = list(ImportMapping.objects.order_by("name").values_list("name", flat=True))
    shipped = [name for name in shipped_mapping_names() if name not in saved]
    return [(name, name) for name in [*saved, *shipped]]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Incident file (CSV or XLSX)"))
    mapping = forms.ChoiceField(label=_("Column mapping"), choices=())
    mode = forms.ChoiceField(
        label=_("When some rows are wrong"), choices=BatchMode.choices, initial=BatchMode.ASK, widget=forms.RadioSelect
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["mapping"].choices = mapping_choices()  # type: ignore[attr-defined]

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        limit = settings.JINGLI_IMPORT_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than the limit of %(mb)d MB.") % {"mb": limit})
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload
