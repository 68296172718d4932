# An alert's evidence can quote the patient's words (crisis-text spans) or a clinician's reason,
# and its outcome note is a clinical note: both are encrypted at rest from here on.

import careloop.core.fields
from django.db import migrations

encrypt_alerts, decrypt_alerts = careloop.core.fields.encrypt_existing_rows(
    "safety", "Alert", "evidence", "outcome_note"
)


class Migration(migrations.Migration):

    dependencies = [
        ('safety', '0002_escalation_and_delivery'),
    ]

    operations = [
        migrations.AlterField(
            model_name='alert',
            name='evidence',
            field=careloop.core.fields.EncryptedJSONField(default=dict),
        ),
        migrations.AlterField(
            model_name='alert',
            name='outcome_note',
            field=careloop.core.fields.EncryptedTextField(blank=True),
        ),
        migrations.RunPython(encrypt_alerts, decrypt_alerts, elidable=False),
    ]
