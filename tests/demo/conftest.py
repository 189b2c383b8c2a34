"""The demo province, loaded once for every test of this package and rolled back after the last one.

Loading it costs about a minute on SQLite; the tests that need it live here so that it is loaded once
per run, not once per module. Each test runs in its own savepoint (the `db` fixture), so what a test
changes is undone before the next one.

Every test here takes `db` (or `demo, db`): pytest-django runs database tests before the transactional
ones (the browser journeys), which flush every table when they end, the migrations' reference data
included; a test without `db` would run after them and load the demo into a flushed database.
"""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    """What `hoptac demo` printed, in English (the tests assert on its messages)."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        with translation.override("en"):
            call_command("demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
