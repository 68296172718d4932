# Chain the rows written before the hash chain existed, and replace raw patient ids with their
# keyed HMAC (careloop.audit.keys); a fresh database has none. Runs before the append-only trigger.

import uuid

from django.conf import settings
from django.db import migrations

BATCH = 1000


def _pseudonymise(key, value):
    from careloop.audit.chain import pseudonym

    try:
        return pseudonym(key, uuid.UUID(str(value)))
    except ValueError:
        return value


def chain_existing_rows(apps, schema_editor):
    from pathlib import Path

    from careloop.audit import chain, keyfiles, records

    AuditEvent = apps.get_model('audit', 'AuditEvent')
    AuditChainHead = apps.get_model('audit', 'AuditChainHead')
    if not AuditEvent.objects.exists():
        return
    key = keyfiles.load_pseudonym_key(Path(settings.AUDIT_PSEUDONYM_KEY_FILE))
    heads = {}
    pending = []
    for event in AuditEvent.objects.order_by('id').iterator(chunk_size=BATCH):
        if event.patient_id is not None:
            event.patient_ref = chain.pseudonym(key, event.patient_id)
        if event.object_type == 'Patient' and event.object_id:
            event.object_id = _pseudonymise(key, event.object_id)
        record = records.new_record(
            occurred_at=event.occurred_at,
            service_id=event.service_id,
            actor_id=event.actor_id,
            actor_role=event.actor_role,
            action=event.action,
            purpose=event.purpose,
            patient_ref=event.patient_ref,
            object_type=event.object_type,
            object_id=event.object_id,
            source_ip=event.source_ip,
            detail=event.detail or {},
        )
        head = heads.get(record.chain) or chain.ChainHead(record.chain)
        (linked,), heads[record.chain] = chain.link(head, [record])
        for name, value in records.row_fields(linked).items():
            setattr(event, name, value)
        pending.append(event)
        if len(pending) >= BATCH:
            AuditEvent.objects.bulk_update(pending, ['seq', 'patient_ref', 'object_id', 'source_ip', 'detail', 'prev_hash', 'record_hash'])
            pending = []
    AuditEvent.objects.bulk_update(pending, ['seq', 'patient_ref', 'object_id', 'source_ip', 'detail', 'prev_hash', 'record_hash'])
    for head in heads.values():
        service_id = None if head.chain == chain.SYSTEM_CHAIN else uuid.UUID(head.chain)
        AuditChainHead.objects.update_or_create(
            chain=head.chain,
            defaults={'service_id': service_id, 'seq': head.seq, 'last_hash': head.last_hash},
        )


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_chain_columns_heads_checkpoints'),
    ]

    operations = [
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
    ]
