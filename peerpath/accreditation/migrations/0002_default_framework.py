"""Load the default framework (the programme's carer peer trainer competences) and its two schemes."""

from django.db import migrations

from peerpath.accreditation import frameworks


def load_default(apps, schema_editor):
    frameworks.load(frameworks.read(), lambda name: apps.get_model("accreditation", name))


class Migration(migrations.Migration):
    dependencies = [("accreditation", "0001_initial")]

    operations = [migrations.RunPython(load_default, migrations.RunPython.noop)]
