"""The return form, built from fields.FIELDS, the reason form, and the reporting round's filters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hoptac.accounts.access import visible_units
from hoptac.accounts.models import User
from hoptac.core.fields import GroupedDecimalField, GroupedIntegerField
from hoptac.registry.models import Organisation
from hoptac.units.models import Unit
from hoptac.units.services import UnitLookupError, resolve_unit

from .fields import FIELDS, FieldSpec, Group, Measure, Type
from .queries import ROUND_STATUS_LABELS

# Unknown / yes / no for a figure that may be left blank.
_YES_NO = (("unknown", "—"), ("true", _("Yes")), ("false", _("No")))
_KEY_IN_BRACKETS = re.compile(r"\(\s*((?:legacy-)?(?:province|district|commune):\d+)\s*\)\s*$")


class YesNoUnknownSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = list(_YES_NO)


def young_manager_max_age() -> int:
    return int(getattr(settings, "HOPTAC_YOUNG_MANAGER_MAX_AGE", 35))


def help_text_for(spec: FieldSpec) -> str:
    """The help of the form, which states this installation's age limit for young managers."""
    if spec.name == "managers_young":
        return gettext("Managers aged %(age)d or under on the last day of the data period (cán bộ trẻ).") % {
            "age": young_manager_max_age()
        }
    if spec.name == "managers_young_degree":
        return gettext(
            "Of the managers aged %(age)d or under, those with a university or college degree."
        ) % {"age": young_manager_max_age()}
    return str(spec.help)


def form_field(spec: FieldSpec) -> forms.Field:
    common: dict[str, Any] = {"label": spec.label, "required": False, "help_text": help_text_for(spec)}
    if spec.type == Type.INTEGER:
        # Text inputs with localised numbers ("1.234"), which a number input would refuse.
        return GroupedIntegerField(
            localize=True, widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "number"}), **common
        )
    if spec.type == Type.DECIMAL:
        return GroupedDecimalField(
            localize=True,
            max_digits=spec.max_digits,
            decimal_places=spec.decimal_places,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "number"}),
            **common,
        )
    if spec.type == Type.BOOLEAN:
        return forms.NullBooleanField(widget=YesNoUnknownSelect, **common)
    if spec.type == Type.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *spec.choices], **common)
    return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)


class ReturnForm(forms.Form):
    """The figures that apply to the organisation, and the version the user started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        organisation: Organisation,
        disabled: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.organisation = organisation
        self.specs = [spec for spec in FIELDS if spec.applies_to(organisation)]
        for spec in self.specs:
            field = form_field(spec)
            field.disabled = disabled
            self.fields[spec.name] = field

    def figures(self) -> dict[str, Any]:
        """The cleaned figures, for services.return_save."""
        return {spec.name: self.cleaned_data.get(spec.name) for spec in self.specs}

    def groups(self) -> list[dict[str, Any]]:
        """[{key, label, rows: [{spec, field, unit}]}] in the order of FIELDS, empty groups left out."""
        out = []
        for group in Group:
            rows = [
                {"spec": spec, "field": self[spec.name], "unit": Measure(spec.measure).label}
                for spec in self.specs
                if spec.group == group.value
            ]
            if rows:
                out.append({"key": group.value, "label": group.label, "rows": rows})
        return out


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class RoundFilterForm(forms.Form):
    """Filters of the reporting round; invalid values are ignored and reported by notices()."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    unit = forms.CharField(
        label=_("Area"),
        required=False,
        max_length=200,
        help_text=_("A commune, ward, former district or province."),
    )
    status = forms.ChoiceField(label=_("Return"), required=False)

    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["status"].choices = [("", _("Every state")), *ROUND_STATUS_LABELS.items()]

    def clean_unit(self) -> Unit | None:
        text = (self.cleaned_data.get("unit") or "").strip()
        if not text:
            return None
        match = _KEY_IN_BRACKETS.search(text)
        try:
            return resolve_unit(match.group(1) if match else text, queryset=visible_units(self.user))
        except UnitLookupError as err:
            if not err.candidates:
                raise forms.ValidationError(
                    _("No commune, district or province in your area matches “%(text)s”."),
                    params={"text": text},
                ) from None
            names = ", ".join(f"{u.label_with_parents()} ({u.key})" for u in err.candidates[:10])
            raise forms.ValidationError(
                _("“%(text)s” matches %(count)d units: %(names)s. Pick one of them."),
                params={"text": text, "count": len(err.candidates), "names": names},
            ) from None

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"q": data.get("q") or "", "unit": data.get("unit"), "status": data.get("status") or ""}

    def notices(self) -> list[str]:
        return [
            gettext("%(field)s ignored: %(error)s")
            % {"field": self.fields[name].label, "error": " ".join(errors)}
            for name, errors in self.errors.items()
            if name in self.fields
        ]
