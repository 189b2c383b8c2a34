"""The self-assessment form, built from a sheet's evaluation, and the round's filters."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hoptac.core.fields import GroupedDecimalField
from hoptac.returns.fields import Classification
from hoptac.returns.forms import RoundFilterForm as ReturnsRoundFilterForm

from .queries import ROUND_STATUS_LABELS
from .rules import Evaluation, Row


def _plain(points: Decimal | None) -> Decimal | None:
    """5.00 → 5 and 2.50 → 2.5, so that the form shows points as people write them."""
    if points is None:
        return None
    return points.quantize(Decimal(1)) if points == points.to_integral_value() else points.normalize()


def points_field(name: str) -> str:
    return f"p_{name}"


def evidence_field(name: str) -> str:
    return f"e_{name}"


class SheetForm(forms.Form):
    """Points and evidence of the criteria a person scores; the fine; the version the user started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    fined = forms.BooleanField(label=_("Fined administratively in the year"), required=False)
    fine_note = forms.CharField(
        label=_("About the fine (decision, date, what for)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        evaluation: Evaluation,
        disabled: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.evaluation = evaluation
        self.enterable: dict[int, Row] = {}
        for row in evaluation.leaves:
            if not row.enterable:
                continue
            c = row.criterion
            self.enterable[c.pk] = row
            points_label = _("Points of %(number)s") % {"number": c.number}
            evidence_label = _("Evidence for %(number)s") % {"number": c.number}
            self.fields[points_field(str(c.pk))] = GroupedDecimalField(
                label=points_label,
                required=False,
                localize=True,
                min_value=0,
                max_value=row.max_points,
                max_digits=6,
                decimal_places=2,
                disabled=disabled or row.max_points is None,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "class": "number points",
                        "size": 5,
                        "aria-label": points_label,
                    }
                ),
            )
            self.fields[evidence_field(str(c.pk))] = forms.CharField(
                label=evidence_label,
                required=False,
                max_length=2000,
                disabled=disabled,
                widget=forms.Textarea(attrs={"rows": 2, "class": "evidence", "aria-label": evidence_label}),
            )
        if evaluation.data.fine_rule() is None:
            del self.fields["fined"]
            del self.fields["fine_note"]
        elif disabled:
            self.fields["fined"].disabled = self.fields["fine_note"].disabled = True

    @classmethod
    def initial_for(
        cls, evaluation: Evaluation, *, version: int, fined: bool, fine_note: str
    ) -> dict[str, Any]:
        initial: dict[str, Any] = {"version": version, "fined": fined, "fine_note": fine_note}
        for row in evaluation.leaves:
            if row.enterable:
                initial[points_field(str(row.criterion.pk))] = _plain(row.points)
                initial[evidence_field(str(row.criterion.pk))] = row.evidence
        return initial

    def entries(self) -> dict[str, dict[str, Any]]:
        """{criterion number: {points, evidence}} for scoring.services.score_save."""
        out = {}
        for pk, row in self.enterable.items():
            if row.max_points is None:
                continue
            out[row.criterion.number] = {
                "points": self.cleaned_data.get(points_field(str(pk))),
                "evidence": self.cleaned_data.get(evidence_field(str(pk))) or "",
            }
        return out

    def add_service_errors(self, err: ValidationError) -> None:
        """Place a service's errors (keyed by criterion number) at the criteria's fields."""
        by_number = {row.criterion.number: pk for pk, row in self.enterable.items()}
        if not hasattr(err, "error_dict"):
            self.add_error(None, err.messages)
            return
        for key, messages in err.message_dict.items():
            if key in by_number:
                self.add_error(points_field(str(by_number[key])), messages)
            elif key in self.fields:
                self.add_error(key, messages)
            else:
                self.add_error(None, messages)

    def rows(self) -> list[dict[str, Any]]:
        """[{row, points, evidence}] in the scheme's order, with the bound fields of the enterable ones."""
        out = []
        for row in self.evaluation.rows:
            pk = str(row.criterion.pk)
            entry = {"row": row, "points": None, "evidence": None}
            if row.criterion.pk in self.enterable:
                entry["points"] = self[points_field(pk)]
                entry["evidence"] = self[evidence_field(pk)]
            out.append(entry)
        return out


class RoundFilterForm(ReturnsRoundFilterForm):
    """The returns round's filters (search, area), with the sheet's state and the confirmed class."""

    klass = forms.ChoiceField(label=_("Class"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].label = _("Classification")
        self.fields["status"].choices = [("", _("Every state")), *ROUND_STATUS_LABELS.items()]
        self.fields["klass"].choices = [("", _("Every class")), *Classification.choices]

    def filters(self) -> dict[str, Any]:
        out = super().filters()
        out["klass"] = getattr(self, "cleaned_data", {}).get("klass") or ""
        return out


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
