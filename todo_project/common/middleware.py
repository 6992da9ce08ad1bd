"""Request guards that run before any view."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


class BodySizeLimitMiddleware:
    """Refuse a body over DATA_UPLOAD_MAX_MEMORY_SIZE with 413 before anything reads it.

    Django enforces that limit only when `request.body` is read; DRF's parsers read the stream
    instead, so without this a multi-megabyte JSON body would be parsed in full.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            message = f"The request body is larger than {limit} bytes."
            body = {"error": {"code": "request_too_large", "message": message, "fields": {}}}
            return JsonResponse(body, status=413)
        return self.get_response(request)
