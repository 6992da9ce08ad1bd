"""Test settings. The root conftest points the default database at a throwaway PostgreSQL."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests serve static files through the finders; there is no collected STATIC_ROOT.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Throttles stay out of the way of other tests; test_throttling sets real rates per test.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(
        REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],  # noqa: F405
        env("THROTTLE_TEST_RATE", default="100000/min"),
    ),
}

# Unit tests run Celery tasks inline; tests of real workers start them with this set to false.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)

# ---- Notifications: the loopback push-service double (todo_project/testing/push_service.py)
# serves https on a free port with a CA made at fixture start; child processes get both here.
PUSH_TEST_ENDPOINT_ORIGINS = env.list("PUSH_TEST_ENDPOINT_ORIGINS", default=[])
PUSH_CA_BUNDLE = env("PUSH_CA_BUNDLE", default="")
# ---- end Notifications
