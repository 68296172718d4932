"""The registry's built-in global versions (careloop/ai/builtin.py): the crisis-text detector
and stepped-care rules 1.0.0, both active. Idempotent; not audited (reference data written
with the schema; every later activation, switch and new version is audited)."""

from django.db import migrations
from django.utils import timezone


def add_builtins(apps, schema_editor):
    from careloop.ai.builtin import builtin_rows
    from careloop.core.ids import uuid7

    ModelVersion = apps.get_model("ai", "ModelVersion")
    now = timezone.now()
    for row in builtin_rows():
        if ModelVersion.objects.filter(
            service__isnull=True, kind=row["kind"], version=row["version"]
        ).exists():
            continue
        ModelVersion.objects.create(
            id=uuid7(),
            service=None,
            status="active",
            activated_at=now,
            created_at=now,
            limitations=row.get("limitations", []),
            metrics=row.get("metrics", {}),
            **{
                key: row[key]
                for key in (
                    "kind", "version", "intended_use", "training_data", "provenance",
                    "method", "parameters", "gate",
                )
            },
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("ai", "0001_registry_predictions_suggestions")]
    operations = [migrations.RunPython(add_builtins, migrations.RunPython.noop)]
