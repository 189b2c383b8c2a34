"""Load the shipped classification schemes (fixtures/schemes.json): TT 09/2017 and TT 01/2020.

A later change to the shipped file comes with its own migration calling the same function (or an
administrator runs `hoptac loadschemes`): a version that scored sheets is never changed in place.
"""

from django.db import migrations


def load(apps, schema_editor):
    from hoptac.scoring.schemes import schemes_load

    def model(name):
        return apps.get_model("registry" if name == "Sector" else "scoring", name)

    schemes_load(model)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial"), ("registry", "0002_load_sectors")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
