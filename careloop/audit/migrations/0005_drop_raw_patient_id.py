# The audit keeps only the keyed HMAC of a patient's id (erasure leaves no raw id behind).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_chain_existing_rows'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='auditevent',
            name='audit_audit_service_792bbc_idx',
        ),
        migrations.RemoveField(
            model_name='auditevent',
            name='patient_id',
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='seq',
            field=models.BigIntegerField(help_text='Position in the chain of this service, from 1'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['service_id', 'patient_ref', 'occurred_at'], name='audit_audit_service_73a2fd_idx'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(condition=models.Q(('service_id__isnull', False)), fields=('service_id', 'seq'), name='audit_event_one_seq_per_service'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(condition=models.Q(('service_id__isnull', True)), fields=('seq',), name='audit_event_one_seq_system'),
        ),
    ]
