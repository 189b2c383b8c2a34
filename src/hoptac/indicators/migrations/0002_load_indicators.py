from django.db import migrations


def load(apps, schema_editor):
    from hoptac.indicators.services import indicators_load

    # The historical model has no clean(): the fixture is checked by the tests and `hoptac loadindicators`.
    indicators_load(apps.get_model("indicators", "Indicator"), validate=False)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
