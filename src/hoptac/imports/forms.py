"""The import pages' forms: the upload, and the mapping of columns to fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hoptac.accounts import access
from hoptac.units.models import Unit
from hoptac.units.services import UnitLookupError, resolve_unit

from .jobs import ACCEPTED_EXTENSIONS, IMPORTERS, field_choices
from .models import ImportJob
from .reader import ImportFileError, check_size


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("Excel (.xlsx, .xls), OpenDocument (.ods) or CSV, with a row of headers."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
    )
    area = forms.CharField(
        label=gettext_lazy("Area of the file"),
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "Optional: the district or commune the file is about, when its rows name only communes "
            "(for example “Huyện Than Uyên”)."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(ACCEPTED_EXTENSIONS):
            raise ValidationError(
                _(
                    "This file is not a spreadsheet: upload an Excel (.xlsx, .xls), OpenDocument (.ods) or CSV file."
                )
            )
        try:
            check_size(upload.size or 0)
        except ImportFileError as err:
            raise ValidationError(str(err)) from None
        return upload

    def clean_area(self) -> Unit | None:
        text = self.cleaned_data["area"].strip()
        if not text:
            return None
        try:
            return resolve_unit(text, queryset=access.visible_units(self.user))
        except UnitLookupError as err:
            raise ValidationError(str(err)) from None


class MappingForm(forms.Form):
    """One select per column of the file, named by its letter: `col_A`, `col_B` …"""

    def __init__(self, *args, job: ImportJob, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        choices = field_choices(job.kind)
        for column in job.columns:
            if not column["header"] and not column["field"]:
                continue
            self.fields[f"col_{column['letter']}"] = forms.ChoiceField(
                label=column["header"] or column["letter"],
                choices=choices,
                required=False,
                initial=column["field"],
            )

    def clean(self):
        data = super().clean()
        chosen: dict[str, str] = {}
        for name, value in data.items():
            if value:
                if value in chosen:
                    raise ValidationError(
                        _("Columns %(first)s and %(second)s are both mapped to the same field.")
                        % {"first": chosen[value], "second": name.removeprefix("col_")}
                    )
                chosen[value] = name.removeprefix("col_")
        missing = IMPORTERS[self.job.kind].missing_columns(set(chosen))
        if missing:
            raise ValidationError(missing)
        return data

    def mapping(self) -> dict[str, str]:
        return {name.removeprefix("col_"): value or "" for name, value in self.cleaned_data.items()}

    def rows(self):
        """(column, bound field) pairs for the template, in the file's order."""
        by_letter = {c["letter"]: c for c in self.job.columns}
        for name in self.fields:
            yield by_letter[name.removeprefix("col_")], self[name]
