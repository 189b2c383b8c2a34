from django.db import migrations


def load(apps, schema_editor):
    from hoptac.registry.sectors import sectors_load

    sectors_load(apps.get_model("registry", "Sector"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
