from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from careloop.core.ids import uuid7
from config.env import database_from_url, env_bool, env_int


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root@localhost/db",
        "sqlite://",
        "not a url",
        "postgresql://root@localhost:notaport/db",
    ],
)
def test_bad_database_url_refuses_to_start(url: str, tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url(url, base_dir=tmp_path)


def test_sqlite_url_gets_wal_and_immediate_transactions(tmp_path: Path) -> None:
    config = database_from_url(f"sqlite:///{tmp_path}/x/db.sqlite3", base_dir=tmp_path)
    assert config["NAME"] == f"{tmp_path}/x/db.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgresql_url_is_parsed(tmp_path: Path) -> None:
    config = database_from_url("postgresql://root@127.0.0.1:5432/careloop", base_dir=tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"]) == ("careloop", "127.0.0.1", 5432)
    # Short OLTP queries: the JIT only adds compile time (seconds on the registry, measured).
    assert "-c jit=off" in config["OPTIONS"]["options"]


def test_env_helpers_reject_malformed_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "maybe")
    monkeypatch.setenv("X_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", default=False)
    with pytest.raises(ImproperlyConfigured, match="X_NUMBER"):
        env_int("X_NUMBER", 1)


def test_secret_can_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "n"
    secret.write_text("42\n")
    monkeypatch.setenv("X_NUMBER_FILE", str(secret))
    assert env_int("X_NUMBER", 1) == 42


def test_uuid7_is_version_7_and_ordered_by_time() -> None:
    earlier, later = uuid7(1_700_000_000_000), uuid7(1_700_000_000_001)
    assert earlier.version == 7 and later.version == 7
    assert earlier.variant == "specified in RFC 4122"
    assert earlier < later
    assert uuid7(5, b"\x00" * 10) == uuid7(5, b"\x00" * 10)
    assert int(earlier.hex[:12], 16) == 1_700_000_000_000
