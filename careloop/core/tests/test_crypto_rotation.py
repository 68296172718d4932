"""Key rotation with values present, and the migrations' encryption of existing rows."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from careloop.core import clock, crypto, key_rotation
from careloop.core.crypto import Keyring, UnknownKeyError, write_keyring
from careloop.core.fields import encrypt_existing_rows

NOTES = [f"note number {i}: hard week" for i in range(7)]


@pytest.fixture
def keyring_file(tmp_path, settings):
    path = tmp_path / "keys.json"
    write_keyring(path, Keyring.generate())
    settings.FIELD_ENCRYPTION_KEYS_FILE = path
    return path


@pytest.fixture
def checkins(keyring_file, ada_patient):
    from careloop.assessments.types import SubmissionSource
    from careloop.monitoring.models import CheckIn

    return [
        CheckIn.objects.create(
            service=ada_patient.service,
            patient=ada_patient,
            mood=5,
            note=note,
            completed_at=clock.now(),
            recorded_at=clock.now(),
            source=SubmissionSource.WEB,
            client_id=uuid.uuid4(),
        )
        for note in [*NOTES, ""]
    ]


def _key_counts(label: str) -> dict[str, int]:
    return dict(next(c for c in key_rotation.usage() if c.label == label).by_key)


@pytest.mark.django_db
def test_rotate_reencrypt_retire_and_read(checkins, capsys):
    from careloop.monitoring.models import CheckIn

    old = crypto.get_keyring().active
    assert _key_counts("monitoring.CheckIn.note") == {old: len(NOTES)}

    call_command("keys", "rotate", "--batch-size", "3")
    new = crypto.get_keyring().active
    assert new != old
    assert _key_counts("monitoring.CheckIn.note") == {new: len(NOTES)}
    assert sorted(CheckIn.objects.exclude(note="").values_list("note", flat=True)) == NOTES
    output = capsys.readouterr().out
    assert "re-encrypted 7 values" in output and "hard week" not in output

    call_command("keys", "retire", old)
    assert old not in crypto.get_keyring().keys
    assert sorted(CheckIn.objects.exclude(note="").values_list("note", flat=True)) == NOTES
    assert CheckIn.objects.filter(note="").count() == 1


@pytest.mark.django_db
def test_retire_refuses_a_key_still_in_use_and_the_active_key(checkins):
    old = crypto.get_keyring().active
    call_command("keys", "rotate", "--no-reencrypt")
    with pytest.raises(CommandError, match="still seals values"):
        call_command("keys", "retire", old)
    with pytest.raises(CommandError, match="active key"):
        call_command("keys", "retire", crypto.get_keyring().active)
    # Resumable: a later reencrypt finishes the job, then retiring works.
    call_command("keys", "reencrypt")
    call_command("keys", "retire", old)


@pytest.mark.django_db
def test_new_writes_use_the_new_key_while_old_values_still_read(checkins):
    from careloop.monitoring.models import CheckIn

    _, new = key_rotation.rotate()
    checkins[0].note = "written after rotation"
    checkins[0].save(update_fields=["note"])
    counts = _key_counts("monitoring.CheckIn.note")
    assert counts[new] == 1 and sum(counts.values()) == len(NOTES)
    assert CheckIn.objects.get(pk=checkins[1].pk).note == NOTES[1]


@pytest.mark.django_db
def test_reencrypt_is_idempotent(checkins):
    key_rotation.rotate()
    assert key_rotation.reencrypt(batch_size=2) == len(NOTES)
    assert key_rotation.reencrypt(batch_size=2) == 0


@pytest.mark.django_db
def test_values_sealed_with_a_retired_key_fail_loudly(checkins):
    from careloop.monitoring.models import CheckIn

    old = crypto.get_keyring().active
    key_rotation.rotate()
    # Simulate an operator removing the key by hand before re-encrypting.
    write_keyring(keyring_file_path(), crypto.get_keyring().without(old))
    with pytest.raises(UnknownKeyError):
        list(CheckIn.objects.exclude(note=""))


def keyring_file_path():
    return crypto.keyring_path()


@pytest.mark.django_db
def test_status_lists_keys_and_counts_without_secrets(checkins, capsys):
    call_command("keys", "status")
    output = capsys.readouterr().out
    active = crypto.get_keyring().active
    assert f"key {active} (active)" in output
    assert f"monitoring.CheckIn.note: {active}: {len(NOTES)}" in output
    for key in crypto.get_keyring().to_json()["keys"].values():
        assert key not in output


@pytest.mark.django_db
def test_migration_encrypts_plaintext_rows_once_and_reverses(checkins):
    from careloop.monitoring.models import CheckIn

    table = connection.ops.quote_name(CheckIn._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET note = 'legacy plain note' WHERE note <> ''")  # noqa: S608
    forwards, backwards = encrypt_existing_rows("monitoring", "CheckIn", "note")
    editor: Any = SimpleNamespace(connection=connection)
    forwards(apps, editor)
    forwards(apps, editor)  # idempotent: sealed values are not sealed twice
    assert set(CheckIn.objects.exclude(note="").values_list("note", flat=True)) == {
        "legacy plain note"
    }
    backwards(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT note FROM {table} WHERE note <> ''")  # noqa: S608
        assert {row[0] for row in cursor.fetchall()} == {"legacy plain note"}


@pytest.mark.django_db
def test_json_columns_rotate_too(keyring_file, ada, ada_patient):
    from careloop.safety.planning.models import SafetyPlan, SafetyPlanVersion

    plan = SafetyPlan.objects.create(
        service=ada_patient.service,
        patient=ada_patient,
        current_version=1,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    content = {"schema": 1, "sections": {"reasons": [{"text": "my dog"}]}}
    version = SafetyPlanVersion.objects.create(
        service=ada_patient.service,
        plan=plan,
        number=1,
        content=content,
        author=ada,
        author_role="patient",
        created_at=clock.now(),
    )
    old = crypto.get_keyring().active
    call_command("keys", "rotate", "--retire", old)
    assert SafetyPlanVersion.objects.get(pk=version.pk).content == content
