"""Classification schemes held as data, and the score sheets of cooperatives (xếp loại, đánh giá HTX).

A scheme (Thông tư 09/2017/TT-BNNPTNT for agricultural cooperatives, 01/2020/TT-BKHĐT for all) is a
version: its criteria, class thresholds and rules never change once a sheet was scored with it; an
edit makes a new version (schemes.scheme_edit), and each sheet keeps the version that scored it.
Values the published texts did not give are left blank and marked unconfirmed, for an administrator
to enter in a new version.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hoptac.registry.models import Kind as OrgKind
from hoptac.registry.models import Organisation, Sector
from hoptac.returns.fields import Classification
from hoptac.returns.models import AnnualReturn
from hoptac.units.models import Unit

POINTS = {"max_digits": 6, "decimal_places": 2}


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


class SchemeQuerySet(models.QuerySet):
    def active(self) -> SchemeQuerySet:
        return self.filter(active=True)


class Scheme(models.Model):
    """One version of a classification scheme; `code` names the scheme across its versions."""

    code = models.SlugField(_("code"), max_length=40, help_text=_("Names the scheme across its versions."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name_vi = models.CharField(_("Vietnamese name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255)
    legal_basis = models.TextField(_("legal basis"), blank=True, help_text=_("The text that issued it."))
    kinds = models.CharField(
        _("kinds of organisation"),
        max_length=60,
        blank=True,
        help_text=_("The kinds it rates, separated by commas (htx, lhhtx, qtdnd, tht); empty for all."),
    )
    sectors = models.ManyToManyField(
        Sector,
        verbose_name=_("sectors"),
        blank=True,
        related_name="+",
        limit_choices_to={"parent__isnull": True},
        help_text=_("The sectors it rates; none for every sector."),
    )
    priority = models.SmallIntegerField(
        _("priority"),
        default=0,
        help_text=_(
            "When several active schemes fit an organisation, the one of higher priority rates it (then the one "
            "that names sectors)."
        ),
    )
    total_points = models.DecimalField(_("total points"), default=Decimal(100), **POINTS)
    active = models.BooleanField(
        _("active"), default=False, help_text=_("The version new sheets are scored with; one per scheme.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_versions",
    )
    shipped = models.BooleanField(_("shipped with the project"), default=False, editable=False)
    fixture_digest = models.CharField(max_length=64, blank=True, editable=False)
    source_note = models.TextField(_("sources"), blank=True)
    version_note = models.TextField(_("what changed in this version"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("classification scheme")
        verbose_name_plural = _("classification schemes")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="scheme_code_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(active=True), name="scheme_one_active_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def name(self) -> str:
        return self.name_en if _english() else self.name_vi

    @property
    def kind_list(self) -> list[str]:
        return _split(self.kinds)

    @property
    def kind_labels(self) -> list[str]:
        return [str(OrgKind(k).label) for k in self.kind_list if k in OrgKind.values]

    def rates_kind(self, kind: str) -> bool:
        kinds = self.kind_list
        return not kinds or kind in kinds

    @property
    def is_locked(self) -> bool:
        """A version that scored a sheet never changes: edit it into a new version."""
        return self.pk is not None and self.sheets.exists()

    def clean(self) -> None:
        super().clean()
        unknown = [k for k in self.kind_list if k not in OrgKind.values]
        if unknown:
            raise ValidationError(
                {
                    "kinds": _("Unknown kind(s): %(kinds)s. Use %(known)s.")
                    % {"kinds": ", ".join(unknown), "known": ", ".join(OrgKind.values)}
                }
            )


class Criterion(models.Model):
    """A criterion, a group of criteria or a sub-criterion, with its maximum points and its rule.

    - `sum`: its points are its sub-criteria's;
    - `bands`: points from the band holding `expression`, an expression of the yearly return's figures
      (returns.expressions: `revenue`, `revenue / revenue_planned * 100`, `prev.total_assets` …);
      when `precondition` is false the criterion scores 0; when a figure is blank, a person enters it;
    - `manual`: a person enters the points with an evidence note, following `guidance`; `expression`,
      if any, is shown beside as the figure behind.
    Bands are [{"min": 1000, "max": 5000, "points": 6}, …]: min inclusive, max exclusive, null = no
    bound; a yes/no expression counts as 1 / 0.
    """

    class Rule(models.TextChoices):
        SUM = "sum", _("Sum of its sub-criteria")
        BANDS = "bands", _("Bands over figures of the yearly return")
        MANUAL = "manual", _("Entered by a person, with evidence")

    class Measure(models.TextChoices):
        NONE = "", "—"
        MILLION_VND = "million_vnd", _("million VND")
        MILLION_VND_PER_PERSON = "million_vnd_per_person", _("million VND per person")
        PERCENT = "percent", "%"
        PEOPLE = "people", _("people")
        YES_NO = "yes_no", _("yes / no")

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="criteria"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    number = models.CharField(
        _("number"), max_length=12, help_text=_("As the text numbers it: I, 1, 1.1, 1a.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_vi = models.CharField(_("Vietnamese title"), max_length=400)
    title_en = models.CharField(_("English title"), max_length=400)
    max_points = models.DecimalField(
        _("maximum points"),
        null=True,
        blank=True,
        help_text=_("Blank when the text is not known yet."),
        **POINTS,
    )
    rule = models.CharField(_("rule"), max_length=8, choices=Rule.choices, default=Rule.MANUAL)
    expression = models.TextField(
        _("expression"),
        blank=True,
        help_text=_("Figures of the yearly return it reads, e.g. revenue / revenue_planned * 100."),
    )
    precondition = models.TextField(
        _("precondition"), blank=True, help_text=_("When false, the criterion scores 0 (e.g. profit > 0).")
    )
    bands = models.JSONField(_("bands"), default=list, blank=True)
    value_unit = models.CharField(_("unit of the figure"), max_length=24, choices=Measure.choices, blank=True)
    guidance_vi = models.TextField(_("guidance in Vietnamese"), blank=True)
    guidance_en = models.TextField(_("guidance in English"), blank=True)
    confirmed = models.BooleanField(
        _("confirmed"),
        default=False,
        help_text=_("Its points and rule were checked against the published text."),
    )
    source_note = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["scheme_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="criterion_scheme_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def title(self) -> str:
        return self.title_en if _english() else self.title_vi

    @property
    def guidance(self) -> str:
        return (self.guidance_en if _english() else self.guidance_vi) or self.guidance_vi

    def clean(self) -> None:
        from .rules import criterion_errors

        super().clean()
        errors = criterion_errors(self)
        if errors:
            raise ValidationError(errors)


class ClassThreshold(models.Model):
    """A class and the least total that reaches it (tốt from 80, khá from 65, trung bình from 50, yếu below)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="thresholds")
    klass = models.CharField(_("class"), max_length=12, choices=Classification.choices)
    min_points = models.DecimalField(_("from (points)"), **POINTS)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    source_note = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("class threshold")
        verbose_name_plural = _("class thresholds")
        ordering = ["scheme_id", "-min_points"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "klass"], name="threshold_scheme_class_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_klass_display()} ≥ {self.min_points}"


