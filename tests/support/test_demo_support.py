"""The demo's support, loans and Farmers' Union counts: written through the services, idempotent,
with loans on schedule, repaid, overdue and written off."""

from __future__ import annotations

import datetime

import pytest

from hoptac.core.demo.support import ensure_support, plan_loan
from hoptac.registry.services import organisation_change_status
from hoptac.support.loans import position
from hoptac.support.models import Loan, SupportRecord, UnionActivity

TODAY = datetime.date(2026, 11, 1)


@pytest.fixture
def demo_orgs(make_org, sectors, people):
    """Cooperatives founded 2016–2024, some helped by the Farmers' Union; one dissolved in 2025."""
    orgs = []
    for i in range(60):
        orgs.append(
            make_org(
                f"HTX Demo {i:02d}",
                code=f"62990{i:05d}",
                founded_on=datetime.date(2016 + i % 9, 1 + i % 12, 10),
                supporter="hnd" if i % 3 == 0 else "",
                sector=sectors["nong-nghiep"] if i % 4 else sectors["thuong-mai"],
            )
        )
    return orgs


def test_the_demo_writes_support_loans_and_counts_and_a_second_run_writes_nothing(demo_orgs, people):
    first = ensure_support(actor=people.admin, orgs=demo_orgs, today=TODAY)
    assert first.records_created > 20 and first.loans_created >= 3 and first.union_counts_created == 10
    assert SupportRecord.objects.filter(topic__code="consolidation").exists()
    assert SupportRecord.objects.filter(form="in_kind").exists()
    assert all(r.given_on <= TODAY for r in SupportRecord.objects.all())
    assert UnionActivity.objects.filter(year=2025, topic__code="union-staff-trained").get().count == 88
    second = ensure_support(actor=people.admin, orgs=demo_orgs, today=TODAY)
    assert not second.changed


def test_the_demo_has_loans_in_every_state(demo_orgs, people):
    # A dissolved borrower's loan is written off at its dissolution.
    borrower = next(o for o in demo_orgs if plan_loan(o, TODAY) is not None)
    spec = plan_loan(borrower, TODAY)
    organisation_change_status(
        org=borrower,
        actor=people.admin,
        status="dissolved",
        effective_on=spec.disbursed_on + datetime.timedelta(days=200),
        decision_number="1/QĐ-UBND",
    )
    borrower.refresh_from_db()
    ensure_support(actor=people.admin, orgs=demo_orgs, today=TODAY)
    statuses = {
        position(loan, loan.repayments.all(), TODAY).status
        for loan in Loan.objects.filter(organisation__in=demo_orgs).prefetch_related("repayments")
    }
    assert {"written_off", "overdue"} <= statuses
    assert statuses & {"current", "repaid"}
    assert Loan.objects.get(organisation=borrower).written_off_on is not None
