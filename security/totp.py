"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), as authenticator apps compute them.

Small enough to own: HMAC-SHA1, 30-second steps, 6 digits, the parameters every authenticator app
uses by default. Pure functions, no database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
#: Codes of the step before and after are accepted too: phone clocks drift and people type slowly.
DRIFT_STEPS = 1


def secret_new() -> str:
    """A 160-bit secret in base32, the form authenticator apps take."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def hotp(secret: str, counter: int) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**DIGITS
    return f"{code:0{DIGITS}d}"


def step_at(when: float | None = None) -> int:
    return int((time.time() if when is None else when) // STEP_SECONDS)


def totp(secret: str, when: float | None = None) -> str:
    return hotp(secret, step_at(when))


def verify(secret: str, code: str, *, when: float | None = None, after_step: int | None = None) -> int | None:
    """The step a code matches (within the drift window), or None.

    `after_step` refuses steps already used: a code seen once (over a shoulder, in a proxy log) cannot
    be replayed within its 90-second window.
    """
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at(when)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(hotp(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    label = quote(f"{issuer}:{account}")
    query = urlencode({"secret": secret, "issuer": issuer, "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"
