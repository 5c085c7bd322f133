from django.db import migrations


def seed(apps, schema_editor):
    from gridgov.petitions.defaults import seed_matters

    seed_matters(apps.get_model("events", "EventKind"), apps.get_model("events", "Category"))


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial"), ("events", "0002_default_categories")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
