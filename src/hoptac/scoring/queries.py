"""Reads of score sheets that span tables: the classification round of a year, an organisation's classes.

Every read starts from the user's scope (hoptac.accounts.access); the round costs a fixed number of
queries whatever the number of organisations.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from hoptac.accounts import access as account_access
from hoptac.accounts.models import User
from hoptac.core.text import fold
from hoptac.registry.models import Kind, Organisation, StatusChange
from hoptac.returns.fields import Classification
from hoptac.returns.models import AnnualReturn
from hoptac.units.models import Unit

from . import access
from .models import ScoreLine, ScoreSheet
from .rules import exclusion_reason
from .schemes import SchemeChooser

MISSING = "missing"
ROUND_STATUS_LABELS = {
    MISSING: _("Not scored"),
    ScoreSheet.Status.DRAFT.value: _("Draft"),
    ScoreSheet.Status.SUBMITTED.value: _("Submitted"),
    ScoreSheet.Status.RETURNED.value: _("Sent back"),
    ScoreSheet.Status.CONFIRMED.value: _("Confirmed"),
}
CLASS_LABELS = dict(Classification.choices)


def round_queryset(
    user: User,
    year: int,
    *,
    kinds: set[str],
    q: str = "",
    unit: Unit | None = None,
    status: str = "",
    klass: str = "",
) -> QuerySet[Organisation]:
    """Organisations of the user's scope that existed during `year`, of the kinds a scheme rates, each
    annotated with its sheet's `sheet_pk`, `sheet_status` ("missing" without one), `sheet_class` and
    `sheet_total`. Archived organisations are left out."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    sheets = ScoreSheet.objects.filter(organisation=OuterRef("pk"), year=year)
    qs = (
        account_access.visible_organisations(user)
        .not_archived()
        .filter(kind__in=sorted(kinds))
        .filter(Q(founded_on__lte=last) | Q(founded_on__isnull=True))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=first))
        .annotate(
            sheet_pk=Subquery(sheets.values("pk")[:1]),
            sheet_status=Coalesce(
                Subquery(sheets.values("status")[:1]), Value(MISSING), output_field=CharField()
            ),
            sheet_class=Coalesce(Subquery(sheets.values("klass")[:1]), Value(""), output_field=CharField()),
            sheet_total=Subquery(
                sheets.values("total")[:1], output_field=DecimalField(max_digits=6, decimal_places=2)
            ),
        )
    )
    if unit is not None:
        qs = qs.filter(account_access.unit_scope_q(unit))
    if q.strip():
        qs = qs.filter(Q(name_folded__contains=fold(q)) | Q(code__icontains=q.strip()))
    if status:
        qs = qs.filter(sheet_status=status)
    if klass:
        qs = qs.filter(sheet_class=klass, sheet_status=ScoreSheet.Status.CONFIRMED)
    return qs.select_related("unit", "current_commune", "sector", "subsector").order_by("name_folded", "pk")


@dataclass(frozen=True)
class RoundCounts:
    by_status: dict[str, int]
    by_class: dict[str, int]  # confirmed sheets only

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def confirmed(self) -> int:
        return self.by_status.get(ScoreSheet.Status.CONFIRMED, 0)

    def status_items(self) -> list[tuple[str, Any, int]]:
        return [(key, label, self.by_status.get(key, 0)) for key, label in ROUND_STATUS_LABELS.items()]

    def class_items(self) -> list[tuple[str, Any, int, int]]:
        """(class, label, count, percent of the confirmed)."""
        return [
            (key, label, n, round(100 * n / self.confirmed) if self.confirmed else 0)
            for key, label in CLASS_LABELS.items()
            for n in [self.by_class.get(key, 0)]
        ]

    @property
    def effective_percent(self) -> int:
        good = self.by_class.get(Classification.GOOD, 0) + self.by_class.get(Classification.FAIR, 0)
        return round(100 * good / self.confirmed) if self.confirmed else 0


def round_counts(qs: QuerySet[Organisation]) -> RoundCounts:
    """Organisations of the round by sheet status, and confirmed sheets by class: one query."""
    confirmed = Q(sheet_status=ScoreSheet.Status.CONFIRMED)
    aggregates = qs.order_by().aggregate(
        **{f"s_{key}": Count("pk", filter=Q(sheet_status=key)) for key in ROUND_STATUS_LABELS},
        **{f"c_{key}": Count("pk", filter=confirmed & Q(sheet_class=key)) for key in CLASS_LABELS},
    )
    return RoundCounts(
        by_status={key: aggregates[f"s_{key}"] for key in ROUND_STATUS_LABELS},
        by_class={key: aggregates[f"c_{key}"] for key in CLASS_LABELS},
    )


