"""`Authorization: Api-Key <key>` for machines, next to the browser session."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from apikeys.models import ApiKey
from apikeys.services import KeyRefused, apikey_check
from audit.context import Actor, actor_set, client_address

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates as the key's owner; `request.auth` is the ApiKey (its scope is checked by the
    permissions in config.api). Audit records written during the request name the key's prefix."""

    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _sep, presented = header.partition(" ")
        if keyword.lower() != KEYWORD.lower():
            return None  # not ours: another scheme, or no header at all
        presented = presented.strip()
        if not presented:
            raise exceptions.AuthenticationFailed(_("No API key after 'Api-Key'."))
        address = client_address(request._request)
        try:
            key = apikey_check(presented=presented, address=address)
        except KeyRefused as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None
        if key is None:
            raise exceptions.AuthenticationFailed(_("Unknown API key."))
        actor_set(Actor(user=key.owner, address=address, api_key=key.prefix, channel="api"))
        return key.owner, key

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
