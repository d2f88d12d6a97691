"""Strict readers for settings taken from the environment.

Every reader names the variable in its error, so a malformed value stops start-up with a message an
operator can act on instead of a traceback deep inside Django.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class ImproperEnvironment(Exception):
    """A variable is present but cannot be used; the message names it."""


def env_str(name: str, default: str | None = None, *, environ: Mapping[str, str] = os.environ) -> str | None:
    value = environ.get(name)
    if value is None or value == "":
        return default
    return value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] = os.environ) -> bool:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperEnvironment(f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] = os.environ,
) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperEnvironment(f"{name}={raw!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperEnvironment(f"{name}={value} is below the minimum of {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperEnvironment(f"{name}={value} is above the maximum of {maximum}.")
    return value


def env_list(name: str, default: list[str], *, environ: Mapping[str, str] = os.environ) -> list[str]:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    items = [item.strip() for item in raw.split(",")]
    if any(item == "" for item in items):
        raise ImproperEnvironment(f"{name}={raw!r} has an empty item; separate values with single commas.")
    return items


def env_choice(name: str, default: str, choices: tuple[str, ...], *, environ: Mapping[str, str] = os.environ) -> str:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise ImproperEnvironment(f"{name}={raw!r} is not one of: {', '.join(choices)}.")
    return raw


def env_date(name: str, default: dt.date, *, environ: Mapping[str, str] = os.environ) -> dt.date:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ImproperEnvironment(f"{name}={raw!r} is not a date in the form YYYY-MM-DD.") from None


def env_rate(name: str, default: str, *, environ: Mapping[str, str] = os.environ) -> str:
    """A request rate as the REST framework's throttles read it: `<count>/<second|minute|hour|day>`."""
    raw = (environ.get(name) or "").strip()
    if raw == "":
        return default
    count, _sep, period = raw.partition("/")
    if not count.isdigit() or int(count) < 1 or period not in ("second", "minute", "hour", "day"):
        raise ImproperEnvironment(
            f"{name}={raw!r} is not a rate such as 1200/minute (per second, minute, hour or day)."
        )
    return raw


@dataclass(frozen=True)
class DatabaseUrl:
    name: str
    user: str
    password: str
    host: str
    port: int | None
    options: dict[str, str]

    def as_django(self) -> dict[str, object]:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": self.name,
            "USER": self.user,
            "PASSWORD": self.password,
            "HOST": self.host,
            "PORT": str(self.port) if self.port else "",
            "OPTIONS": dict(self.options),
        }


def parse_database_url(name: str, raw: str) -> DatabaseUrl:
    """Parse `postgres://user:pass@host:port/dbname?sslmode=...`; only PostgreSQL is accepted.

    SQLite is the embedded default and is chosen by leaving the variable unset, so any other scheme is
    an operator mistake and is refused rather than guessed at.
    """
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise ImproperEnvironment(f"{name} is not a valid URL: {exc}.") from None
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperEnvironment(
            f"{name} must start with postgres:// or postgresql:// (got {parts.scheme or 'no scheme'!r}); "
            "leave it unset to use the embedded SQLite database."
        )
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise ImproperEnvironment(f"{name} must name exactly one database after the host, e.g. /jingli.")
    if not parts.hostname:
        raise ImproperEnvironment(f"{name} must name a host, e.g. postgres://postgres@127.0.0.1:5432/jingli.")
    return DatabaseUrl(
        name=database,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        host=parts.hostname,
        port=port,
        options=dict(parse_qsl(parts.query, strict_parsing=False)),
    )


def parse_redis_url(name: str, raw: str) -> str:
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - accessing .port validates it
    except ValueError as exc:
        raise ImproperEnvironment(f"{name} is not a valid URL: {exc}.") from None
    if parts.scheme not in {"redis", "rediss"}:
        raise ImproperEnvironment(f"{name} must start with redis:// or rediss:// (got {parts.scheme!r}).")
    if not parts.hostname:
        raise ImproperEnvironment(f"{name} must name a host, e.g. redis://127.0.0.1:6379/0.")
    db = parts.path.lstrip("/")
    if db and not db.isdigit():
        raise ImproperEnvironment(f"{name} database must be a number after the host, e.g. /0 (got {db!r}).")
    return raw
