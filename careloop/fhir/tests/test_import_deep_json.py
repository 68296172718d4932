"""`careloop fhir import` refuses a deeply nested file with a clear message (HZ-025): checked
before parsing, so neither the JSON parser nor the R4B models ever recurse on it."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from careloop.care.models import Patient


def _deep_bundle(depth: int) -> str:
    """A transaction Bundle whose entry nests `depth` levels (text: json.dumps would recurse)."""
    inner = "[" * (depth - 1) + "]" * (depth - 1)
    return '{"resourceType": "Bundle", "type": "transaction", "entry": ' + inner + "}"


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [300, 900, 10_000])
def test_a_deeply_nested_bundle_is_a_clear_command_error(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.json"
    path.write_text(_deep_bundle(depth), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="rejected"):
        call_command("fhir", "import", str(path), "--service", "synthea", stderr=err)
    assert f"JSON nested {depth} levels deep; at most 64 are accepted" in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert not Patient.objects.exists()
