"""Encryption at rest: the keyring, the sealed format and the encrypted model fields."""

from __future__ import annotations

import base64
import json
import stat
import uuid

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from careloop.core import crypto
from careloop.core.crypto import (
    DecryptionError,
    Keyring,
    KeyringError,
    UnknownKeyError,
    ensure_keyring_file,
    write_keyring,
)
from careloop.core.fields import EncryptedJSONField, EncryptedTextField, encrypted_fields

NOTE = "Slept badly; argued with my sister about the flat."


@pytest.fixture
def keyring_file(tmp_path, settings):
    """A private keyring for the test, so rotation never touches the shared development ring."""
    path = tmp_path / "keys.json"
    write_keyring(path, Keyring.generate())
    settings.FIELD_ENCRYPTION_KEYS_FILE = path
    return path


class TestKeyring:
    def test_round_trip_and_format(self):
        ring = Keyring.generate()
        token = ring.encrypt(NOTE, context="t.c")
        version, key_id, payload = token.split(":")
        assert (version, key_id) == ("v1", ring.active)
        raw = base64.b64decode(payload)
        assert len(raw) == 12 + len(NOTE.encode()) + 16  # nonce | ciphertext | tag
        assert NOTE not in token
        assert ring.decrypt(token, context="t.c") == NOTE

    def test_same_text_twice_gives_different_ciphertexts(self):
        ring = Keyring.generate()
        assert ring.encrypt(NOTE, context="t.c") != ring.encrypt(NOTE, context="t.c")

    def test_unicode_and_long_text(self):
        ring = Keyring.generate()
        text = "Ça va — 😔 " * 2000
        assert ring.decrypt(ring.encrypt(text, context="t.c"), context="t.c") == text

    def test_tampered_ciphertext_is_refused(self):
        ring = Keyring.generate()
        token = ring.encrypt(NOTE, context="t.c")
        prefix, payload = token.rsplit(":", 1)
        raw = bytearray(base64.b64decode(payload))
        raw[20] ^= 0x01
        tampered = f"{prefix}:{base64.b64encode(bytes(raw)).decode()}"
        with pytest.raises(DecryptionError, match="failed authentication"):
            ring.decrypt(tampered, context="t.c")

    def test_value_moved_to_another_column_is_refused(self):
        ring = Keyring.generate()
        token = ring.encrypt(NOTE, context="monitoring_checkin.note")
        with pytest.raises(DecryptionError, match="another column"):
            ring.decrypt(token, context="safety_alert.outcome_note")

    def test_relabelled_key_id_is_refused(self):
        ring = Keyring.generate().with_new_active_key()
        old = next(k for k in ring.keys if k != ring.active)
        token = Keyring(active=old, keys=ring.keys).encrypt(NOTE, context="t.c")
        relabelled = token.replace(f":{old}:", f":{ring.active}:")
        with pytest.raises(DecryptionError):
            ring.decrypt(relabelled, context="t.c")

    def test_unknown_key_id_names_the_key_not_the_text(self):
        token = Keyring.generate().encrypt(NOTE, context="t.c")
        other = Keyring.generate()
        with pytest.raises(UnknownKeyError, match="not in the keyring") as caught:
            other.decrypt(token, context="t.c")
        assert NOTE not in str(caught.value)

    def test_malformed_values_are_refused(self):
        ring = Keyring.generate()
        for bad in ("plain text", "v1:k1", "v2:k1:AAAA", f"v1:{ring.active}:AAAA"):
            with pytest.raises(DecryptionError):
                ring.decrypt(bad, context="t.c")

    def test_rotation_keeps_old_values_readable(self):
        first = Keyring.generate()
        old_token = first.encrypt(NOTE, context="t.c")
        rotated = first.with_new_active_key()
        assert rotated.active != first.active and first.active in rotated.keys
        new_token = rotated.encrypt(NOTE, context="t.c")
        assert crypto.key_id_of(new_token) == rotated.active
        assert rotated.decrypt(old_token, context="t.c") == NOTE
        retired = rotated.without(first.active)
        with pytest.raises(UnknownKeyError):
            retired.decrypt(old_token, context="t.c")
        assert retired.decrypt(new_token, context="t.c") == NOTE

    def test_active_key_cannot_be_retired(self):
        ring = Keyring.generate()
        with pytest.raises(KeyringError, match="active"):
            ring.without(ring.active)

    @pytest.mark.parametrize(
        "data",
        [
            [],
            {"active": "k1"},
            {"active": "k1", "keys": {}},
            {"active": "k1", "keys": {"k1": "not base64!"}},
            {"active": "k1", "keys": {"k1": base64.b64encode(b"short").decode()}},
            {"active": "bad:id", "keys": {"bad:id": base64.b64encode(b"x" * 32).decode()}},
        ],
    )
    def test_malformed_keyrings_are_refused(self, data):
        with pytest.raises(KeyringError):
            Keyring.from_json(data)


