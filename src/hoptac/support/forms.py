"""Forms of the support pages. They validate what was typed; the services decide and write."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from hoptac.accounts import access as accounts_access
from hoptac.accounts.models import User
from hoptac.core.fields import GroupedDecimalField
from hoptac.indicators.models import Plan
from hoptac.programme.models import Agency
from hoptac.registry.forms import date_input
from hoptac.registry.models import Sector
from hoptac.units.models import Unit
from hoptac.units.services import UnitLookupError, resolve_unit

from .models import Loan, Repayment, SupportRecord, SupportTopic, UnionActivity
from .queries import LoanFilters, SupportFilters
from .services import LOAN_FIELDS, RECORD_FIELDS

_KEY_IN_BRACKETS = re.compile(r"\(\s*((?:legacy-)?(?:province|district|commune):\d+)\s*\)\s*$")
_MAX_CANDIDATES = 10


def _model_field(model, name: str, **kwargs: Any) -> forms.Field:
    field = model._meta.get_field(name).formfield(**kwargs)
    assert field is not None, name
    return field


def _money_field(model, name: str, **kwargs: Any) -> forms.Field:
    return _model_field(
        model,
        name,
        form_class=GroupedDecimalField,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "number"}),
        **kwargs,
    )


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SupportTopic) -> str:
        return obj.name


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


def _unit_attrs() -> dict[str, str]:
    """The units datalist (units:search reads `q`: hx-vals renames the value)."""
    return {
        "list": "unit-options",
        "autocomplete": "off",
        "hx-get": reverse("units:search"),
        "hx-trigger": "input changed delay:300ms",
        "hx-vals": "js:{q: this.value}",
        "hx-target": "#unit-options",
        "hx-swap": "innerHTML",
        "hx-sync": "this:replace",
    }


def _resolve_visible_unit(user: User, text: str) -> tuple[Unit | None, list[Unit]]:
    """The unit the text names among those `user` may pick, or a ValidationError naming the candidates."""
    text = text.strip()
    if not text:
        return None, []
    match = _KEY_IN_BRACKETS.search(text)
    try:
        return resolve_unit(
            match.group(1) if match else text, queryset=accounts_access.visible_units(user)
        ), []
    except UnitLookupError as err:
        candidates = err.candidates[:_MAX_CANDIDATES]
        if not err.candidates:
            raise ValidationError(
                _g("No commune, district or province in your area matches “%(text)s”.") % {"text": text}
            ) from None
        names = ", ".join(f"{u.label_with_parents()} ({u.key})" for u in candidates)
        if len(err.candidates) > _MAX_CANDIDATES:
            names += ", …"
        raise ValidationError(
            _g("“%(text)s” matches %(count)d units: %(names)s. Pick one of them.")
            % {"text": text, "count": len(err.candidates), "names": names}
        ) from None


# -- filters --------------------------------------------------------------------------------------------


class _FilterForm(forms.Form):
    """A GET form whose invalid fields are dropped and reported by notices(), never an error page."""

    unit = forms.CharField(
        label=_("Area"),
        required=False,
        max_length=200,
        help_text=_("A commune, ward, former district or province."),
    )

    def __init__(self, data: Mapping[str, str] | None = None, *, user: User, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        if "sector" in self.fields:
            self._sectors = {s.code: s for s in Sector.objects.filter(parent__isnull=True)}
            self.fields["sector"].choices = [("", _("All sectors"))] + [
                (s.code, s.label) for s in self._sectors.values()
            ]
        self.fields["unit"].widget.attrs.update(
            {**_unit_attrs(), "placeholder": _("Commune, former district or province")}
        )

    def clean_unit(self) -> Unit | None:
        unit, _candidates = _resolve_visible_unit(self.user, self.cleaned_data.get("unit") or "")
        return unit

    def clean_sector(self) -> Sector | None:
        code = self.cleaned_data.get("sector")
        return self._sectors.get(code) if code else None

    def notices(self) -> list[str]:
        out = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            for error in errors:
                out.append(
                    _g("%(field)s: %(error)s This filter was ignored.") % {"field": label, "error": error}
                )
        return out


class UnionFilterForm(_FilterForm):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)

    def filters(self) -> tuple[Unit | None, int | None]:
        self.is_valid()
        return self.cleaned_data.get("unit"), self.cleaned_data.get("year")


class SupportFilterForm(_FilterForm):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    topic = forms.ChoiceField(label=_("Purpose"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)

    field_order = ["unit", "year", "topic", "sector"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._topics = {t.code: t for t in SupportTopic.objects.filter(kind=SupportTopic.Kind.RECORD)}
        self.fields["topic"].choices = [("", _("All purposes"))] + [
            (t.code, t.name) for t in self._topics.values()
        ]

    def clean_topic(self) -> SupportTopic | None:
        code = self.cleaned_data.get("topic")
        return self._topics.get(code) if code else None

    def filters(self) -> SupportFilters:
        self.is_valid()
        data = self.cleaned_data
        return SupportFilters(
            unit=data.get("unit"), year=data.get("year"), topic=data.get("topic"), sector=data.get("sector")
        )


class LoanFilterForm(_FilterForm):
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    as_of = forms.DateField(
        label=_("On"), required=False, widget=date_input(), help_text=_("Default: today.")
    )

    field_order = ["unit", "sector", "status", "as_of"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *Loan.Status.choices]

    def filters(self) -> LoanFilters:
        self.is_valid()
        data = self.cleaned_data
        return LoanFilters(unit=data.get("unit"), sector=data.get("sector"), status=data.get("status") or "")

    def as_of_date(self):
        self.is_valid()
        return self.cleaned_data.get("as_of") or timezone.localdate()


# -- records and loans ------------------------------------------------------------------------------------


class SupportRecordForm(forms.Form):
    """A support record for the organisation of the page (services.RECORD_FIELDS but the organisation)."""

    topic = TopicChoiceField(
        label=capfirst(SupportRecord._meta.get_field("topic").verbose_name),
        queryset=SupportTopic.objects.filter(kind=SupportTopic.Kind.RECORD, active=True),
    )
    given_on = _model_field(SupportRecord, "given_on", widget=date_input())
    form = _model_field(SupportRecord, "form", widget=forms.RadioSelect)
    amount = _money_field(SupportRecord, "amount")
    in_kind_description = _model_field(SupportRecord, "in_kind_description")
    estimated_value = _money_field(SupportRecord, "estimated_value")
    programme = _model_field(SupportRecord, "programme")
    plan = forms.ModelChoiceField(
        label=capfirst(SupportRecord._meta.get_field("plan").verbose_name),
        queryset=Plan.objects.all(),
        required=False,
        help_text=SupportRecord._meta.get_field("plan").help_text,
    )
    agency = AgencyChoiceField(
        label=capfirst(SupportRecord._meta.get_field("agency").verbose_name),
        queryset=Agency.objects.all(),
        required=False,
    )
    note = _model_field(SupportRecord, "note", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, instance: SupportRecord | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None:
            initial = {name: getattr(instance, name) for name in RECORD_FIELDS if name != "organisation"}
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        else:
            kwargs["initial"] = {"given_on": timezone.localdate(), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        if instance is not None and not instance.topic.active:
            self.fields["topic"].queryset = SupportTopic.objects.filter(kind=SupportTopic.Kind.RECORD)
        self.fields["in_kind_description"].widget.attrs["class"] = "wide"
        self.fields["programme"].widget.attrs["class"] = "wide"

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data.get(name) for name in RECORD_FIELDS if name != "organisation"}
        values["in_kind_description"] = values["in_kind_description"] or ""
        values["programme"] = values["programme"] or ""
        values["note"] = values["note"] or ""
        if self.instance is None:
            return values
        return {k: v for k, v in values.items() if getattr(self.instance, k) != v}


class LoanForm(forms.Form):
    contract_number = _model_field(Loan, "contract_number")
    amount = _money_field(Loan, "amount")
    disbursed_on = _model_field(Loan, "disbursed_on", widget=date_input())
    term_months = _model_field(Loan, "term_months")
    interest_rate = _money_field(Loan, "interest_rate")
    schedule = _model_field(Loan, "schedule")
    purpose = _model_field(Loan, "purpose")
    agency = AgencyChoiceField(
        label=capfirst(Loan._meta.get_field("agency").verbose_name),
        queryset=Agency.objects.all(),
        required=False,
        help_text=Loan._meta.get_field("agency").help_text,
    )
    note = _model_field(Loan, "note", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, instance: Loan | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None:
            initial = {name: getattr(instance, name) for name in LOAN_FIELDS if name != "organisation"}
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields["purpose"].widget.attrs["class"] = "wide"

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data.get(name) for name in LOAN_FIELDS if name != "organisation"}
        for name in ("contract_number", "purpose", "note"):
            values[name] = values[name] or ""
        if self.instance is None:
            return values
        return {k: v for k, v in values.items() if getattr(self.instance, k) != v}


class RepaymentForm(forms.Form):
    paid_on = _model_field(Repayment, "paid_on", widget=date_input())
    principal = _money_field(Repayment, "principal", required=False)
    interest = _money_field(Repayment, "interest", required=False)
    note = _model_field(Repayment, "note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class WriteOffForm(forms.Form):
    written_off_on = forms.DateField(label=_("Written off on"), widget=date_input())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"written_off_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


# -- the Farmers' Union's counts -----------------------------------------------------------------------------


class UnionActivityForm(forms.Form):
    unit = forms.CharField(
        label=capfirst(UnionActivity._meta.get_field("unit").verbose_name),
        max_length=200,
        help_text=UnionActivity._meta.get_field("unit").help_text,
    )
    year = _model_field(UnionActivity, "year")
    topic = TopicChoiceField(
        label=capfirst(UnionActivity._meta.get_field("topic").verbose_name),
        queryset=SupportTopic.objects.filter(kind=SupportTopic.Kind.UNION),
    )
    count = _model_field(UnionActivity, "count")
    sector = forms.ModelChoiceField(
        label=capfirst(UnionActivity._meta.get_field("sector").verbose_name),
        queryset=Sector.objects.filter(parent__isnull=True),
        required=False,
        help_text=UnionActivity._meta.get_field("sector").help_text,
    )
    note = _model_field(UnionActivity, "note", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: User, instance: UnionActivity | None = None, **kwargs: Any) -> None:
        self.user = user
        self.instance = instance
        if instance is not None:
            kwargs["initial"] = {
                "unit": f"{instance.unit.name} ({instance.unit.key})",
                "year": instance.year,
                "topic": instance.topic,
                "count": instance.count,
                "sector": instance.sector,
                "note": instance.note,
                **kwargs.get("initial", {}),
            }
        else:
            initial: dict[str, Any] = {"year": timezone.localdate().year - 1}
            agriculture = Sector.objects.filter(code="nong-nghiep").first()
            if agriculture is not None:
                initial["sector"] = agriculture
            if user.unit is not None:
                initial["unit"] = f"{user.unit.name} ({user.unit.key})"
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.attrs.update({**_unit_attrs(), "class": "wide"})

    def clean_unit(self) -> Unit:
        unit, _candidates = _resolve_visible_unit(self.user, self.cleaned_data.get("unit") or "")
        if unit is None:
            raise ValidationError(_g("Give the unit."))
        return unit

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data.get(name) for name in ("unit", "year", "topic", "count", "sector")}
        values["note"] = data.get("note") or ""
        if self.instance is None:
            return values
        return {k: v for k, v in values.items() if getattr(self.instance, k) != v}
