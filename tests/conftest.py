"""Shared fixtures: all of Vietnam's units loaded once per session, and one named user per role and area.

Areas used throughout the suite (official codes):
- Lai Châu province, current `c12/`; legacy province 12 with the former Than Uyên district (110);
- Xã Than Uyên (current commune 03595), which the legacy Thị trấn Than Uyên (03595) became;
- Xã Tân Uyên (current commune 03598) in Lai Châu, "another commune" for scope tests;
- Điện Biên (current province 11), "another province".
"""

from __future__ import annotations

import datetime
import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # playwright's sync API runs an event loop


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """PBKDF2 costs ~0.4 s a user; the suite creates hundreds."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Vietnamese), as a new process or request would.

    LocaleMiddleware activates a request's language in the thread and leaves it active after the
    response; without this, a test's English request would change the language of the next test.
    """
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def english(_default_language):
    """The test reads messages in English (`pytestmark = pytest.mark.usefixtures("english")`); Vietnamese
    is the default language, and tests/test_translations.py checks that every message has its text."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="session", autouse=True)
def _private_media_root(tmp_path_factory):
    """Uploaded and generated files of the whole run go to a temporary folder, never to var/media."""
    from django.test.utils import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from hoptac.units.services import units_load

    with django_db_blocker.unblock():
        units_load()


@pytest.fixture
def units(db):
    """Named units: units.lai_chau, units.than_uyen_district (legacy), units.xa_than_uyen …"""
    from hoptac.units.models import Unit

    def get(era, level, code):
        return Unit.objects.get(era=era, level=level, code=code)

    class U:
        lai_chau = get("current", "province", "12")
        dien_bien = get("current", "province", "11")
        legacy_lai_chau = get("legacy", "province", "12")
        than_uyen_district = get("legacy", "district", "110")
        tam_duong_district = get("legacy", "district", "107")
        tt_than_uyen = get("legacy", "commune", "03595")  # Thị trấn Than Uyên, legacy
        xa_than_uyen = get("current", "commune", "03595")
        xa_tan_uyen = get("current", "commune", "03598")
        xa_dien_bien_commune = Unit.objects.filter(era="current", level="commune", parent__code="11").first()

    return U


@pytest.fixture
def people(db, units):
    """One user per role and area; every password is `pw`."""
    from hoptac.accounts.models import Role, User
    from hoptac.programme.models import Agency

    agency = Agency.objects.create(
        code="so-tai-chinh", name="Sở Tài chính tỉnh Lai Châu", unit=units.lai_chau
    )

    def make(username, role, **kw):
        user = User.objects.create_user(username=username, password="pw", role=role, **kw)
        user.full_clean(exclude=["password"])
        return user

    class P:
        admin = make("admin", Role.ADMIN, is_staff=True, is_superuser=True)
        province = make("province", Role.PROVINCE, unit=units.lai_chau)
        other_province = make("dienbien", Role.PROVINCE, unit=units.dien_bien)
        commune = make("thanuyen", Role.COMMUNE, unit=units.xa_than_uyen)
        other_commune = make("tanuyen", Role.COMMUNE, unit=units.xa_tan_uyen)
        district_viewer = make("viewer", Role.VIEWER, unit=units.than_uyen_district)
        agency_officer = make("agency", Role.AGENCY, agency=agency)

    P.agency = agency
    return P


@pytest.fixture
def make_org(db, people, units):
    """Create an organisation through the service: make_org(name, unit=…, **fields)."""
    from hoptac.registry.models import Sector
    from hoptac.registry.services import organisation_create

    agriculture = Sector.objects.get(code="nong-nghiep")

    def make(name="HTX Nông nghiệp Mường Cang", *, unit=None, actor=None, **fields):
        fields.setdefault("kind", "htx")
        fields.setdefault("sector", agriculture)
        fields.setdefault("founded_on", datetime.date(2018, 3, 1))
        return organisation_create(
            actor=actor or people.admin, name=name, unit=unit or units.xa_than_uyen, **fields
        )

    return make
