"""Awards get a public verification code; credentials record what was signed.

Existing awards get their codes in a data step before the column becomes unique.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import peerpath.accreditation.models


def give_codes(apps, schema_editor):
    Award = apps.get_model("accreditation", "Award")
    for award in Award.objects.filter(verification_code__isnull=True).only("pk").iterator():
        Award.objects.filter(pk=award.pk).update(
            verification_code=peerpath.accreditation.models.new_verification_code()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accreditation", "0003_award_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="award",
            name="verification_code",
            field=models.CharField(max_length=19, null=True, editable=False),
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="award",
            name="verification_code",
            field=models.CharField(
                default=peerpath.accreditation.models.new_verification_code,
                editable=False,
                help_text="Public and unguessable: the certificate's verification address ends with it",
                max_length=19,
                unique=True,
            ),
        ),
        migrations.CreateModel(
            name="Credential",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status_index",
                    models.PositiveIntegerField(help_text="This credential's bit in the status lists", unique=True),
                ),
                (
                    "key_id",
                    models.CharField(help_text="The verification method (DID URL) of the signing key", max_length=300),
                ),
                ("token", models.TextField(help_text="The signed credential (VC-JWT, compact serialisation)")),
                ("issued_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "award",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="credential",
                        to="accreditation.award",
                    ),
                ),
            ],
        ),
    ]
