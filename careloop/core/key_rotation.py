"""Key rotation for the encrypted columns, while the service keeps running.

`rotate()` adds a new key and makes it active (every process re-reads the keyring file when it
changes, so new writes use it within one request), then `reencrypt()` walks every encrypted
column by primary key in small batches. Each batch is its own short transaction and claims its
rows with SELECT … FOR UPDATE SKIP LOCKED, so a clinician saving a note is never blocked: a row
locked by a live writer is skipped and picked up by the next pass. A pass only rewrites values
not already under the active key, so it is idempotent and can be stopped and resumed at will.
`retire()` removes an old key only once a full scan finds no value still using it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from careloop.core import crypto
from careloop.core.fields import EncryptedMixin, encrypted_fields

Progress = Callable[[str], None]
MAX_PASSES = 5


@dataclass
class ColumnUsage:
    """How many values of one column are sealed with each key id."""

    label: str
    by_key: Counter[str] = field(default_factory=Counter)


def encrypted_columns() -> Iterator[tuple[type[models.Model], list[EncryptedMixin]]]:
    """Every concrete model with encrypted columns, found through the app registry."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        if found := encrypted_fields(model):
            yield model, found


def _raw(name: str) -> str:
    return f"_sealed_{name}"


def _batches(
    model: type[models.Model], names: list[str], batch_size: int, *, lock: bool
) -> Iterator[list[tuple[Any, ...]]]:
    """(pk, sealed value, …) rows in primary-key order; each batch in its own transaction.

    The stored value is read through a CAST so the field does not decrypt it: rotation needs to
    see which key id each value names.
    """
    last: Any = None
    raw = {_raw(name): Cast(name, output_field=models.TextField()) for name in names}
    while True:
        with transaction.atomic():
            query = model._base_manager.order_by("pk")
            if last is not None:
                query = query.filter(pk__gt=last)
            if lock:
                query = query.select_for_update(skip_locked=True, of=("self",))
            rows = list(query.annotate(**raw).values_list("pk", *raw)[:batch_size])
            if not rows:
                return
            yield rows  # the caller writes inside this transaction, then the lock is released
        last = rows[-1][0]


def usage(batch_size: int = 1000) -> list[ColumnUsage]:
    """Count the key ids in use in every encrypted column (a read-only full scan)."""
    report: list[ColumnUsage] = []
    for model, found in encrypted_columns():
        names = [f.attribute_name for f in found]
        columns = {name: ColumnUsage(f"{model._meta.label}.{name}") for name in names}
        for rows in _batches(model, names, batch_size, lock=False):
            for row in rows:
                for name, sealed in zip(names, row[1:], strict=True):
                    if sealed:
                        columns[name].by_key[crypto.key_id_of(sealed)] += 1
        report.extend(columns.values())
    return report


def _reencrypt_pass(batch_size: int, progress: Progress) -> int:
    """One walk over every encrypted column; returns how many values were rewritten."""
    rewritten = 0
    for model, found in encrypted_columns():
        label = model._meta.label
        by_name = {f.attribute_name: f for f in found}
        names = list(by_name)
        done = 0
        for rows in _batches(model, names, batch_size, lock=True):
            keyring = crypto.get_keyring()
            for pk, *sealed_values in rows:
                changes: dict[str, Any] = {}
                for name, sealed in zip(names, sealed_values, strict=True):
                    if not sealed or crypto.key_id_of(sealed) == keyring.active:
                        continue
                    context = by_name[name].encryption_context
                    plaintext = keyring.decrypt(sealed, context=context)
                    # Written as a plain text Value: the field must not seal it a second time.
                    changes[name] = models.Value(
                        keyring.encrypt(plaintext, context=context),
                        output_field=models.TextField(),
                    )
                if changes:
                    model._base_manager.filter(pk=pk).update(**changes)
                    done += len(changes)
            progress(f"{label}: {done} values re-encrypted so far")
        rewritten += done
    return rewritten


def reencrypt(batch_size: int = 500, progress: Progress = lambda _: None) -> int:
    """Re-seal every value not under the active key; repeats passes for rows that were locked."""
    total = 0
    active = crypto.get_keyring().active
    for attempt in range(1, MAX_PASSES + 1):
        total += _reencrypt_pass(batch_size, progress)
        remaining = sum(
            count
            for column in usage()
            for key_id, count in column.by_key.items()
            if key_id != active
        )
        progress(f"pass {attempt}: {remaining} values still under an older key")
        if remaining == 0:
            break
    return total


def rotate() -> tuple[str, str]:
    """Add a new key and make it active; returns (previous active, new active)."""
    path = crypto.keyring_path()
    current = crypto.get_keyring()
    rotated = current.with_new_active_key()
    crypto.write_keyring(path, rotated)
    return current.active, rotated.active


class KeyStillInUse(crypto.EncryptionError):
    """Retiring the key would make values unreadable."""


def retire(key_id: str) -> None:
    """Remove KEY_ID from the keyring, only if no stored value names it."""
    keyring = crypto.get_keyring()
    keyring.without(key_id)  # refuses the active key and unknown ids before the scan
    in_use = {column.label: column.by_key[key_id] for column in usage() if column.by_key[key_id]}
    if in_use:
        detail = ", ".join(f"{label}: {count}" for label, count in sorted(in_use.items()))
        raise KeyStillInUse(f"key {key_id!r} still seals values ({detail}); run reencrypt first")
    crypto.write_keyring(crypto.keyring_path(), crypto.get_keyring().without(key_id))
