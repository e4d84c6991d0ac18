"""The five South West London boroughs served by the first Recovery College.

More areas are added by administrators; these are reference data every
installation starts with (REFERENCE.md §1.3).
"""

from django.db import migrations

BOROUGHS = [
    ("E09000021", "Kingston upon Thames"),
    ("E09000024", "Merton"),
    ("E09000027", "Richmond upon Thames"),
    ("E09000029", "Sutton"),
    ("E09000032", "Wandsworth"),
]


def add_boroughs(apps, schema_editor):  # type: ignore[no-untyped-def]
    Area = apps.get_model("people", "Area")
    for code, name in BOROUGHS:
        Area.objects.get_or_create(code=code, defaults={"name": name})


def remove_boroughs(apps, schema_editor):  # type: ignore[no-untyped-def]
    Area = apps.get_model("people", "Area")
    Area.objects.filter(
        code__in=[code for code, _ in BOROUGHS], residents__isnull=True, organisations__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(add_boroughs, remove_boroughs)]
