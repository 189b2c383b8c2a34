"""The organisation list's filters, as a plain GET form.

Invalid values are dropped (the list shows what the valid ones select) and reported by `notices()`,
so that a hand-edited or outdated URL never raises an error page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hoptac.accounts.access import visible_units
from hoptac.accounts.models import User
from hoptac.units.models import Unit
from hoptac.units.services import UnitLookupError, resolve_unit

from .models import Kind, Sector, Status, Supporter
from .queries import DEFAULT_SORT, OrganisationFilters, sort_choices

# The units datalist offers "Xã Than Uyên (commune:03595)": the key in brackets decides.
_KEY_IN_BRACKETS = re.compile(r"\(\s*((?:legacy-)?(?:province|district|commune):\d+)\s*\)\s*$")
_MAX_CANDIDATES = 10
_YEAR = {"min_value": 1900, "max_value": 2100}
_YEARS = re.compile(r"^(\d{4})(?:\s*[-–]\s*(\d{4}))?$")


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("Name or code")}),
    )
    unit = forms.CharField(
        label=_("Area"),
        required=False,
        max_length=200,
        help_text=_("A commune, ward, former district or province."),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    founded_from = forms.IntegerField(label=_("Founded from (year)"), required=False, **_YEAR)
    founded_to = forms.IntegerField(label=_("Founded until (year)"), required=False, **_YEAR)
    existing_in = forms.IntegerField(
        label=_("Existing at the end of year"),
        required=False,
        help_text=_("Founded by 31/12 of that year and not dissolved by then."),
        **_YEAR,
    )
    supporter = forms.ChoiceField(label=_("Founding supporter"), required=False)
    union_member = forms.ChoiceField(
        label=_("Union membership"),
        required=False,
        choices=[
            ("", _("Members and non-members")),
            ("yes", _("Members of the provincial union")),
            ("no", _("Not members of the provincial union")),
        ],
    )
    ended_in = forms.IntegerField(
        label=_("Ended in year"),
        required=False,
        help_text=_("Dissolved, bankrupt or ceased to exist during that year."),
        **_YEAR,
    )
    archived = forms.BooleanField(label=_("Show archived organisations"), required=False)
    sort = forms.ChoiceField(label=_("Sort order"), required=False, widget=forms.HiddenInput)
    # Links from the dashboard: the organisations behind a figure (hidden; a notice says what they are).
    indicator = forms.CharField(label=_("Indicator"), required=False, max_length=60, widget=forms.HiddenInput)
    part = forms.ChoiceField(
        label=_("Part of the indicator"),
        required=False,
        widget=forms.HiddenInput,
        choices=[("", ""), ("population", "population"), ("numerator", "numerator")],
    )
    year = forms.CharField(
        label=_("Year of the figure"),
        required=False,
        max_length=9,
        widget=forms.HiddenInput,
        help_text=_("A year (2024) or years (2021-2025); with a status, the status in force on 31/12."),
    )

    def __init__(self, data: Mapping[str, str] | None = None, *, user: User, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        self.unit_candidates: list[Unit] = []
        self.fields["kind"].choices = [("", _("All kinds")), *Kind.choices]
        self.fields["status"].choices = [("", _("All statuses")), *Status.choices]
        self.fields["supporter"].choices = [
            ("", _("Any or none")),
            ("none", _("No founding supporter")),
            *[(v, label) for v, label in Supporter.choices if v],
        ]
        self.fields["sort"].choices = [("", ""), *sort_choices()]
        # One query for the choices; the same objects serve clean_sector.
        self._sectors = {s.code: s for s in Sector.objects.all()}
        sector_choices: list[tuple[str, str]] = [("", _("All sectors"))]
        for s in self._sectors.values():
            if s.parent_id is None:
                sector_choices.append((s.code, s.label))
                sector_choices.extend(
                    (c.code, f"— {c.label}") for c in self._sectors.values() if c.parent_id == s.pk
                )
        self.fields["sector"].choices = sector_choices

    def clean_sector(self) -> Sector | None:
        code = self.cleaned_data.get("sector")
        return self._sectors.get(code) if code else None

    def clean_unit(self) -> Unit | None:
        text = (self.cleaned_data.get("unit") or "").strip()
        if not text:
            return None
        match = _KEY_IN_BRACKETS.search(text)
        try:
            return resolve_unit(match.group(1) if match else text, queryset=visible_units(self.user))
        except UnitLookupError as err:
            self.unit_candidates = err.candidates[:_MAX_CANDIDATES]
            if not err.candidates:
                raise forms.ValidationError(
                    _("No commune, district or province in your area matches “%(text)s”."),
                    params={"text": text},
                    code="unknown",
                ) from None
            names = ", ".join(f"{u.label_with_parents()} ({u.key})" for u in self.unit_candidates)
            if len(err.candidates) > _MAX_CANDIDATES:
                names += ", …"
            raise forms.ValidationError(
                _("“%(text)s” matches %(count)d units: %(names)s. Pick one of them."),
                params={"text": text, "count": len(err.candidates), "names": names},
                code="ambiguous",
            ) from None

    def clean_year(self) -> tuple[int, int] | None:
        text = (self.cleaned_data.get("year") or "").strip()
        if not text:
            return None
        match = _YEARS.match(text)
        if not match:
            raise forms.ValidationError(
                _("“%(text)s” is not a year (2024) or years (2021-2025)."), params={"text": text}
            )
        first, last = int(match[1]), int(match[2] or match[1])
        if not (_YEAR["min_value"] <= first <= last <= _YEAR["max_value"]):
            raise forms.ValidationError(
                _("“%(text)s” is not a year (2024) or years (2021-2025)."), params={"text": text}
            )
        return first, last

    def clean_indicator(self):
        code = (self.cleaned_data.get("indicator") or "").strip()
        if not code:
            return None
        from hoptac.indicators.models import Indicator

        found = Indicator.objects.select_related("base").filter(code=code).first()
        if found is None:
            raise forms.ValidationError(_("No indicator has the code “%(code)s”."), params={"code": code})
        return found

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("founded_from"), data.get("founded_to")
        if start is not None and end is not None and start > end:
            self.add_error("founded_to", _("The last founding year is before the first one."))
        if data.get("indicator") is not None and not data.get("year") and "year" not in self.errors:
            self.add_error(
                "indicator", _("The organisations behind an indicator need the year of the figure.")
            )
        return data

    def population_note(self) -> str:
        """What the list shows when it is the population of an indicator (empty otherwise)."""
        self.is_valid()
        indicator, years = self.cleaned_data.get("indicator"), self.cleaned_data.get("year")
        if indicator is None or years is None:
            return ""
        from hoptac.indicators.population import describe

        return describe(
            indicator,
            self.cleaned_data.get("unit"),
            years[1],
            part=self.cleaned_data.get("part") or "population",
            first_year=years[0],
        )

    def filters(self) -> OrganisationFilters:
        """The valid filters; invalid fields are left out (see notices())."""
        self.is_valid()
        data = self.cleaned_data
        supporter = data.get("supporter")
        union = data.get("union_member")
        return OrganisationFilters(
            q=data.get("q") or "",
            unit=data.get("unit"),
            kind=data.get("kind") or "",
            sector=data.get("sector"),
            status=data.get("status") or "",
            founded_from=data.get("founded_from"),
            founded_to=data.get("founded_to"),
            supporter=None if not supporter else ("" if supporter == "none" else supporter),
            union_member=None if not union else union == "yes",
            show_archived=bool(data.get("archived")),
            existing_in=data.get("existing_in"),
            sort=data.get("sort") or DEFAULT_SORT,
            indicator=data.get("indicator") if data.get("year") else None,
            part=data.get("part") or "population",
            year=data["year"][1] if data.get("year") else None,
            first_year=data["year"][0] if data.get("year") else None,
            ended_in=data.get("ended_in"),
        )

    def notices(self) -> list[str]:
        """One sentence per ignored filter, naming it."""
        out = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            for error in errors:
                out.append(
                    gettext("%(field)s: %(error)s This filter was ignored.")
                    % {"field": label, "error": error}
                )
        return out
