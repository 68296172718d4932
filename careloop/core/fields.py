"""Model fields whose values are encrypted at rest (AES-GCM, keys outside the database).

`EncryptedTextField` is a drop-in `models.TextField`: Python code reads and writes plain strings;
the column holds `v1:<key id>:<base64>` (careloop.core.crypto). `EncryptedJSONField` does the
same for a JSON document (a safety plan in the patient's words). The empty string and NULL stay
as they are, so "has a note" stays cheap to ask.

Encrypted columns cannot be searched in SQL: each value has a random nonce, so equal texts give
different ciphertexts. Only `isnull` and `exact` with "" are allowed; any other lookup raises a
FieldError ("Unsupported lookup") when the query is built, rather than silently matching nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django import forms
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from careloop.core import crypto

if TYPE_CHECKING:
    from django.apps.registry import Apps
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor
    from django.db.models import Lookup, Model


class _EmptyOnlyExact(Exact):
    """`field=""` works (empty values are stored as-is); other text never matches a ciphertext."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            name = getattr(self.lhs, "target", self.lhs).name
            raise FieldError(f"{name} is encrypted; it can be compared with '' only")
        return super().get_prep_lookup()


class EncryptedMixin:
    """Shared behaviour: seal on the way in, open on the way out, bound to table and column."""

    ALLOWED_LOOKUPS: ClassVar[dict[str, type[Lookup[Any]]]] = {
        "exact": _EmptyOnlyExact,
        "isnull": IsNull,
    }

    @property
    def _field(self) -> models.Field[Any, Any]:
        return cast("models.Field[Any, Any]", self)

    @property
    def attribute_name(self) -> str:
        return self._field.name

    @property
    def encryption_context(self) -> str:
        """Associated data: the value belongs to this table and column and nowhere else."""
        return f"{self._field.model._meta.db_table}.{self._field.column}"

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        # None makes Django raise "Unsupported lookup 'icontains' for EncryptedTextField".
        return self.ALLOWED_LOOKUPS.get(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return None  # a transform (note__lower) would run on ciphertext

    def seal(self, text: str | None) -> str | None:
        if text is None or text == "":
            return text
        return crypto.encrypt(text, context=self.encryption_context)

    def open(self, stored: str | None) -> str | None:
        if stored is None or stored == "":
            return stored
        return crypto.decrypt(stored, context=self.encryption_context)


class EncryptedTextField(EncryptedMixin, models.TextField):  # type: ignore[type-arg]
    """A TextField stored encrypted; behaves like a TextField for models, forms and templates."""

    description = "Text encrypted at rest (AES-GCM)"

    def get_prep_value(self, value: Any) -> Any:
        return self.seal(super().get_prep_value(value))

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        return self.open(value)


class EncryptedJSONField(EncryptedMixin, models.TextField):  # type: ignore[type-arg]
    """A JSON document (dict, list…) stored as encrypted JSON text in a text column."""

    description = "JSON encrypted at rest (AES-GCM)"
    # django-stubs reads these to type the attribute: a JSON document, not a str.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any
    empty_values: ClassVar[list[Any]] = [None]  # type: ignore[misc]

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return self.seal(text)

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        text = self.open(value)
        return None if text is None or text == "" else json.loads(text)

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: Model) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False, sort_keys=True)

    def formfield(self, **kwargs: Any) -> forms.Field | None:
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})


def encrypted_fields(model: type[Model]) -> list[EncryptedMixin]:
    """The concrete encrypted columns of MODEL (used by key rotation and the status report)."""
    found: list[EncryptedMixin] = []
    for field in model._meta.concrete_fields:
        if isinstance(field, EncryptedMixin) and field.model is model:
            found.append(field)
    return found


# --- migrations: encrypt or decrypt the rows that exist when a column becomes encrypted ----------


def _rewrite_column(
    schema_editor: BaseDatabaseSchemaEditor,
    model: type[Model],
    field_name: str,
    transform: Callable[[EncryptedMixin, str], str],
    needs_rewrite: Callable[[str], bool],
) -> None:
    field = model._meta.get_field(field_name)
    assert isinstance(field, EncryptedMixin) and isinstance(field, models.Field)
    assert model._meta.pk is not None
    quote = schema_editor.connection.ops.quote_name
    table, column, pk = (
        quote(model._meta.db_table),
        quote(str(field.column)),
        quote(str(model._meta.pk.column)),
    )
    with schema_editor.connection.cursor() as cursor:
        # Raw SQL on purpose: the field would try to decrypt the plaintext rows it reads.
        cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
        rows = [(key, value) for key, value in cursor.fetchall() if needs_rewrite(value)]
        for key, value in rows:
            cursor.execute(
                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                [transform(field, value), key],
            )


def encrypt_existing_rows(
    app_label: str, model_name: str, *field_names: str
) -> tuple[
    Callable[[Apps, BaseDatabaseSchemaEditor], None],
    Callable[[Apps, BaseDatabaseSchemaEditor], None],
]:
    """A RunPython pair: forwards encrypts plaintext rows (idempotent), backwards decrypts them."""

    def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        model = apps.get_model(app_label, model_name)
        for name in field_names:
            _rewrite_column(
                schema_editor,
                model,
                name,
                lambda field, text: field.seal(text) or "",
                lambda value: not crypto.looks_encrypted(value),
            )

    def backwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        model = apps.get_model(app_label, model_name)
        for name in field_names:
            _rewrite_column(
                schema_editor,
                model,
                name,
                lambda field, token: field.open(token) or "",
                crypto.looks_encrypted,
            )

    return forwards, backwards
