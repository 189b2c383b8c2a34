"""The registry of collective economic organisations (tổ chức kinh tế tập thể)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hoptac.units.models import Unit


class Sector(models.Model):
    """A sector (lĩnh vực) or, with a parent, a sub-sector. Held as data: fixtures/sectors.json."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    synonyms = models.TextField(
        _("synonyms"), blank=True, help_text=_("Other names people use for it, one per line (for imports).")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


class Kind(models.TextChoices):
    THT = "tht", _("Cooperative group (THT)")
    HTX = "htx", _("Cooperative (HTX)")
    LHHTX = "lhhtx", _("Union of cooperatives (LHHTX)")
    QTDND = "qtdnd", _("People's credit fund")


class Law(models.TextChoices):
    LAW_2003 = "2003", _("Law 2003 (not yet reorganised under the 2012 law)")
    LAW_2012 = "2012", _("Law on Cooperatives 2012")
    LAW_2023 = "2023", _("Law on Cooperatives 2023")
    CIVIL_CODE = "civil", _("Civil Code (cooperative group)")


class Supporter(models.TextChoices):
    NONE = "", _("None")
    FARMERS = "hnd", _("Farmers' Union (Hội Nông dân)")
    WOMEN = "hlhpn", _("Women's Union (Hội LHPN)")
    YOUTH = "doantn", _("Youth Union (Đoàn TN)")
    VETERANS = "hccb", _("Veterans' Association (Hội CCB)")


class Status(models.TextChoices):
    """Legal statuses of Nghị định 92/2024/NĐ-CP Điều 27, plus the seeds' "stopped, not dissolved"."""

    ACTIVE = "active", _("Operating")
    SUSPENDED = "suspended", _("Temporarily suspended")
    STOPPED = "stopped", _("Stopped operating, not dissolved")
    NOT_AT_ADDRESS = "not_at_address", _("Not operating at the registered address")
    TAX_REVOKED = "tax_revoked", _("Certificate revoked for tax enforcement")
    REORGANISING = "reorganising", _("Dissolution, division or merger in progress")
    BANKRUPTCY = "bankruptcy", _("Bankruptcy in progress")
    DISSOLVED = "dissolved", _("Dissolved")
    BANKRUPT = "bankrupt", _("Bankrupt")
    TERMINATED = "terminated", _("Ceased to exist (merged or consolidated)")

    @classmethod
    def ended(cls) -> set[str]:
        """Statuses after which the organisation no longer exists."""
        return {cls.DISSOLVED, cls.BANKRUPT, cls.TERMINATED}


class OrganisationQuerySet(models.QuerySet):
    def existing_on(self, day: datetime.date) -> OrganisationQuerySet:
        """Founded on or before `day` and not ended by then (a dissolution counts from its date)."""
        return self.filter(Q(founded_on__lte=day) | Q(founded_on__isnull=True)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )

    def not_archived(self) -> OrganisationQuerySet:
        return self.filter(archived=False)


class Organisation(models.Model):
    code = models.CharField(
        _("cooperative code"),
        max_length=20,
        null=True,
        blank=True,
        help_text=_("Mã số HTX / mã số thuế; unique when present."),
    )
    name = models.CharField(_("name"), max_length=255)
    name_folded = models.CharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.HTX)
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="organisations",
        limit_choices_to={"parent__isnull": True},
    )
    subsector = models.ForeignKey(
        Sector,
        verbose_name=_("sub-sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_organisations",
        limit_choices_to={"parent__isnull": False},
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text=_(
            "The commune or ward of the registered address; a legacy one for records before 01/07/2025."
        ),
    )
    # Resolved from `unit` by the service, so that scope and area filters are prefix tests.
    current_commune = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    legacy_commune = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    current_path = models.CharField(max_length=40, db_index=True, editable=False, default="")
    legacy_path = models.CharField(max_length=40, db_index=True, editable=False, default="")
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    representative = models.CharField(_("legal representative"), max_length=120, blank=True)
    founded_on = models.DateField(_("date founded"), null=True, blank=True)
    law = models.CharField(_("registered under"), max_length=8, choices=Law.choices, blank=True)
    charter_capital = models.DecimalField(
        _("charter capital (million VND)"), max_digits=14, decimal_places=1, null=True, blank=True
    )
    supporter = models.CharField(_("founding supporter"), max_length=8, choices=Supporter.choices, blank=True)
    union_member = models.BooleanField(_("member of the provincial cooperative union"), default=False)
    # Current legal status, derived from the latest StatusChange by the service.
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True, editable=False)
    archived = models.BooleanField(_("archived"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["name_folded", "current_path", "legacy_path", "updated_at"])
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(code__isnull=False), name="organisation_code_unique"
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"]), models.Index(fields=["founded_on"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ended(self) -> bool:
        return self.status in Status.ended()


class StatusChange(models.Model):
    """A dated change of legal status, with the decision behind it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    effective_on = models.DateField(_("effective date"))
    decision_number = models.CharField(_("decision number"), max_length=80, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["organisation_id", "effective_on", "id"]
        # The status in force on a day: the latest change of an organisation up to that day.
        indexes = [
            models.Index(fields=["organisation", "effective_on", "id"], name="statuschange_org_day_idx")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.get_status_display()} ({self.effective_on})"


class UnionMembership(models.Model):
    """A cooperative's official membership of a union of cooperatives (LHHTX)."""

    union = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="unions")
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("union membership")
        verbose_name_plural = _("union memberships")
        constraints = [models.UniqueConstraint(fields=["union", "member"], name="union_member_unique")]

    def __str__(self) -> str:
        return f"{self.member} ∈ {self.union}"
