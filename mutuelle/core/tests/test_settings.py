"""Settings read from the environment: safe defaults for the demo, loud failures on bad values."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("Yes", True), ("0", False), ("off", False), ("", True)],
)
def test_booleans_are_parsed_strictly(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", default=True) is expected


def test_a_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='peut-être' n'est pas un booléen"):
        env_bool("DEBUG", default=False)


def test_a_bad_integer_or_choice_or_list_fails(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "vingt-cinq")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 25)
    monkeypatch.setenv("EMAIL_BACKEND", "pigeon")
    with pytest.raises(ImproperlyConfigured, match="valeurs possibles"):
        env_choice("EMAIL_BACKEND", "file", {"file", "smtp"})
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example,,b.example")
    with pytest.raises(ImproperlyConfigured, match="élément vide"):
        env_list("ALLOWED_HOSTS", [])


def _django_setup(
    env: dict[str, str], code: str = "import django; django.setup(); print('ok')"
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _django_setup(
        {
            "MUTUELLE_ENV": "production",
            "MUTUELLE_VAR_DIR": str(tmp_path),
            "ALLOWED_HOSTS": "mutuelle.example",
            "DATABASE_URL": "postgres://x@h/db",
        }
    )
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stderr


def test_production_refuses_debug(tmp_path):
    result = _django_setup(
        {
            "MUTUELLE_ENV": "production",
            "DEBUG": "1",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "mutuelle.example",
            "MUTUELLE_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode != 0 and "DEBUG ne peut pas" in result.stderr


def test_an_unsupported_database_is_refused(tmp_path):
    result = _django_setup({"DATABASE_URL": "mysql://root@localhost/db", "MUTUELLE_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0 and "SQLite ou PostgreSQL" in result.stderr


def test_the_demo_generates_and_keeps_its_secret_key(tmp_path):
    assert _django_setup({"MUTUELLE_VAR_DIR": str(tmp_path)}).stdout.strip() == "ok"
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    _django_setup({"MUTUELLE_VAR_DIR": str(tmp_path)})
    assert (tmp_path / "secret_key").read_text() == key


def test_demo_defaults(settings):
    assert settings.LANGUAGE_CODE == "fr"
    assert [code for code, _ in settings.LANGUAGES] == ["fr", "en"]
    assert settings.TIME_ZONE == "Europe/Paris" and settings.USE_TZ
    from config import settings as configured  # the module, not the test-time overrides

    assert configured.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_production_starts_only_with_its_cache_and_antivirus_and_then_starts(tmp_path):
    complet = {
        "MUTUELLE_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "mutuelle.example",
        "DATABASE_URL": "postgres://x@h/db",
        "MUTUELLE_BASE_URL": "https://mutuelle.example",
        "CACHE_URL": "redis://127.0.0.1:6379/3",
        "MUTUELLE_CLAMD": "127.0.0.1:3310",
        "MUTUELLE_VAR_DIR": str(tmp_path),
    }
    sans_antivirus = {k: v for k, v in complet.items() if k != "MUTUELLE_CLAMD"}
    result = _django_setup(sans_antivirus)
    assert result.returncode != 0 and "MUTUELLE_CLAMD" in result.stderr
    result = _django_setup(complet)
    assert result.returncode == 0, result.stderr


def test_a_secret_may_come_from_a_file_the_variable_winning(monkeypatch, tmp_path):
    from config.env import env_str

    fichier = tmp_path / "secret_key"
    fichier.write_text("s" * 60 + "\n")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(fichier))
    assert env_str("SECRET_KEY") == "s" * 60
    monkeypatch.setenv("SECRET_KEY", "v" * 60)
    assert env_str("SECRET_KEY") == "v" * 60
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "absent"))
    with pytest.raises(ImproperlyConfigured, match=r"SECRET_KEY_FILE=.* ne peut pas être lu"):
        env_str("SECRET_KEY")


def test_production_starts_with_its_secret_key_in_a_file_and_logs_json(tmp_path):
    (tmp_path / "cle").write_text("k" * 60)
    code = (
        "import django, logging; django.setup(); from django.conf import settings;"
        "print(settings.SECRET_KEY == 'k' * 60, settings.LOG_FORMAT,"
        " settings.STORAGES['staticfiles']['BACKEND'].rsplit('.', 1)[-1]);"
        "logging.getLogger('mutuelle.essai').warning('bonjour')"
    )
    sortie = _django_setup(
        {
            "MUTUELLE_ENV": "production",
            "SECRET_KEY_FILE": str(tmp_path / "cle"),
            "ALLOWED_HOSTS": "mutuelle.example",
            "DATABASE_URL": "postgres://x@h/db",
            "MUTUELLE_BASE_URL": "https://mutuelle.example",
            "CACHE_URL": "redis://127.0.0.1:6379/3",
            "MUTUELLE_CLAMD": "127.0.0.1:3310",
            "MUTUELLE_VAR_DIR": str(tmp_path),
        },
        code,
    )
    assert sortie.stdout.split() == ["True", "json", "CompressedManifestStaticFilesStorage"], sortie.stderr
    ligne = json.loads(sortie.stderr.strip().splitlines()[-1])
    assert ligne["message"] == "bonjour" and ligne["level"] == "WARNING" and ligne["request_id"] == "-"
