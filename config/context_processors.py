from __future__ import annotations

from django.http import HttpRequest

from config.roles import Scope, scope_of


def scope(request: HttpRequest) -> dict[str, Scope]:
    """The viewer's scope, so templates show only the links the viewer may follow."""
    return {"scope": scope_of(getattr(request, "user", None))}
