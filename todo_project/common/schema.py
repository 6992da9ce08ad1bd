"""OpenAPI generation: the schema states what the API really accepts and answers.

drf-spectacular documents only the success responses a view declares. The errors come from
machinery every view shares (input parsing, authentication, CSRF, lookups, pagination, the body
size limit, throttles) and all have one shape (`errors.ErrorSerializer`), so they are added here,
once, from what the view is configured with, instead of being repeated on every view. A view
declares only errors its own services raise (e.g. a 404 of an endpoint without path ids).

Also stated here, for every operation alike: a declared DELETE body, that an empty optional query
parameter counts as not given, and that text input cannot hold NUL. The API fuzz test
(todo_project/tests/test_api_fuzz.py) checks the API against all of it.
"""

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ComponentRegistry
from rest_framework.authentication import SessionAuthentication

from .errors import ErrorSerializer

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TextInputFieldExtension(OpenApiSerializerFieldExtension):
    """Text input never holds a NUL character (DRF refuses it; PostgreSQL cannot store it)."""

    target_class = "rest_framework.fields.CharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: openapi.AutoSchema, direction: str) -> Any:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        # A field with a pattern of its own (a RegexField) keeps it: drf-spectacular adds it
        # from the validator afterwards, unless a pattern is there already.
        own = any(isinstance(v, RegexValidator) for v in self.target.validators)
        if direction == "request" and schema.get("type") == "string" and not own:
            schema.setdefault("pattern", "^[^\\u0000]+$")  # empty: minLength or oneOf
        return schema


def _checks_csrf(authenticator: object) -> bool:
    return (
        isinstance(authenticator, SessionAuthentication)
        and type(authenticator).enforce_csrf is SessionAuthentication.enforce_csrf
    )


class AutoSchema(openapi.AutoSchema):
    def get_request_serializer(self) -> Any:
        if self.method == "DELETE":
            return None  # no body unless a view declares one with extend_schema(request=...)
        return super().get_request_serializer()

    def get_operation(
        self,
        path: str,
        path_regex: str,
        path_prefix: str,
        method: str,
        registry: ComponentRegistry,
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        if self.method == "DELETE":
            self._add_delete_body(operation)
        for parameter in operation.get("parameters", []):
            # Query parameters are parsed as a form: an empty optional one counts as not given.
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        responses = operation["responses"]
        for code, description in self._errors(operation).items():
            responses.setdefault(code, self._error_response(code, description))
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _add_delete_body(self, operation: dict[str, Any]) -> None:
        # drf-spectacular never documents a DELETE body, even a declared one (its issue #809);
        # the push-subscription DELETE takes one (the browser's endpoint) and must say so.
        serializer = self.get_request_serializer()
        if serializer is None:
            return
        component = self.resolve_serializer(serializer, "request")
        body = {
            "content": {media: {"schema": component.ref} for media in self.map_parsers()},
            "required": True,
        }
        responses = operation.pop("responses")
        operation.update(requestBody=body, responses=responses)

    def _errors(self, operation: dict[str, Any]) -> dict[str, str]:
        view = self.view
        unsafe = self.method not in _SAFE_METHODS
        parameters = operation.get("parameters", [])
        paginated = self.method == "GET" and getattr(view, "pagination_class", None) is not None
        errors = {}
        if unsafe or any(p["in"] == "query" for p in parameters):
            errors["400"] = "Invalid input; `fields` names each field at fault."
        authenticators = view.get_authenticators()
        if authenticators:
            errors["401"] = "Missing, malformed or revoked credentials."
        if unsafe and any(_checks_csrf(a) for a in authenticators):
            errors["403"] = "A signed-in browser session without a valid CSRF token."
        if paginated or any(p["in"] == "path" for p in parameters):
            errors["404"] = "No such object for this user, or no such page."
        if "requestBody" in operation:
            errors["413"] = "The request body is over DATA_UPLOAD_MAX_MEMORY_SIZE."
        if view.get_throttles():
            errors["429"] = "Too many requests; retry after `Retry-After` seconds."
        return errors

    def _error_response(self, code: str, description: str) -> dict[str, Any]:
        component = self.resolve_serializer(ErrorSerializer, "response")
        response: dict[str, Any] = {
            "content": {"application/json": {"schema": component.ref}},
            "description": description,
        }
        if code == "429":
            response["headers"] = {
                "Retry-After": {
                    "schema": {"type": "integer"},
                    "description": "Seconds until the next request can succeed.",
                }
            }
        return response
