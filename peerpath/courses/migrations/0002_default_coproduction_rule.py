"""The default co-production rule: lived-experience contributors took part in the
design workshop and the review stages, and held at least 40% of design-workshop hours."""

from decimal import Decimal

from django.db import migrations


def create_rule(apps, schema_editor):
    CoproductionRule = apps.get_model("courses", "CoproductionRule")
    if not CoproductionRule.objects.exists():
        CoproductionRule.objects.create(
            lived_experience_stages=["design_workshop", "review"],
            design_stages=["design_workshop"],
            minimum_lived_design_share=Decimal("0.40"),
        )


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [migrations.RunPython(create_rule, migrations.RunPython.noop)]
