"""core.demo.scores.ensure_scores on a small province: through the services, idempotent, near the self-class."""

from __future__ import annotations

import datetime

from hoptac.core.demo.scores import ensure_scores
from hoptac.scoring.models import Scheme, ScoreSheet

from .conftest import TT01, TT09


def test_demo_scores_the_years_with_approved_returns_once(
    agri_org, trade_org, other_org, make_org, approve, people, rep
):
    for org, klass in ((agri_org, "tot"), (trade_org, "kha"), (other_org, "yeu")):
        for year in (2023, 2024):
            approve(org, year=year, self_classification=klass)
    newcomer = make_org("HTX Mới 2024", code="6205000001", founded_on=datetime.date(2024, 6, 1))
    approve(newcomer, year=2024)
    approve(make_org("Tổ hợp tác Rau", kind="tht"), year=2024)

    report = ensure_scores()
    assert (report.schemes_versioned, report.sheets_created, report.confirmed, report.not_rated) == (
        2,
        6,
        6,
        1,
    )
    for code in (TT09, TT01):
        active = Scheme.objects.get(code=code, active=True)
        assert (
            active.version == 2
            and "(demo)" in active.name_vi
            and active.sheets.count() == (4 if code == TT09 else 2)
        )
    sheets = {
        (s.organisation_id, s.year): s
        for s in ScoreSheet.objects.select_related("confirmed_by", "submitted_by")
    }
    assert set(sheets) == {(o.pk, y) for o in (agri_org, trade_org, other_org) for y in (2023, 2024)}
    assert all(s.status == "confirmed" and s.complete for s in sheets.values())
    # Entered by the representative where there is one, else the commune's officer; confirmed by the officer.
    assert (
        sheets[(agri_org.pk, 2024)].submitted_by == rep
        and sheets[(agri_org.pk, 2024)].confirmed_by == people.commune
    )
    assert sheets[(other_org.pk, 2024)].submitted_by == people.other_commune
    # Totals land near the class each gave itself (a fine may force yếu).
    assert sheets[(agri_org.pk, 2024)].klass in ("tot", "kha")
    assert sheets[(other_org.pk, 2024)].klass in ("yeu", "trung_binh")
    assert all(
        line.evidence for s in sheets.values() for line in s.lines.filter(computed=False, points__gt=0)
    )

    again = ensure_scores()
    assert (again.schemes_versioned, again.sheets_created) == (0, 0)
    assert ScoreSheet.objects.count() == 6
