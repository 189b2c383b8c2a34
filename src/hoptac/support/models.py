"""Support to organisations, the support fund's loans, and the Farmers' Union's own counts.

- SupportTopic: what support is about (founding, training, trade promotion, infrastructure,
  consolidation …), held as data (fixtures/topics.json). The same table names the Farmers' Union's
  counts (households joining, professional branches, union staff) and the fund's loans, so that an
  indicator's `topic` is one code whatever it counts.
- SupportRecord: support one organisation received: money (triệu đồng) or in kind (a description and
  an estimated value), dated, from a programme and an agency.
- Loan and Repayment: the cooperative support fund's loans (Quỹ hỗ trợ phát triển HTX) and what was
  paid back; outstanding, overdue and status are computed at a date (loans.py), never stored, except
  the date the loan was closed (repaid in full or written off), kept by the services for the
  indicators' queries.
- UnionActivity: what the Farmers' Union counts for a unit and a year (households of its members
  that joined a collective organisation, its professional branches and how many became cooperatives,
  its staff and how many were trained). These are not support to one organisation: they belong to
  a unit, optionally name the organisation concerned, and carry a sector.

Every write goes through services.py; every model keeps its history.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hoptac.registry.models import Organisation, Sector
from hoptac.units.models import Unit

MONEY = {"max_digits": 16, "decimal_places": 3}


class SupportTopic(models.Model):
    """A kind of support (or of Farmers' Union count), referred to by its code in indicator definitions."""

    class Kind(models.TextChoices):
        RECORD = "record", _("Support to an organisation")
        LOAN = "loan", _("Loans of the cooperative support fund")
        UNION = "union", _("Farmers' Union count")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.RECORD)
    part_of = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
        help_text=_(
            "Farmers' Union counts only: the count this one is a part of (union staff trained are part of "
            "union staff); a part can never exceed its whole for the same unit and year."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("offered in forms"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("support topic")
        verbose_name_plural = _("support topics")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


class SupportRecord(models.Model):
    """Support one organisation received, in money or in kind."""

    class Form(models.TextChoices):
        MONEY = "money", _("Money")
        IN_KIND = "in_kind", _("In kind")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="support_records"
    )
    topic = models.ForeignKey(
        SupportTopic,
        verbose_name=_("purpose"),
        on_delete=models.PROTECT,
        related_name="records",
        limit_choices_to={"kind": SupportTopic.Kind.RECORD},
    )
    given_on = models.DateField(_("date"))
    form = models.CharField(_("form of support"), max_length=8, choices=Form.choices, default=Form.MONEY)
    amount = models.DecimalField(
        _("amount (million VND)"), null=True, blank=True, help_text=_("Support in money."), **MONEY
    )
    in_kind_description = models.CharField(
        _("support in kind"),
        max_length=255,
        blank=True,
        help_text=_("What was given: equipment, seedlings, a training course, advice …"),
    )
    estimated_value = models.DecimalField(
        _("estimated value (million VND)"),
        null=True,
        blank=True,
        help_text=_("Support in kind: its value, when known."),
        **MONEY,
    )
    plan = models.ForeignKey(
        "indicators.Plan",
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_records",
        help_text=_("The plan or programme of the province the support implements, if it is one of them."),
    )
    programme = models.CharField(
        _("programme"),
        max_length=255,
        blank=True,
        help_text=_("The programme or policy as written, e.g. Chương trình MTQG xây dựng nông thôn mới."),
    )
    agency = models.ForeignKey(
        "programme.Agency",
        verbose_name=_("providing agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_records",
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("support record")
        verbose_name_plural = _("support records")
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["given_on"])]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.topic} ({self.given_on})"

    @property
    def value(self) -> Decimal:
        """What the support is worth: the amount of money, or the estimated value of support in kind."""
        if self.amount is not None:
            return self.amount
        return self.estimated_value if self.estimated_value is not None else Decimal(0)


