"""One error type for services and one JSON shape for every API error.

Every error response looks like::

    {"error": {"code": "invalid", "message": "Human readable.", "fields": {"title": ["..."]}}}

`fields` is present (possibly empty) on every error so clients can rely on it.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ApplicationError(Exception):
    """Raised by services for a request that cannot be carried out as asked."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        fields: dict[str, list[str]] | None = None,
        status_code: int = status.HTTP_400_BAD_REQUEST,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        self.status_code = status_code


def field_error(field: str, message: str, *, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]})


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {"a.b.0.c": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors":
                name = prefix or "non_field_errors"
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                for k, v in _flatten(item, f"{prefix}.{index}" if prefix else str(index)).items():
                    out.setdefault(k, []).extend(v)
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def _encodable(text: str) -> str:
    """Messages can quote the input, and JSON input can hold lone surrogates (`"\\ud800"`),
    which no UTF-8 response can carry: those are written as escapes instead."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _body(code: str, message: str, fields: dict[str, list[str]]) -> dict[str, Any]:
    fields = {_encodable(k): [_encodable(m) for m in v] for k, v in fields.items()}
    return {"error": {"code": code, "message": _encodable(message), "fields": fields}}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable and machine-readable, e.g. `invalid`.")
    message = serializers.CharField(help_text="For people; names the field at fault first.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by field, nested ones dotted (`recurrence.rule`); may be empty.",
    )


class ErrorSerializer(serializers.Serializer):
    """The shape of every error response."""

    # Documents what `_body` builds, for the OpenAPI schema (common/schema.py); never renders.
    error = ErrorDetailSerializer()


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A URL no view matched: the error shape under /api/, Django's own page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(_body("not_found", "Not found.", {}), status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = (
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"non_field_errors": [str(m) for m in exc.messages]}
        )
        first = next(iter(fields.values()))[0]
        return Response(_body("invalid", first, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        field, messages = next(iter(fields.items()), ("non_field_errors", ["Invalid input."]))
        label = "" if field == "non_field_errors" else f"{field}: "
        response.data = _body("invalid", f"{label}{messages[0]}", fields)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        response.data = _body(str(code), str(detail), {})
    return response
