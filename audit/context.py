"""Who is acting, for the audit records written deep inside services.

The middleware (and the API key authentication) fill it per request; Celery tasks and management
commands run without a request and say who acts through the service's `by` argument instead.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class Actor:
    user: Any = None
    address: str | None = None
    api_key: str = ""
    channel: str = ""  # "web", "api", "admin", "command", "task"


_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("jingli_audit_actor", default=Actor())  # noqa: B039  (Actor is frozen)


def current_actor() -> Actor:
    return _current.get()


@contextmanager
def acting(actor: Actor) -> Iterator[None]:
    token = _current.set(actor)
    try:
        yield
    finally:
        _current.reset(token)


def actor_set(actor: Actor) -> None:
    """Replace the actor for the rest of the current request, once an API key has said who acts.

    The middleware's `acting` block restores the previous actor when the request ends."""
    _current.set(actor)


def client_address(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is what the socket saw; behind a trusted proxy, config sets it from the proxy header.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Makes the request's user and address known to every audit record written while it runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        channel = "api" if path.startswith("/api/") else "admin" if path.startswith("/admin/") else "web"
        # The user is resolved lazily by AuthenticationMiddleware; keep the lazy object, read it at write time.
        with acting(Actor(user=getattr(request, "user", None), address=client_address(request), channel=channel)):
            return self.get_response(request)
