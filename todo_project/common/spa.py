"""Serve the built single-page app (frontend/dist) at `/` for any path the backend does not own.

Files in dist (/assets/*, /sw.js, the manifest) are served by WhiteNoise from WHITENOISE_ROOT;
every other path gets index.html so client-side routes (/tasks/12) survive a reload. In
Kubernetes nginx serves the app and this view is not reached.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

NOT_BUILT = (
    "<!doctype html><title>Todo Reminders</title><p>The web app is not built. "
    "Run <code>make run</code> (it builds <code>frontend/</code>), or use the API at "
    '<a href="/api/docs/">/api/docs/</a>.</p>'
)


@never_cache
@require_GET
def index(request: HttpRequest, path: str = "") -> HttpResponse:
    index_file = settings.FRONTEND_DIST / "index.html"
    if not index_file.is_file():
        return HttpResponse(NOT_BUILT, status=503)
    return HttpResponse(index_file.read_bytes(), content_type="text/html; charset=utf-8")
