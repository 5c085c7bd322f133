from django.db import migrations


def seed(apps, schema_editor):
    from gridgov.events.defaults import seed_defaults

    seed_defaults(apps.get_model("events", "EventKind"), apps.get_model("events", "Category"))


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
