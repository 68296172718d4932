# Hash chain (issue #5): seq and patient_ref columns, chain heads and signed checkpoints.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_free_action_codes'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='seq',
            field=models.BigIntegerField(null=True, help_text='Position in the chain of this service, from 1'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='patient_ref',
            field=models.CharField(blank=True, default='', max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='record_hash',
            field=models.CharField(max_length=64),
        ),
        migrations.CreateModel(
            name='AuditChainHead',
            fields=[
                ('chain', models.CharField(help_text='service id or "system"', max_length=36, primary_key=True, serialize=False)),
                ('service_id', models.UUIDField(null=True)),
                ('seq', models.BigIntegerField(default=0)),
                ('last_hash', models.CharField(max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('chain', models.CharField(max_length=36)),
                ('service_id', models.UUIDField(null=True)),
                ('seq', models.BigIntegerField(help_text='The last record covered')),
                ('last_hash', models.CharField(max_length=64)),
                ('record_count', models.BigIntegerField()),
                ('signed_at', models.DateTimeField()),
                ('key_fingerprint', models.CharField(max_length=64)),
                ('signature', models.CharField(max_length=128)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('chain', 'seq'), name='audit_checkpoint_once_per_seq')],
            },
        ),
    ]
