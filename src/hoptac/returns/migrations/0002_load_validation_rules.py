"""Load the shipped validation rules (fixtures/validation_rules.json), created or updated by code.

A later change to the shipped rules comes with its own migration calling the same function; rules a
province added under other codes are never touched.
"""

from django.db import migrations


def load(apps, schema_editor):
    from hoptac.returns.validation import rules_load

    rules_load(apps.get_model("returns", "ValidationRule"))


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
