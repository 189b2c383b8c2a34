"""Fixtures for support: topics (loaded by the migration), support records, loans and repayments written
through the services, and the proposed indicator definitions.

Places: Xã Than Uyên (current 03595, the officer `people.commune`'s) and Xã Tân Uyên (current 03598,
`people.other_commune`'s), in the current Lai Châu province (`people.province`'s); organisations
founded before the reform sit in legacy communes (Thị trấn Than Uyên 03595 in the former Than Uyên
district 110).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

D = Decimal
TEN, SIX, ZERO, HUNDRED_TWENTY = Decimal("10"), Decimal("6"), Decimal("0"), Decimal("120")


@pytest.fixture
def topics(db):
    from hoptac.support.models import SupportTopic

    return {t.code: t for t in SupportTopic.objects.all()}


@pytest.fixture
def sectors(db):
    from hoptac.registry.models import Sector

    return {s.code: s for s in Sector.objects.all()}


@pytest.fixture
def record(people, topics):
    """record(org, topic_code, day, amount=…, in_kind=…, value=…, **fields) through the service, as the admin."""
    from hoptac.support.services import support_record_create

    def make(
        org,
        topic="training",
        day=datetime.date(2024, 5, 10),
        amount=TEN,
        *,
        in_kind="",
        value=None,
        actor=None,
        **fields,
    ):
        if in_kind:
            fields.update(form="in_kind", in_kind_description=in_kind, estimated_value=value, amount=None)
        else:
            fields.update(form="money", amount=amount)
        return support_record_create(
            actor=actor or people.admin, organisation=org, topic=topics[topic], given_on=day, **fields
        )

    return make


@pytest.fixture
def loan(people):
    """loan(org, amount, disbursed_on, term_months=24, schedule="quarterly", rate=6) through the service."""
    from hoptac.support.services import loan_create

    def make(
        org,
        amount=HUNDRED_TWENTY,
        disbursed_on=datetime.date(2023, 1, 15),
        *,
        term_months=24,
        schedule="quarterly",
        rate=SIX,
        actor=None,
        **fields,
    ):
        fields.setdefault("purpose", "Mua máy sấy chè")
        return loan_create(
            actor=actor or people.admin,
            organisation=org,
            amount=amount,
            disbursed_on=disbursed_on,
            term_months=term_months,
            interest_rate=rate,
            schedule=schedule,
            **fields,
        )

    return make


@pytest.fixture
def repay(people):
    from hoptac.support.services import repayment_record

    def make(loan, day, principal=ZERO, interest=ZERO, *, actor=None):
        return repayment_record(
            loan=loan, actor=actor or people.admin, paid_on=day, principal=principal, interest=interest
        )

    return make


@pytest.fixture
def definitions(db):
    from .definitions import ensure_definitions

    return {d.code: d for d in ensure_definitions()}
