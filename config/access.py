"""Guards for views, built on the roles of config.roles."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from config.roles import scope_of

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def scope_required(*, write: bool = False, county_wide: bool = False) -> Callable[[View], View]:
    """Guard a view: anonymous users go to the login page, everyone else without the scope gets 403.

    `write` needs a role that changes things (planner); `county_wide` refuses station-bound chiefs.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            scope = scope_of(request.user)
            if not scope.can_read or (write and not scope.can_write) or (county_wide and scope.is_station_bound):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(View, guarded)

    return decorate
