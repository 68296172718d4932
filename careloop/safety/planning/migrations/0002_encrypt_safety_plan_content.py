# A safety plan is written in the patient's own words: its versions are encrypted at rest.

import careloop.core.fields
from django.db import migrations

encrypt_plans, decrypt_plans = careloop.core.fields.encrypt_existing_rows(
    "safety_planning", "SafetyPlanVersion", "content"
)


class Migration(migrations.Migration):

    dependencies = [
        ('safety_planning', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='safetyplanversion',
            name='content',
            field=careloop.core.fields.EncryptedJSONField(
                help_text="{'schema': 1, 'sections': {key: [{text, phone?}]}}"
            ),
        ),
        migrations.RunPython(encrypt_plans, decrypt_plans, elidable=False),
    ]
