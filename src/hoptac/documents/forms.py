"""The form that asks for an annual report."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from hoptac.accounts import access
from hoptac.units.models import Unit
from hoptac.units.services import UnitLookupError, resolve_unit

from .services import FIRST_YEAR


class ReportForm(forms.Form):
    unit = forms.CharField(
        label=gettext_lazy("Area"),
        max_length=200,
        help_text=gettext_lazy(
            "The province, commune or former district reported on: a name (“Huyện Than Uyên”) or a key "
            "(province:12, commune:03595, district:110)."
        ),
    )
    year = forms.IntegerField(label=gettext_lazy("Year"))
    number = forms.CharField(
        label=pgettext_lazy("report", "Number"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("The document's number (Số …/BC-UBND), when the office has given it."),
    )
    signer_name = forms.CharField(label=gettext_lazy("Signed by"), max_length=120, required=False)
    signer_title = forms.CharField(
        label=gettext_lazy("Signer's title"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Default: Phó Chủ tịch (signing for the Chairman)."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        scope = access.user_scope_unit(user)
        if scope is not None:
            self.fields["unit"].initial = scope.key
        self.fields["year"].initial = timezone.localdate().year - 1

    def clean_unit(self) -> Unit:
        text = self.cleaned_data["unit"].strip()
        try:
            return resolve_unit(text, queryset=access.visible_units(self.user))
        except UnitLookupError as err:
            raise ValidationError(str(err)) from None

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        last = timezone.localdate().year
        if not FIRST_YEAR <= year <= last:
            raise ValidationError(
                _("The year must be between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": last}
            )
        return year
