"""Fixtures of the action programme: plans loaded through `hoptac loadplan`, agency accounts, reports
filed through the service, files to attach, and a private MEDIA_ROOT.

Lai Châu's agencies have codes without prefix (`so-tai-chinh`, the `people` fixture's agency); the
`people.agency_officer` account is therefore an officer of Sở Tài chính tỉnh Lai Châu.
"""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

KTT = "lai-chau-ktt-2021-2030"
HND = "lai-chau-hnd-2024-2030"
SON_LA = "son-la-nq134"
KON_TUM = "kon-tum-2019"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def load(db):
    """load(*slugs): `hoptac loadplan` for these plans; returns the Plan objects by slug."""
    from hoptac.indicators.models import Plan

    def run(*slugs):
        call_command("loadplan", *slugs, stdout=io.StringIO())
        return {p.slug: p for p in Plan.objects.filter(slug__in=slugs)}

    return run


@pytest.fixture
def ktt(load, people):
    """Seed 000's plan with its tasks and budget (after `people`, whose Sở Tài chính it updates)."""
    return load(KTT)[KTT]


@pytest.fixture
def agency_user(db):
    """agency_user(code, username=None): an active agency officer with an e-mail address."""
    from hoptac.accounts.models import Role, User
    from hoptac.programme.models import Agency

    def make(code, username=None, email=True):
        username = username or f"u.{code}"
        return User.objects.create_user(
            username=username,
            password="pw",
            role=Role.AGENCY,
            agency=Agency.objects.get(code=code),
            email=f"{username}@hoptac.example" if email else "",
        )

    return make


@pytest.fixture
def task_of():
    """task_of(plan_slug, "II.4") → the Task."""
    from hoptac.programme.models import Task

    def get(slug, ref):
        group, number = ref.split(".")
        return Task.objects.select_related("group", "lead", "plan").get(
            plan__slug=slug, group__number=group, number=number
        )

    return get


@pytest.fixture
def file_report():
    """file_report(task, year, user, status="in_progress", progress=50, on=date, **kw): through the service."""
    from hoptac.programme.services import task_report_save

    def make(
        task, year, user, *, status="in_progress", progress=50, on=None, narrative="Đã triển khai.", **kw
    ):
        when = None
        if on is not None:
            when = timezone.make_aware(datetime.datetime.combine(on, datetime.time(10)))
        return task_report_save(
            task=task,
            year=year,
            actor=user,
            status=status,
            progress=progress,
            narrative=narrative,
            submitted_at=when,
            **kw,
        )

    return make


PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def files():
    """Files to attach: pdf(), docx(), fake_pdf() (a zip named .pdf), exe(), big(mb)."""

    class Files:
        @staticmethod
        def pdf(name="Bao-cao.pdf"):
            return SimpleUploadedFile(name, PDF_BYTES, "application/pdf")

        @staticmethod
        def docx(name="Bao-cao.docx"):
            return SimpleUploadedFile(name, docx_bytes(), "application/octet-stream")

        @staticmethod
        def fake_pdf(name="Bao-cao.pdf"):
            return SimpleUploadedFile(name, docx_bytes(), "application/pdf")

        @staticmethod
        def exe(name="setup.exe"):
            return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 60, "application/octet-stream")

        @staticmethod
        def big(mb, name="Phu-luc.pdf"):
            return SimpleUploadedFile(name, PDF_BYTES + b"0" * int(mb * 1024 * 1024), "application/pdf")

    return Files
