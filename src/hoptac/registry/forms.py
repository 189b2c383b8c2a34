"""Forms of the registry's pages. They validate what was typed; the services decide and write."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from hoptac.accounts import access
from hoptac.accounts.models import Role, User
from hoptac.core.fields import GroupedDecimalField
from hoptac.core.text import fold
from hoptac.units.models import Unit
from hoptac.units.services import UnitLookupError, resolve_unit

from .models import Organisation, Sector, StatusChange, UnionMembership
from .services import MEMBER_KINDS, ORGANISATION_FIELDS

# What the member datalist offers: "HTX Mường Cang (#42)".
_ID_IN_PARENTHESES = re.compile(r"\(\s*#(\d+)\s*\)\s*$")


def date_input() -> forms.DateInput:
    # type="text", not type="date": a date picker's format follows the browser's locale, ours is dd/mm/yyyy.
    return forms.DateInput(attrs={"placeholder": _("dd/mm/yyyy"), "autocomplete": "off", "class": "date"})


def unit_label(unit: Unit) -> str:
    """The text the commune field shows for a unit, the same the units:search datalist offers."""
    return f"{unit.name} ({unit.key})"


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: each message on its field, one message per field.

    Keys the form has no field for (a service speaking of the union on the member form) become
    errors of the whole form.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages[0])
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields else None
        if target is not None and target in form.errors:
            continue
        form.add_error(target, ValidationError(errors).messages[0])


def _model_field(model, name: str, **kwargs: Any) -> forms.Field:
    field = model._meta.get_field(name).formfield(**kwargs)
    assert field is not None, name
    return field


class SubsectorField(forms.ModelChoiceField):
    """The sub-sectors grouped under their sectors (<optgroup>); the service checks they match."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Sector.objects.filter(parent__isnull=False).select_related("parent"), **kwargs
        )

    def grouped_choices(self) -> list:
        groups: dict[int, tuple[str, list]] = {}
        for sub in self.queryset.order_by("parent__order", "parent__code", "order", "code"):
            groups.setdefault(sub.parent_id, (sub.parent.label, []))[1].append((sub.pk, sub.label))
        return [("", self.empty_label), *groups.values()]


