"""Production: every secret and host comes from the environment; nothing has a default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env


def _required(name: str) -> str:
    value = env(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production")
    if "REPLACE_ME" in value:  # k8s/secrets.example.yaml applied without being filled in
        raise ImproperlyConfigured(f"{name} still holds the REPLACE_ME placeholder")
    return value


DEBUG = False
SECRET_KEY = _required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set in production")
DATABASES = {"default": env.db_url_config(_required("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Requests reach Django through the frontend's nginx, which appends the client's address.
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": env.int("DRF_NUM_PROXIES", default=1)}  # noqa: F405

# TLS terminates in front of nginx (a proxy or load balancer), which sets X-Forwarded-Proto.
# DJANGO_HTTPS=false is for a site reached over plain http (the chart's NodePort before TLS is put
# in front): no redirect, no Secure cookies (browsers would drop them), no HSTS. Web Push needs
# https in browsers, so that mode is for a first look, not for use.
HTTPS = env.bool("DJANGO_HTTPS", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS and env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HSTS preload is a one-way commitment for the operator's whole domain; it stays opt-in. Over
# plain http the deploy checks for Secure cookies, HSTS and the redirect do not apply.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if not HTTPS:
    SILENCED_SYSTEM_CHECKS += ["security.W004", "security.W008", "security.W012", "security.W016"]
