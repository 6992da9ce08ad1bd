"""Request-rate limits (DRF throttles) for the endpoints attackers and runaway clients hit.

Rates come from settings (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`, each overridable by an
environment variable) and are read on every request, so a settings change applies at once.
Limits on logging in, signing up, tokens and the chat are kept in the database cache: every web
pod and gunicorn worker counts against the same window, so running more processes does not
multiply an attacker's attempts. The catch-all per-user / per-IP limits use each process's
memory: they only need to stop a runaway client, and cost no query per request.

A throttled request gets 429 with `Retry-After` (seconds) and the API's error shape.
"""

import hashlib

from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _Throttle(SimpleRateThrottle):
    cache_alias = "default"

    def __init__(self) -> None:
        self.cache = caches[self.cache_alias]
        super().__init__()

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def key(self, ident: str | None) -> str:
        # Idents can be client-chosen text (a username from the body): hashed, any of them (NUL,
        # lone surrogates, 150 characters) makes a key every cache backend stores.
        digest = hashlib.sha256(str(ident).encode("utf-8", "surrogatepass")).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


class _ByIp(_Throttle):
    def get_cache_key(self, request: Request, view) -> str:
        return self.key(self.get_ident(request))


class _ByUser(_Throttle):
    """Signed-in requests count per user; anonymous ones are left to the per-IP throttle."""

    def get_cache_key(self, request: Request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return self.key(str(request.user.pk))
        return None


class _ByUsername(_Throttle):
    """Attempts on one account, from any number of addresses (credential stuffing)."""

    def get_cache_key(self, request: Request, view) -> str | None:
        data = request.data
        username = data.get("username") if isinstance(data, dict) else None
        if not isinstance(username, str) or not username.strip():
            return None
        return self.key(username.strip().casefold()[:150])


class AnonIpThrottle(_ByIp):
    scope = "anon"

    def get_cache_key(self, request: Request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


class UserThrottle(_ByUser):
    scope = "user"


class LoginIpThrottle(_ByIp):
    scope = "login-ip"
    cache_alias = "throttle"


class LoginUsernameThrottle(_ByUsername):
    scope = "login-username"
    cache_alias = "throttle"


class SignupIpThrottle(_ByIp):
    scope = "signup-ip"
    cache_alias = "throttle"


class ChatUserThrottle(_ByUser):
    scope = "chat-user"
    cache_alias = "throttle"


class ChatIpThrottle(_ByIp):
    scope = "chat-ip"
    cache_alias = "throttle"


LOGIN_THROTTLES = [LoginIpThrottle, LoginUsernameThrottle]
SIGNUP_THROTTLES = [SignupIpThrottle]
CHAT_THROTTLES = [ChatUserThrottle, ChatIpThrottle, UserThrottle]