class SchemeRule(models.Model):
    """A rule that keeps an organisation from being rated, or forces its class."""

    class Kind(models.TextChoices):
        EXCLUDE = "exclude", _("Not rated")
        FORCE = "force", _("Class forced")

    class Condition(models.TextChoices):
        OPERATING_BELOW = "operating_months_below", _("Operated fewer than N months in the year")
        STOPPED_ABOVE = "stopped_months_above", _("Stopped operating more than N months in the year")
        FINED = "administrative_fine", _("Fined administratively in the year")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    condition = models.CharField(_("condition"), max_length=24, choices=Condition.choices)
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    klass = models.CharField(_("forced class"), max_length=12, choices=Classification.choices, blank=True)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    source_note = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("rating rule")
        verbose_name_plural = _("rating rules")
        ordering = ["scheme_id", "kind", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def description(self) -> str:
        label = str(self.get_condition_display()).replace("N", str(self.months or "N"), 1)
        if self.kind == self.Kind.FORCE:
            return f"{label} → {self.get_klass_display()}"
        return f"{label} → {self.get_kind_display()}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if (
            self.condition in (self.Condition.OPERATING_BELOW, self.Condition.STOPPED_ABOVE)
            and not self.months
        ):
            errors["months"] = _("Give the number of months.")
        if self.condition == self.Condition.FINED and self.kind == self.Kind.EXCLUDE:
            errors["kind"] = _("A fine forces a class; it does not keep an organisation from being rated.")
        if self.kind == self.Kind.FORCE and not self.klass:
            errors["klass"] = _("Give the class it forces.")
        if self.kind == self.Kind.FORCE and self.condition != self.Condition.FINED:
            errors["condition"] = _("Only a fine forces a class.")
        if errors:
            raise ValidationError(errors)


