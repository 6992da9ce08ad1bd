"""System checks for the Web Push configuration (run by `manage.py check` and at start)."""

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def vapid_configuration(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    from . import webpush

    errors: list[checks.CheckMessage] = []
    if not settings.VAPID_PRIVATE_KEY:
        return errors  # push is off: in-app notifications only
    try:
        vapid = webpush.vapid_key()
    except Exception as exc:  # any parse failure of an operator-supplied key
        return [
            checks.Error(
                f"VAPID_PRIVATE_KEY cannot be read: {exc}",
                hint="Generate a pair with `manage.py vapid_keys`.",
                id="notifications.E001",
            )
        ]
    assert vapid is not None
    if settings.VAPID_PUBLIC_KEY and webpush.public_key_of(vapid) != settings.VAPID_PUBLIC_KEY:
        errors.append(
            checks.Error(
                "VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY.",
                hint="Set both from the same `manage.py vapid_keys` run, or leave the public "
                "key empty (it is derived).",
                id="notifications.E002",
            )
        )
    if not settings.VAPID_SUBJECT.startswith(("mailto:", "https://")):
        errors.append(
            checks.Error(
                "VAPID_SUBJECT must be a mailto: or https: URL push services can contact.",
                id="notifications.E003",
            )
        )
    return errors