class TestKeyringFile:
    def test_development_ring_is_created_private_and_never_overwritten(self, tmp_path):
        path = tmp_path / "var" / "keys.json"
        ensure_keyring_file(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        first = path.read_text()
        ensure_keyring_file(path)
        assert path.read_text() == first
        assert Keyring.from_file(path).active in json.loads(first)["keys"]

    def test_written_ring_is_private(self, tmp_path):
        path = tmp_path / "keys.json"
        write_keyring(path, Keyring.generate())
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    def test_missing_file_is_a_clear_error(self, tmp_path, settings):
        settings.FIELD_ENCRYPTION_KEYS_FILE = tmp_path / "absent.json"
        with pytest.raises(KeyringError, match="cannot read keyring"):
            crypto.get_keyring()

    def test_a_rewritten_file_is_picked_up_without_restart(self, keyring_file):
        before = crypto.get_keyring()
        write_keyring(keyring_file, before.with_new_active_key())
        after = crypto.get_keyring()
        assert after.active != before.active and before.active in after.keys


@pytest.mark.django_db
class TestEncryptedTextField:
    def _checkin(self, ada_patient, note):
        from careloop.assessments.types import SubmissionSource
        from careloop.core import clock
        from careloop.monitoring.models import CheckIn

        return CheckIn.objects.create(
            service=ada_patient.service,
            patient=ada_patient,
            mood=4,
            note=note,
            completed_at=clock.now(),
            recorded_at=clock.now(),
            source=SubmissionSource.WEB,
            client_id=uuid.uuid4(),
        )

    def _raw(self, model, pk, column):
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk.hex])  # noqa: S608
            row = cursor.fetchone()
            if row is None:  # PostgreSQL stores uuid natively
                cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
                row = cursor.fetchone()
        return row[0]

    def test_database_holds_ciphertext_and_python_sees_text(self, keyring_file, ada_patient):
        from careloop.monitoring.models import CheckIn

        checkin = self._checkin(ada_patient, NOTE)
        stored = self._raw(CheckIn, checkin.pk, "note")
        assert stored.startswith(f"v1:{crypto.get_keyring().active}:")
        assert NOTE not in stored
        assert CheckIn.objects.get(pk=checkin.pk).note == NOTE
        assert CheckIn.objects.values_list("note", flat=True).get(pk=checkin.pk) == NOTE

    def test_empty_note_stays_empty_and_is_filterable(self, keyring_file, ada_patient):
        from careloop.monitoring.models import CheckIn

        checkin = self._checkin(ada_patient, "")
        assert self._raw(CheckIn, checkin.pk, "note") == ""
        assert CheckIn.objects.filter(note="").count() == 1
        assert CheckIn.objects.exclude(note="").count() == 0

    def test_searching_an_encrypted_column_is_refused(self, keyring_file, ada_patient):
        from careloop.monitoring.models import CheckIn

        with pytest.raises(FieldError, match="Unsupported lookup 'icontains'"):
            CheckIn.objects.filter(note__icontains="sister")
        with pytest.raises(FieldError, match="encrypted"):
            CheckIn.objects.filter(note=NOTE).count()

    def test_unknown_key_on_read_is_a_clear_error(self, keyring_file, ada_patient, settings):
        from careloop.monitoring.models import CheckIn

        checkin = self._checkin(ada_patient, NOTE)
        write_keyring(keyring_file, Keyring.generate())  # the old key is lost
        with pytest.raises(UnknownKeyError, match="not in the keyring"):
            CheckIn.objects.get(pk=checkin.pk)

    def test_update_and_bulk_update_encrypt(self, keyring_file, ada_patient):
        from careloop.monitoring.models import CheckIn

        checkin = self._checkin(ada_patient, "first")
        CheckIn.objects.filter(pk=checkin.pk).update(note="second")
        assert not self._raw(CheckIn, checkin.pk, "note").endswith("second")
        assert CheckIn.objects.get(pk=checkin.pk).note == "second"
        checkin.note = "third"
        CheckIn.objects.bulk_update([checkin], ["note"])
        assert CheckIn.objects.get(pk=checkin.pk).note == "third"

    def test_registry_discovers_the_encrypted_columns(self):
        from django.apps import apps

        found = {
            f"{model._meta.label}.{field.attribute_name}"
            for model in apps.get_models()
            for field in encrypted_fields(model)
        }
        assert {
            "monitoring.CheckIn.note",
            "safety.Alert.outcome_note",
            "safety_planning.SafetyPlanVersion.content",
        } <= found


def test_json_field_round_trip():
    from careloop.safety.planning.models import SafetyPlanVersion

    field = SafetyPlanVersion._meta.get_field("content")
    assert isinstance(field, EncryptedJSONField)
    document = {"schema": 1, "sections": {"warning_signs": [{"text": "Ça ne va pas"}]}}
    stored = field.get_prep_value(document)
    assert stored.startswith("v1:") and "Ça" not in stored
    assert field.from_db_value(stored, None, connection) == document
    assert field.from_db_value(None, None, connection) is None
    assert field.encryption_context == "safety_planning_safetyplanversion.content"
    assert isinstance(SafetyPlanVersion._meta.get_field("plan"), object)
    assert not isinstance(field, EncryptedTextField)
