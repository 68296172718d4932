"""Transport and headers: CSP without inline code on the main pages, and a clean deploy check."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from careloop.core.crypto import Keyring, write_keyring

INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(rb"<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def _assert_strict_page(response) -> None:
    assert response.status_code == 200, response.status_code
    policy = response["Content-Security-Policy"]
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    html = response.content
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_main_pages_carry_a_strict_policy_and_no_inline_code(as_user, ada, ada_patient, ben):
    from django.test import Client

    _assert_strict_page(Client().get("/accounts/login/"))
    patient = as_user(ada)
    for url in ("/", "/questionnaires/phq9/", "/questionnaires/history/", "/safety/crisis/"):
        _assert_strict_page(patient.get(url))
    for url in ("/safety/plan/", "/checkin/"):
        response = patient.get(url)
        if response.status_code == 200:  # pages of other domains that may be redirects
            _assert_strict_page(response)
    clinician = as_user(ben)
    for url in ("/caseload/", f"/patients/{ada_patient.id}/", "/alerts/"):
        _assert_strict_page(clinician.get(url))


def test_a_result_page_is_strict_too(as_user, ada, ada_patient):
    import uuid

    from careloop.assessments.models import Assessment
    from careloop.instruments.library import get_instrument

    client = as_user(ada)
    links = [item.link_id for item in get_instrument("phq9").items]
    form = {f"item-{link}": "1" for link in links[:9]} | {"client_id": str(uuid.uuid4())}
    client.post("/questionnaires/phq9/", form)
    assessment = Assessment.objects.get(patient=ada_patient)
    _assert_strict_page(client.get(f"/questionnaires/results/{assessment.id}/"))


@pytest.mark.slow
def test_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    from careloop.audit import keyfiles

    keys = tmp_path / "field_keys.json"
    write_keyring(keys, Keyring.generate())
    keyfiles.ensure_key_files(tmp_path / "audit_signing.pem", tmp_path / "audit_pseudonym.key")
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "CARELOOP_", "DATABASE_URL", "SECURE_"))
    }
    environment |= {
        "CARELOOP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "careloop.example.org",
        "CARELOOP_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "FIELD_ENCRYPTION_KEYS_FILE": str(keys),
        "AUDIT_SIGNING_KEY_FILE": str(tmp_path / "audit_signing.pem"),
        "AUDIT_PSEUDONYM_KEY_FILE": str(tmp_path / "audit_pseudonym.key"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from careloop.core.cli import main; main()",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow  # a fresh interpreter sets up Django with production settings
def test_production_refuses_to_start_without_a_keyring(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")} | {
        "CARELOOP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "CARELOOP_VAR_DIR": str(tmp_path),
        "FIELD_ENCRYPTION_KEYS_FILE": str(tmp_path / "missing.json"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0 and "cannot read keyring" in result.stderr
