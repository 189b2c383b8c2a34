"""The yearly return of an organisation, its approval workflow, and the validation rules held as data."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hoptac.registry.models import Kind, Organisation

from .fields import FIELDS_BY_NAME, data_period


def _figure(name: str) -> models.Field:
    return FIELDS_BY_NAME[name].model_field()


class AnnualReturn(models.Model):
    """What an organisation reports for a year (báo cáo tình hình hoạt động hằng năm).

    Every figure is described in fields.FIELDS; blank means "not reported", never zero. Writes go
    through returns.services, which checks the workflow, the rules and `version` (optimistic locking:
    each write adds one, and a save that started from an older version is refused).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Sent back")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="annual_returns"
    )
    year = models.PositiveSmallIntegerField(_("year"))

    # Members
    members_individual = _figure("members_individual")
    members_household = _figure("members_household")
    members_legal_entity = _figure("members_legal_entity")
    members_associate = _figure("members_associate")
    members_social_insurance = _figure("members_social_insurance")
    # Workers and income
    workers = _figure("workers")
    workers_members = _figure("workers_members")
    income_member = _figure("income_member")
    income_worker = _figure("income_worker")
    # Finance
    revenue = _figure("revenue")
    revenue_planned = _figure("revenue_planned")
    profit = _figure("profit")
    total_assets = _figure("total_assets")
    charter_capital_contributed = _figure("charter_capital_contributed")
    # Managers
    managers = _figure("managers")
    managers_university = _figure("managers_university")
    managers_college = _figure("managers_college")
    managers_intermediate = _figure("managers_intermediate")
    managers_elementary = _figure("managers_elementary")
    managers_untrained = _figure("managers_untrained")
    managers_young = _figure("managers_young")
    managers_young_degree = _figure("managers_young_degree")
    managers_trained = _figure("managers_trained")
    # Practices
    high_technology = _figure("high_technology")
    value_chain_link = _figure("value_chain_link")
    land_use_certificate = _figure("land_use_certificate")
    # Credit
    credit_access = _figure("credit_access")
    bad_debt_ratio = _figure("bad_debt_ratio")
    # Assessment
    self_classification = _figure("self_classification")
    notes = _figure("notes")

    # Workflow
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(
        _("version"), default=0, help_text=_("Goes up by one at every change; 0 until the first save.")
    )
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
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
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
        verbose_name = _("yearly return")
        verbose_name_plural = _("yearly returns")
        ordering = ["-year", "organisation_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="annual_return_org_year_unique"),
        ]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.year}"

    @property
    def data_period(self):
        return data_period(self.year)

    @property
    def is_editable(self) -> bool:
        """Figures may change in a draft or a return sent back, never once submitted or approved."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def members_official(self) -> int | None:
        parts = [self.members_individual, self.members_household, self.members_legal_entity]
        return None if all(p is None for p in parts) else sum(p or 0 for p in parts)


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class ValidationRule(models.Model):
    """A check of a return, held as data so that a province can correct or add rules.

    `condition` (optional) and `check_expression` are expressions of returns.expressions over the return's
    figures, `prev.<figure>` (last year's submitted or approved return), `org.<fact>` and `year`.
    The rule applies when the condition is true, and reports a finding when the check is false. A rule
    whose expressions use `value` checks each of its `fields` in turn, `value` being that figure.
    Messages may contain placeholders `{expression}`, `{expression|plain}` (a number without thousand
    separators, for years) and, in a rule that checks each field, `{label}` (the field's name).
    """

    class Severity(models.TextChoices):
        ERROR = "error", _("Error (blocks saving)")
        WARNING = "warning", _("Warning (does not block)")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    kinds = models.CharField(
        _("kinds of organisation"),
        max_length=60,
        blank=True,
        help_text=_(
            "The kinds the rule applies to, separated by commas (tht, htx, lhhtx, qtdnd); empty for all."
        ),
    )
    condition = models.TextField(
        _("condition"), blank=True, help_text=_("When to apply the rule; empty for always.")
    )
    # Not `check`: that name is Django's Model.check() of the system checks.
    check_expression = models.TextField(
        _("check"), help_text=_("What must be true; a finding is reported when it is false.")
    )
    fields = models.CharField(
        _("fields"),
        max_length=600,
        help_text=_("The figures the rule is about, separated by commas; the finding is shown at the first."),
    )
    message_vi = models.TextField(_("message in Vietnamese"))
    message_en = models.TextField(_("message in English"))
    description = models.TextField(
        _("description"), blank=True, help_text=_("Why the rule exists; its source.")
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def kind_list(self) -> list[str]:
        return _split(self.kinds)

    @property
    def field_list(self) -> list[str]:
        return _split(self.fields)

    def applies_to_kind(self, kind: str) -> bool:
        kinds = self.kind_list
        return not kinds or kind in kinds

    def message_template(self) -> str:
        return self.message_en if (get_language() or "vi").startswith("en") else self.message_vi

    def clean(self) -> None:
        from .validation import compile_rule_parts

        super().clean()
        errors: dict[str, list[str]] = {}
        unknown_kinds = [k for k in self.kind_list if k not in Kind.values]
        if unknown_kinds:
            errors["kinds"] = [
                _("Unknown kind(s): %(kinds)s. Use %(known)s.")
                % {"kinds": ", ".join(unknown_kinds), "known": ", ".join(Kind.values)}
            ]
        unknown_fields = [f for f in self.field_list if f not in FIELDS_BY_NAME]
        if unknown_fields:
            errors["fields"] = [_("Unknown field(s): %(fields)s.") % {"fields": ", ".join(unknown_fields)}]
        elif not self.field_list:
            errors["fields"] = [_("Name at least one field.")]
        for name, message in compile_rule_parts(self).items():
            errors.setdefault(name, []).append(message)
        if errors:
            raise ValidationError(errors)