class OrganisationForm(forms.Form):
    """The facts of an organisation (services.ORGANISATION_FIELDS), as typed on its create and edit pages."""

    code = _model_field(Organisation, "code")
    name = _model_field(Organisation, "name")
    kind = _model_field(Organisation, "kind")
    sector = _model_field(Organisation, "sector", queryset=Sector.objects.filter(parent__isnull=True))
    subsector = SubsectorField(
        label=capfirst(Organisation._meta.get_field("subsector").verbose_name), required=False
    )
    unit = forms.CharField(
        label=capfirst(Organisation._meta.get_field("unit").verbose_name),
        help_text=_("Type part of the name and pick the commune or ward; its code in brackets is enough."),
        max_length=200,
    )
    address = _model_field(Organisation, "address")
    phone = _model_field(Organisation, "phone")
    email = _model_field(Organisation, "email")
    representative = _model_field(Organisation, "representative")
    founded_on = _model_field(Organisation, "founded_on", widget=date_input())
    law = _model_field(Organisation, "law")
    charter_capital = _model_field(
        Organisation,
        "charter_capital",
        form_class=GroupedDecimalField,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "number"}),
    )
    supporter = _model_field(Organisation, "supporter")
    union_member = _model_field(Organisation, "union_member")
    notes = _model_field(Organisation, "notes", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: User, instance: Organisation | None = None, **kwargs: Any) -> None:
        self.user = user
        self.instance = instance
        if instance is not None:
            initial = {name: getattr(instance, name) for name in ORGANISATION_FIELDS}
            initial["unit"] = unit_label(instance.unit)
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        elif user.role == Role.COMMUNE and user.unit and user.unit.level == Unit.Level.COMMUNE:
            kwargs["initial"] = {"unit": unit_label(user.unit), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        subsector = self.fields["subsector"]
        subsector.choices = subsector.grouped_choices()
        # The datalist's options come from units:search, which reads `q`: hx-vals renames the value.
        self.fields["unit"].widget.attrs.update(
            {
                "list": "unit-options",
                "autocomplete": "off",
                "class": "wide",
                "hx-get": reverse("units:search"),
                "hx-trigger": "input changed delay:300ms",
                "hx-vals": "js:{q: this.value}",
                "hx-target": "#unit-options",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )
        self.fields["name"].widget.attrs["class"] = "wide"
        self.fields["address"].widget.attrs["class"] = "wide"

    def clean_unit(self) -> Unit:
        # resolve_unit reads "Xã Than Uyên (commune:03595)" (what the datalist offers) by its key.
        wanted = self.cleaned_data["unit"].strip()
        try:
            unit = resolve_unit(wanted, queryset=access.visible_units(self.user))
        except UnitLookupError as err:
            # Tell "not yours" apart from "no such place": the units themselves are public.
            try:
                elsewhere = resolve_unit(wanted)
            except UnitLookupError as wider:
                if wider.candidates and not err.candidates:
                    raise ValidationError(
                        _("No commune or ward of your area matches “%(text)s”.") % {"text": wanted}
                    ) from None
                raise ValidationError(str(err)) from None
            raise ValidationError(
                _("%(unit)s is outside your area.") % {"unit": elsewhere.label_with_parents()}
            ) from None
        # An import may have placed an organisation in a district only; editing its other facts keeps it there.
        keeps_its_unit = self.instance is not None and unit.pk == self.instance.unit_id
        if unit.level != Unit.Level.COMMUNE and not keeps_its_unit:
            raise ValidationError(
                _("%(unit)s is not a commune or ward: choose a commune or ward.") % {"unit": unit.name}
            )
        return unit

    def changed_fields(self) -> dict[str, Any]:
        """The cleaned values that differ from the instance (all of them for a new organisation)."""
        values = {name: self.cleaned_data[name] for name in ORGANISATION_FIELDS}
        if self.instance is None:
            return values
        return {name: value for name, value in values.items() if getattr(self.instance, name) != value}


class StatusChangeForm(forms.Form):
    """A dated change of legal status, for services.organisation_change_status."""

    status = _model_field(StatusChange, "status")
    effective_on = _model_field(StatusChange, "effective_on", widget=date_input())
    decision_number = _model_field(StatusChange, "decision_number")
    reason = _model_field(StatusChange, "reason", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"effective_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["decision_number"].help_text = _(
            "Required for a dissolution, a bankruptcy or a termination, e.g. 12/QĐ-UBND."
        )


class ArchiveForm(forms.Form):
    action = forms.ChoiceField(choices=[("archive", _("Archive")), ("restore", _("Restore"))])


class UnionMemberForm(forms.Form):
    """A member to add to a union: the datalist offers "Name (#id)"; a code or an exact name also works."""

    member = forms.CharField(label=_("Member cooperative"), max_length=300)
    joined_on = _model_field(UnionMembership, "joined_on", widget=date_input())

    def __init__(self, *args: Any, user: User, union: Organisation, **kwargs: Any) -> None:
        self.user = user
        self.union = union
        super().__init__(*args, **kwargs)
        self.fields["member"].widget.attrs.update(
            {"list": "member-options", "autocomplete": "off", "class": "wide"}
        )

    def candidates(self):
        """Cooperatives the user may add: his editable ones of a member kind, not yet in this union."""
        qs = (
            access.editable_organisations(self.user)
            .filter(kind__in=MEMBER_KINDS, archived=False)
            .exclude(pk__in=UnionMembership.objects.filter(union=self.union).values("member_id"))
        )
        province = self.union.current_path.split("/", 1)[0]
        if province:
            qs = qs.filter(current_path__startswith=f"{province}/")
        return qs.only("pk", "name", "code").order_by("name", "pk")

    def clean_member(self) -> Organisation:
        text = self.cleaned_data["member"].strip()
        pool = access.editable_organisations(self.user)
        match = _ID_IN_PARENTHESES.search(text)
        if match:
            found = list(pool.filter(pk=int(match.group(1))))
        else:
            found = list(pool.filter(code=text)) or list(pool.filter(name_folded=fold(text)))
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValidationError(_("No organisation in your area matches “%(text)s”.") % {"text": text})
        raise ValidationError(
            _("“%(text)s” matches %(count)d organisations: pick one from the list.")
            % {"text": text, "count": len(found)}
        )
