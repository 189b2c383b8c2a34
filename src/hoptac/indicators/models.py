"""Indicator definitions, plans and their targets: all of them data, loaded from the fixtures of this app.

An indicator is computed, never typed in (engine.py). A plan (kế hoạch) of a province holds targets,
each an indicator held against a value or a range for an area and a year (progress.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hoptac.units.models import Unit

from . import spec


class Indicator(models.Model):
    """How one figure of the plans is computed from the registry, the yearly returns or other sources."""

    class Source(models.TextChoices):
        ORGANISATIONS = "organisations", _("Organisations of the registry")
        RETURNS = "returns", _("Approved yearly returns")
        COMMUNES = "communes", _("Communes and wards")
        PRODUCTS = "products", _("OCOP products")
        SUPPORT = "support", _("Support records")
        SCORES = "scores", _("Official classification results")

    class Aggregation(models.TextChoices):
        COUNT = "count", _("Count")
        SUM = "sum", _("Sum of a figure")
        WEIGHTED_AVERAGE = "weighted_average", _("Average weighted by people")
        SHARE = "share", _("Share of a population (percent)")
        RATIO = "ratio", _("Ratio of two sums")
        GROWTH_PREVIOUS = "growth_previous", _("Growth on the previous year (percent)")
        GROWTH_BASE = "growth_base", _("Growth on a base year (percent)")

    class Period(models.TextChoices):
        STOCK = "stock", _("Stock: at the end of the year (31/12)")
        FOUNDED = "founded", _("Flow: founded during the year")
        ENDED = "ended", _("Flow: ended during the year")

    class Measure(models.TextChoices):
        COUNT = "count", _("count")
        PERCENT = "percent", "%"
        PEOPLE = "people", _("people")
        MILLION_VND = "million_vnd", _("million VND")
        MILLION_VND_PER_PERSON = "million_vnd_per_person", _("million VND per person per year")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255)
    unit = models.CharField(_("unit"), max_length=24, choices=Measure.choices)
    description = models.TextField(_("description"), blank=True, help_text=_("The formula in words."))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    aggregation = models.CharField(_("aggregation"), max_length=16, choices=Aggregation.choices)
    period = models.CharField(_("period"), max_length=8, choices=Period.choices, default=Period.STOCK)
    filters = models.JSONField(
        _("filters"),
        default=dict,
        blank=True,
        help_text=_('The population counted, e.g. {"kinds": ["htx"], "statuses": ["active"]}.'),
    )
    subset = models.JSONField(
        _("numerator subset"),
        default=dict,
        blank=True,
        help_text=_("Shares only: the part of the population that makes the numerator."),
    )
    figures = models.JSONField(
        _("figures"),
        default=dict,
        blank=True,
        help_text=_("Sums, weighted averages and ratios: the figures of the yearly return added up."),
    )
    base = models.ForeignKey(
        "self",
        verbose_name=_("base indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="growths",
        help_text=_("Growth indicators only: the indicator whose growth is measured."),
    )
    base_year = models.PositiveSmallIntegerField(
        _("base year"),
        null=True,
        blank=True,
        help_text=_("Growth on a base year: the year compared with; a target may give its own."),
    )
    higher_is_better = models.BooleanField(
        _("higher is better"),
        default=True,
        help_text=_("Untick for a bad-debt ratio or a share of weak ones."),
    )
    references = models.TextField(
        _("references"), blank=True, help_text=_("The seeds and lines that ask for it, one per line.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi

    @property
    def is_growth(self) -> bool:
        return self.aggregation in (self.Aggregation.GROWTH_PREVIOUS, self.Aggregation.GROWTH_BASE)

    @property
    def is_flow(self) -> bool:
        return self.period != self.Period.STOCK

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}

        def add(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        A, S = self.Aggregation, self.Source
        if self.is_growth:
            if self.base_id is None:
                add("base", gettext("A growth indicator needs the indicator whose growth it measures."))
            elif self.base.is_growth:
                add("base", gettext("The base of a growth indicator cannot itself be a growth indicator."))
            elif self.base_id == self.pk:
                add("base", gettext("An indicator cannot be its own base."))
            else:
                # The growth reads its base; its own population fields would only mislead.
                self.source, self.period = self.base.source, self.base.period
            if self.unit != self.Measure.PERCENT:
                add("unit", gettext("A growth is a percentage: choose the unit %."))
            for field in ("filters", "subset", "figures"):
                if getattr(self, field):
                    add(
                        field,
                        gettext("A growth indicator takes its population from its base: leave this empty."),
                    )
        else:
            if self.base_id is not None:
                add("base", gettext("Only growth indicators have a base indicator."))
            if self.base_year is not None:
                add("base_year", gettext("Only a growth on a base year has a base year."))
        if self.aggregation != A.GROWTH_BASE and self.base_year is not None and self.is_growth:
            add("base_year", gettext("Only a growth on a base year has a base year."))

        if not self.is_growth:
            if self.period != self.Period.STOCK and self.source != S.ORGANISATIONS:
                add(
                    "period",
                    gettext("Only organisations are founded or ended during a year; choose “stock”."),
                )
            if self.aggregation in (A.SUM, A.WEIGHTED_AVERAGE, A.RATIO) and self.source in (
                S.ORGANISATIONS,
                S.COMMUNES,
            ):
                add(
                    "aggregation",
                    gettext(
                        "Sums, averages and ratios add up figures of yearly returns or of another source with figures."
                    ),
                )
            if self.source == S.COMMUNES and self.aggregation not in (A.COUNT, A.SHARE):
                add("aggregation", gettext("Communes are counted, or given as a share of all communes."))
            if self.aggregation == A.SHARE and not self.subset and self.source != S.COMMUNES:
                add("subset", gettext("A share needs the subset that makes its numerator."))
            if self.aggregation != A.SHARE and self.subset:
                add("subset", gettext("Only shares have a numerator subset."))
            if self.source == S.COMMUNES and self.subset:
                add(
                    "subset",
                    gettext(
                        "A share of communes counts the communes with one of the organisations in the filters; leave the subset empty."
                    ),
                )
            for message in spec.check_conditions(
                self.filters, source=self.source, period=self.period, label=str(gettext("Filters"))
            ):
                add("filters", message)
            for message in spec.check_conditions(
                self.subset, source=self.source, period=self.period, label=str(gettext("Numerator subset"))
            ):
                add("subset", message)
            for message in spec.check_figures(self.figures, aggregation=self.aggregation, source=self.source):
                add("figures", message)
        if self.aggregation in (A.SHARE, A.RATIO) and self.unit != self.Measure.PERCENT:
            add("unit", gettext("Shares and ratios are given in %."))
        if errors:
            raise ValidationError(errors)


class Plan(models.Model):
    """A plan (kế hoạch, chỉ thị …) of a province, with its targets."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    number = models.CharField(_("number"), max_length=80, blank=True, help_text=_("E.g. 765/VP-KTTH."))
    title = models.TextField(_("title"))
    issuer = models.CharField(_("issuer"), max_length=200)
    issued_on = models.DateField(_("date issued"), null=True, blank=True)
    date_text = models.CharField(
        _("date as written"),
        max_length=80,
        blank=True,
        help_text=_("The date as the document writes it, when it leaves the day blank (“tháng 4 năm 2021”)."),
    )
    area = models.ForeignKey(Unit, verbose_name=_("area"), on_delete=models.PROTECT, related_name="plans")
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    source = models.CharField(_("source document"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-start_year", "slug"]

    def __str__(self) -> str:
        return f"{self.number} – {self.title}" if self.number else self.title

    def clean(self) -> None:
        super().clean()
        if self.start_year and self.end_year and self.start_year > self.end_year:
            raise ValidationError({"end_year": gettext("The last year comes before the first year.")})


class Target(models.Model):
    """An indicator held against a value or a range, for an area and a year."""

    class Comparator(models.TextChoices):
        GTE = ">=", "≥"
        GT = ">", ">"
        EQ = "=", "="
        LTE = "<=", "≤"
        LT = "<", "<"

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    area = models.ForeignKey(Unit, verbose_name=_("area"), on_delete=models.PROTECT, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    comparator = models.CharField(_("comparator"), max_length=2, choices=Comparator.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    min_value = models.DecimalField(_("from"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("to"), max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=24, choices=Indicator.Measure.choices)
    each_year = models.BooleanField(
        _("every year"),
        default=False,
        help_text=_("The target holds for every year up to its year (mỗi năm)."),
    )
    cumulative_from = models.PositiveSmallIntegerField(
        _("added up from"),
        null=True,
        blank=True,
        help_text=_("For counts of a flow: the target is the total of the years from this one to its year."),
    )
    base_year = models.PositiveSmallIntegerField(
        _("base year"), null=True, blank=True, help_text=_("For a growth: the year it is measured from.")
    )
    note = models.TextField(_("note"), blank=True, help_text=_("The words of the document."))
    source_ref = models.CharField(_("where in the document"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "order", "year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator", "area", "year"], name="target_plan_indicator_area_year_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id and self.indicator.code} {self.year} {self.describe()}"

    def save(self, *args, **kwargs):
        if not self.unit and self.indicator_id:
            self.unit = self.indicator.unit
        super().save(*args, **kwargs)

    @property
    def is_range(self) -> bool:
        return self.min_value is not None or self.max_value is not None

    def describe(self) -> str:
        """`> 70`, `5000–6000`, in plain characters."""
        if self.is_range:
            return f"{_plain(self.min_value)}–{_plain(self.max_value)}"
        return f"{self.get_comparator_display()} {_plain(self.value)}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}

        def add(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        if self.is_range:
            if self.value is not None:
                add("value", gettext("Give either a value or a range, not both."))
            if self.min_value is None or self.max_value is None:
                add("min_value", gettext("A range needs both ends."))
            elif self.min_value > self.max_value:
                add("max_value", gettext("The end of the range is below its start."))
            if self.comparator != self.Comparator.EQ:
                add("comparator", gettext("A range is reached inside it: use the comparator “=”."))
        elif self.value is None:
            add("value", gettext("Give a value or a range."))
        indicator = self.indicator if self.indicator_id else None
        if indicator is not None:
            if self.unit and self.unit != indicator.unit:
                add(
                    "unit",
                    gettext("The unit must be that of the indicator (%(unit)s).")
                    % {"unit": indicator.get_unit_display()},
                )
            if self.cumulative_from is not None:
                additive = indicator.aggregation in (Indicator.Aggregation.COUNT, Indicator.Aggregation.SUM)
                flowing = indicator.is_flow or indicator.source == Indicator.Source.SUPPORT
                if not (additive and flowing):
                    add(
                        "cumulative_from",
                        gettext(
                            "Only counts of what happens during a year (foundings, support) add up over years."
                        ),
                    )
                elif self.year and self.cumulative_from > self.year:
                    add("cumulative_from", gettext("The first year added up comes after the target's year."))
            if self.base_year is not None:
                if indicator.aggregation == Indicator.Aggregation.GROWTH_PREVIOUS:
                    if self.year and self.base_year != self.year - 1:
                        add(
                            "base_year",
                            gettext("This indicator grows on the previous year: the base year is %(year)s.")
                            % {"year": self.year - 1},
                        )
                elif indicator.aggregation != Indicator.Aggregation.GROWTH_BASE:
                    add("base_year", gettext("Only growth indicators have a base year."))
                elif self.year and self.base_year >= self.year:
                    add("base_year", gettext("The base year must come before the target's year."))
            elif indicator.aggregation == Indicator.Aggregation.GROWTH_BASE and indicator.base_year is None:
                add("base_year", gettext("This indicator measures growth on a base year: give the year."))
        if errors:
            raise ValidationError(errors)


def _plain(value: Decimal | None) -> str:
    if value is None:
        return "?"
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f").rstrip("0")
