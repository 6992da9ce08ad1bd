"""Per-request context for the text a request writes."""

from django.http import HttpRequest, HttpResponse

from . import timefmt


class TimeFormatMiddleware:
    """Times of day in what a request answers (a rule's description, the chat's replies) are
    written in its user's format, 12- or 24-hour.

    DRF authenticates a token inside the view and then sets the user on this request, so the
    format is looked up when a time is written, not here.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with timefmt.using(lambda: getattr(getattr(request, "user", None), "time_format", None)):
            return self.get_response(request)
