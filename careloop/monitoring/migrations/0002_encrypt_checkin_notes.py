# Check-in notes are the patient's own words: encrypted at rest from here on (docs/privacy/hardening.md).

import careloop.core.fields
from django.db import migrations

encrypt_notes, decrypt_notes = careloop.core.fields.encrypt_existing_rows(
    "monitoring", "CheckIn", "note"
)


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0001_measurement_plans'),
    ]

    operations = [
        migrations.AlterField(
            model_name='checkin',
            name='note',
            field=careloop.core.fields.EncryptedTextField(blank=True, max_length=500),
        ),
        migrations.RunPython(encrypt_notes, decrypt_notes, elidable=False),
    ]
