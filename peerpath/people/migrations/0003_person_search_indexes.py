"""Indexes for the people search (case-insensitive name prefix, exact email), per database.

Django's istartswith is ``col LIKE 'smi%'`` on SQLite (case-insensitive for ASCII): SQLite
uses an index for it only if the column is indexed COLLATE NOCASE. On PostgreSQL it is
``UPPER(col::text) LIKE UPPER('smi%')``: an index on UPPER(col) with text_pattern_ops.
"""

from django.db import migrations

COLUMNS = ["given_name", "family_name", "preferred_name", "email"]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for column in COLUMNS:
        if vendor == "sqlite":
            schema_editor.execute(
                f'CREATE INDEX "person_{column}_search_idx" ON "people_person" ("{column}" COLLATE NOCASE)'
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                f'CREATE INDEX "person_{column}_search_idx" ON "people_person" (UPPER("{column}") text_pattern_ops)'
            )


def drop(apps, schema_editor):
    for column in COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "person_{column}_search_idx"')


class Migration(migrations.Migration):
    dependencies = [("people", "0002_seed_south_west_london_boroughs")]
    operations = [migrations.RunPython(create, drop)]
