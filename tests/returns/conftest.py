"""Fixtures for yearly returns: an organisation under Xã Than Uyên with its representative, one under
Xã Tân Uyên (another commune), and `make_return` that walks a return to a state through the services."""

from __future__ import annotations

import pytest

YEAR = 2024


@pytest.fixture(autouse=True)
def english():
    """These tests read the services' and pages' messages in English (Vietnamese is the default language;
    tests/test_translations.py checks that every message has its Vietnamese text)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    from django.test import Client

    return Client(headers={"accept-language": "en"})


@pytest.fixture
def org(make_org):
    return make_org("HTX Chè Than Uyên", code="6201000001", law="2023")


@pytest.fixture
def other_org(make_org, units):
    return make_org("HTX Lúa Tân Uyên", unit=units.xa_tan_uyen, code="6201000002", law="2023")


@pytest.fixture
def rep(db, org):
    """The representative of `org` (a cooperative user)."""
    from hoptac.accounts.models import Role, User

    user = User.objects.create_user(
        username="giamdoc",
        password="pw",
        role=Role.COOPERATIVE,
        organisation=org,
        first_name="Lò Văn",
        last_name="A",
    )
    user.full_clean(exclude=["password"])
    return user


GOOD = {
    "members_individual": 9,
    "workers": 6,
    "workers_members": 4,
    "income_worker": 48,
    "revenue": 1200,
    "profit": 80,
}


@pytest.fixture
def make_return(people):
    """make_return(org, status="draft", year=YEAR, **figures): a return brought to `status` by the admin."""
    from hoptac.returns import services

    def make(org, status="draft", *, year=YEAR, actor=None, **figures):
        actor = actor or people.admin
        ret, _created = services.return_create_or_get(organisation=org, year=year, actor=actor)
        ret, _warnings = services.return_save(
            ret=ret, actor=actor, data=figures or dict(GOOD), expected_version=ret.version
        )
        if status in ("submitted", "approved", "returned"):
            ret = services.return_submit(ret=ret, actor=actor)
        if status == "approved":
            ret = services.return_approve(ret=ret, actor=actor)
        if status == "returned":
            ret = services.return_send_back(ret=ret, actor=actor, reason="Thiếu số liệu lao động")
        return ret

    return make