class Loan(models.Model):
    """A loan of the cooperative support fund to an organisation.

    Principal is repaid in equal instalments every month or every quarter from the disbursement date,
    or all at maturity (`schedule`); interest is paid with the instalments and recorded as paid, but
    its arrears are not computed. See loans.py.
    """

    class Schedule(models.TextChoices):
        MONTHLY = "monthly", _("Equal monthly instalments")
        QUARTERLY = "quarterly", _("Equal quarterly instalments")
        AT_MATURITY = "maturity", _("All at maturity")

    class Status(models.TextChoices):
        CURRENT = "current", _("Current")
        OVERDUE = "overdue", _("Overdue")
        REPAID = "repaid", _("Repaid")
        WRITTEN_OFF = "written_off", _("Written off")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("borrower"), on_delete=models.PROTECT, related_name="loans"
    )
    agency = models.ForeignKey(
        "programme.Agency",
        verbose_name=_("lending agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans",
        help_text=_("Who manages the fund, e.g. Liên minh Hợp tác xã tỉnh."),
    )
    contract_number = models.CharField(_("contract number"), max_length=80, blank=True)
    amount = models.DecimalField(_("amount lent (million VND)"), **MONEY)
    disbursed_on = models.DateField(_("disbursement date"))
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    interest_rate = models.DecimalField(_("interest rate (%/year)"), max_digits=5, decimal_places=2)
    schedule = models.CharField(
        _("repayment schedule"), max_length=10, choices=Schedule.choices, default=Schedule.QUARTERLY
    )
    purpose = models.CharField(_("purpose"), max_length=255)
    note = models.TextField(_("note"), blank=True)
    written_off_on = models.DateField(_("written off on"), null=True, blank=True, editable=False)
    write_off_reason = models.TextField(_("reason for the write-off"), blank=True, editable=False)
    # Repaid in full (the date of the last repayment) or written off; kept by the services.
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fund loan")
        verbose_name_plural = _("fund loans")
        ordering = ["-disbursed_on", "-id"]
        indexes = [models.Index(fields=["disbursed_on"]), models.Index(fields=["closed_on"])]

    def __str__(self) -> str:
        label = self.contract_number or f"#{self.pk}"
        return f"{label} – {self.organisation}"


class Repayment(models.Model):
    """A repayment of a loan: principal and interest paid on a day."""

    loan = models.ForeignKey(
        Loan, verbose_name=_("loan"), on_delete=models.CASCADE, related_name="repayments"
    )
    paid_on = models.DateField(_("date paid"))
    principal = models.DecimalField(_("principal (million VND)"), default=Decimal(0), **MONEY)
    interest = models.DecimalField(_("interest (million VND)"), default=Decimal(0), **MONEY)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        ordering = ["loan_id", "paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.loan} – {self.paid_on}"


class UnionActivity(models.Model):
    """A count the Farmers' Union keeps for a unit and a year (topic of kind "union").

    `households-joined` counts the member households that joined during the year; the others
    (`professional-branches`, `branch-converted`, `union-staff`, `union-staff-trained`) what stands at
    the end of the year. Counts of different units add up: a province-level record holds only what
    the communes' records do not.
    """

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="union_activities",
        help_text=_("The commune, former district or province the count is for."),
    )
    # Resolved from `unit` as for organisations, so that any unit of either era adds it up.
    current_path = models.CharField(max_length=40, db_index=True, editable=False, default="")
    legacy_path = models.CharField(max_length=40, db_index=True, editable=False, default="")
    year = models.PositiveSmallIntegerField(_("year"))
    topic = models.ForeignKey(
        SupportTopic,
        verbose_name=_("what is counted"),
        on_delete=models.PROTECT,
        related_name="union_activities",
        limit_choices_to={"kind": SupportTopic.Kind.UNION},
    )
    count = models.PositiveIntegerField(_("number"))
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"parent__isnull": True},
        help_text=_("The sector of the organisations concerned (agriculture for the Farmers' Union's plan)."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="union_activities",
        help_text=_("When the count is about one organisation (the cooperative households joined)."),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["current_path", "legacy_path"])

    class Meta:
        verbose_name = _("Farmers' Union count")
        verbose_name_plural = _("Farmers' Union counts")
        ordering = ["-year", "unit__path", "topic__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "topic"],
                condition=Q(organisation__isnull=True),
                name="union_activity_unit_year_topic_unique",
            ),
            models.UniqueConstraint(
                fields=["unit", "year", "topic", "organisation"],
                condition=Q(organisation__isnull=False),
                name="union_activity_unit_year_topic_org_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} – {self.topic}: {self.count}"
