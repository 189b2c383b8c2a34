"""`hoptac loadsupporttopics`: create or update the support topics from the app's fixture."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hoptac.support.services import topics_load


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Create or update the kinds of support (topics) from src/hoptac/support/fixtures/topics.json."
        )

    def handle(self, *args, **options):
        n = topics_load()
        self.stdout.write(_("%(n)d topics loaded.") % {"n": n})
