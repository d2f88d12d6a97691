"""Settings come from the environment and a malformed value stops start-up naming the variable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import (
    ImproperEnvironment,
    env_bool,
    env_int,
    env_list,
    parse_database_url,
    parse_redis_url,
)

ROOT = Path(__file__).resolve().parents[2]

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""), "port": db.get("PORT", ""),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER, "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"], "debug": settings.DEBUG,
    "language": settings.LANGUAGE_CODE,
}))
"""


def start(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter with exactly these variables."""
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", "JINGLI_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_no_variables_gives_sqlite_under_var_and_tasks_in_process(tmp_path: Path) -> None:
    result = start({}, tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "jingli.sqlite3")
    assert values["eager"] is True
    assert values["broker"] == "memory://localhost/"
    assert values["cache"].endswith("LocMemCache")
    assert values["language"] == "zh-hans"


def test_database_url_selects_postgresql(tmp_path: Path) -> None:
    result = start({"DATABASE_URL": "postgres://jingli:s%40cret@db.example:6543/staffing"}, tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert (values["name"], values["host"], values["port"]) == ("staffing", "db.example", "6543")


def test_redis_url_selects_real_workers_and_redis_cache(tmp_path: Path) -> None:
    result = start({"REDIS_URL": "redis://127.0.0.1:6379/3"}, tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["eager"] is False
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["cache"].endswith("RedisCache")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "mysql://root@localhost/jingli"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://localhost"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://host:notaport/db"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/zero"}, "REDIS_URL"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "0"}, "SECRET_KEY"),
        ({"DEBUG": "0", "SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"LANGUAGE_CODE": "fr"}, "LANGUAGE_CODE"),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE"),
        ({"CELERY_TASK_SOFT_TIME_LIMIT": "ten"}, "CELERY_TASK_SOFT_TIME_LIMIT"),
        ({"ALLOWED_HOSTS": "a.example,,b.example"}, "ALLOWED_HOSTS"),
        ({"JINGLI_DEMO_END_DATE": "31/10/2026"}, "JINGLI_DEMO_END_DATE"),
    ],
)
def test_malformed_value_stops_start_up_naming_the_variable(env: dict[str, str], named: str, tmp_path: Path) -> None:
    result = start(env, tmp_path)
    assert result.returncode != 0
    assert f"ImproperEnvironment: {named}" in result.stderr


def test_production_settings_start_with_a_real_secret_key(tmp_path: Path) -> None:
    result = start({"DEBUG": "0", "SECRET_KEY": "k" * 24 + "-a-long-random-production-secret-value"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["debug"] is False


def test_manage_py_reports_the_variable_without_a_traceback(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "JINGLI_VAR_DIR": str(tmp_path), "DATABASE_URL": "sqlite:///x.db"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.startswith("Jingli cannot start: DATABASE_URL must start with postgres://")
    assert "Traceback" not in result.stderr


def test_env_example_documents_every_variable_the_settings_read() -> None:
    settings_source = (ROOT / "config" / "settings.py").read_text()
    import re

    read = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read, "the settings read no variables?"
    assert read <= documented, f"undocumented in .env.example: {sorted(read - documented)}"


class TestReaders:
    def test_booleans(self) -> None:
        assert env_bool("X", False, environ={"X": "yes"}) is True
        assert env_bool("X", True, environ={"X": "off"}) is False
        assert env_bool("X", True, environ={}) is True
        with pytest.raises(ImproperEnvironment, match="^X="):
            env_bool("X", True, environ={"X": "2"})

    def test_integers_with_bounds(self) -> None:
        assert env_int("N", 5, environ={"N": " 7 "}) == 7
        with pytest.raises(ImproperEnvironment, match="below the minimum"):
            env_int("N", 5, minimum=10, environ={"N": "7"})
        with pytest.raises(ImproperEnvironment, match="not an integer"):
            env_int("N", 5, environ={"N": "7.5"})

    def test_lists(self) -> None:
        assert env_list("L", ["a"], environ={"L": "x, y"}) == ["x", "y"]
        assert env_list("L", ["a"], environ={}) == ["a"]

    def test_database_url_decodes_credentials_and_options(self) -> None:
        url = parse_database_url("DATABASE_URL", "postgresql://u%2Fser:p%40ss@h:5433/d?sslmode=require")
        assert (url.user, url.password, url.host, url.port, url.name) == ("u/ser", "p@ss", "h", 5433, "d")
        assert url.as_django()["OPTIONS"] == {"sslmode": "require"}

    def test_redis_url(self) -> None:
        assert parse_redis_url("REDIS_URL", "rediss://cache:6380/1") == "rediss://cache:6380/1"
        with pytest.raises(ImproperEnvironment, match="must name a host"):
            parse_redis_url("REDIS_URL", "redis:///0")
