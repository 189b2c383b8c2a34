from django.db import migrations


def load(apps, schema_editor):
    from hoptac.support.services import topics_load

    topics_load(apps.get_model("support", "SupportTopic"))


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
