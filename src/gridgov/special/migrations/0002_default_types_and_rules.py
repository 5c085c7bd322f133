from django.db import migrations


def seed(apps, schema_editor):
    from gridgov.special.defaults import seed_defaults

    seed_defaults(apps.get_model("special", "SpecialType"), apps.get_model("special", "VisitRule"))


class Migration(migrations.Migration):
    dependencies = [("special", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