class SchemeChoice(models.Model):
    """A province's choice of scheme for a sector (or for every sector), instead of the default by sector."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"level": Unit.Level.PROVINCE},
    )  # fmt: skip
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"parent__isnull": True}, help_text=_("Empty for every sector."),
    )  # fmt: skip
    scheme_code = models.SlugField(_("scheme"), max_length=40, help_text=_("The code of the scheme to use."))

    class Meta:
        verbose_name = _("province's choice of scheme")
        verbose_name_plural = _("provinces' choices of scheme")
        constraints = [
            models.UniqueConstraint(fields=["unit", "sector"], name="scheme_choice_unit_sector_unique"),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(sector__isnull=True), name="scheme_choice_unit_any_sector_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.sector or '*'} → {self.scheme_code}"

    def clean(self) -> None:
        super().clean()
        if self.unit_id and self.unit.level != Unit.Level.PROVINCE:
            raise ValidationError({"unit": _("Choose a province.")})
        if self.scheme_code and not Scheme.objects.filter(code=self.scheme_code).exists():
            raise ValidationError(
                {"scheme_code": _("No scheme has the code “%(code)s”.") % {"code": self.scheme_code}}
            )


class ScoreSheet(models.Model):
    """An organisation's classification for a year: its points by criterion, total and class.

    The workflow is the returns': draft → submitted → confirmed (locked); a submitted sheet may be sent
    back with a reason, a confirmed one reopened with a reason. Writes go through scoring.services.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CONFIRMED = "confirmed", _("Confirmed")
        RETURNED = "returned", _("Sent back")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="score_sheets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="sheets"
    )
    annual_return = models.ForeignKey(
        AnnualReturn, verbose_name=_("yearly return"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("The approved return the computed criteria were read from."),
    )  # fmt: skip
    total = models.DecimalField(_("total points"), null=True, blank=True, **POINTS)
    klass = models.CharField(_("class"), max_length=12, choices=Classification.choices, blank=True)
    forced = models.BooleanField(_("class forced by a rule"), default=False)
    complete = models.BooleanField(_("every criterion scored"), default=False)
    fined = models.BooleanField(_("fined administratively in the year"), default=False)
    fine_note = models.TextField(_("about the fine"), blank=True)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("last changed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    returned_at = models.DateTimeField(_("sent back at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent back by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    returned_reason = models.TextField(_("reason for sending back"), blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reopened by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    reopened_reason = models.TextField(_("reason for reopening"), blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["-year", "organisation_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="score_sheet_org_year_unique"),
        ]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.year}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class ScoreLine(models.Model):
    """The points of one criterion (a leaf of the scheme) on a sheet, and what they rest on."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="lines")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), null=True, blank=True, **POINTS)
    value = models.DecimalField(
        _("figure"), null=True, blank=True, max_digits=24, decimal_places=4,
        help_text=_("The figure of the return the points were computed from."),
    )  # fmt: skip
    computed = models.BooleanField(_("computed from the return"), default=False)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        verbose_name = _("score line")
        verbose_name_plural = _("score lines")
        constraints = [models.UniqueConstraint(fields=["sheet", "criterion"], name="score_line_unique")]

    def __str__(self) -> str:
        return f"{self.sheet} · {self.criterion.number}: {self.points}"