@dataclass
class RoundRow:
    organisation: Organisation
    status: str
    klass: str
    total: Decimal | None
    scheme: Any = None
    not_rated: str = ""
    has_approved_return: bool = False

    @property
    def status_label(self) -> Any:
        return ROUND_STATUS_LABELS.get(self.status, self.status)

    @property
    def class_label(self) -> Any:
        return CLASS_LABELS.get(self.klass, "")


def round_rows(orgs: list[Organisation], year: int, chooser: SchemeChooser) -> list[RoundRow]:
    """The page's rows: each organisation's scheme, whether it is rated, whether its return is approved
    (two queries for the page, whatever its length)."""
    ids = [o.pk for o in orgs]
    changes: dict[int, list[StatusChange]] = defaultdict(list)
    for change in StatusChange.objects.filter(
        organisation_id__in=ids, effective_on__lte=datetime.date(year, 12, 31)
    ):
        changes[change.organisation_id].append(change)
    approved = set(
        AnnualReturn.objects.filter(
            organisation_id__in=ids, year=year, status=AnnualReturn.Status.APPROVED
        ).values_list("organisation_id", flat=True)
    )
    rows = []
    for org in orgs:
        scheme = chooser.scheme_for(org)
        reason = ""
        if scheme is not None and org.sheet_status == MISSING:
            reason = exclusion_reason(org, year, list(scheme.rules.all()), changes.get(org.pk, [])) or ""
        rows.append(
            RoundRow(
                organisation=org,
                status=org.sheet_status,
                klass=org.sheet_class,
                total=org.sheet_total,
                scheme=scheme,
                not_rated=reason,
                has_approved_return=org.pk in approved,
            )
        )
    return rows


# -- an organisation's page ------------------------------------------------------------------------------------


@dataclass
class OrganisationScoreRow:
    sheet: ScoreSheet
    parts: list[tuple[str, Decimal | None, Decimal | None]] = field(
        default_factory=list
    )  # (number, points, max)

    @property
    def class_label(self) -> Any:
        return CLASS_LABELS.get(self.sheet.klass, "")

    @property
    def status_label(self) -> Any:
        return ROUND_STATUS_LABELS.get(self.sheet.status, self.sheet.status)


@dataclass
class OrganisationScores:
    organisation: Organisation
    rows: list[OrganisationScoreRow]
    can_enter: bool = False


def scores_for_organisation(user: User, org: Organisation) -> OrganisationScores | None:
    """The classes of `org` by year with the points of each top-level criterion behind them, for its page
    (include "scoring/_organisation_scores.html" with `org_scores=` this); None for a cooperative group
    never classified (no scheme rates groups). The caller has already checked that `user` may see `org`.
    Four queries."""
    sheets = list(
        ScoreSheet.objects.filter(organisation=org)
        .select_related("scheme")
        .prefetch_related("scheme__criteria")
    )
    lines: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    if sheets:
        for line in ScoreLine.objects.filter(sheet__in=sheets).values("sheet_id", "criterion_id", "points"):
            lines[line["sheet_id"]][line["criterion_id"]] = line["points"]
    if not sheets and org.kind == Kind.THT:
        return None
    rows = []
    for sheet in sheets:
        children: dict[int | None, list] = defaultdict(list)
        for c in sheet.scheme.criteria.all():
            children[c.parent_id].append(c)
        tops = sorted(children[None], key=lambda c: (c.order, c.pk))
        parts = [(c.number, _points_of(c, children, lines[sheet.pk]), _max_of(c, children)) for c in tops]
        rows.append(OrganisationScoreRow(sheet=sheet, parts=parts))
    return OrganisationScores(organisation=org, rows=rows, can_enter=access.can_enter(user, org))


def _points_of(c, children, sheet_lines) -> Decimal | None:
    if c.rule != c.Rule.SUM:
        return sheet_lines.get(c.pk)
    parts = [_points_of(k, children, sheet_lines) for k in children[c.pk]]
    known = [p for p in parts if p is not None]
    return sum(known, Decimal(0)) if known else None


def _max_of(c, children) -> Decimal | None:
    if c.max_points is not None or c.rule != c.Rule.SUM:
        return c.max_points
    parts = [_max_of(k, children) for k in children[c.pk]]
    return None if not parts or None in parts else sum(parts, Decimal(0))
