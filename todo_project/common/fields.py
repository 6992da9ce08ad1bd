"""Serializer fields for JSON request bodies: a value must already have the JSON type the schema
documents. DRF's own fields coerce (`0` becomes the title "0", `"30"` the number 30), so a client
sending the wrong type would be silently "understood" instead of told. Query parameters, which are
always text, keep DRF's fields."""

from typing import Any

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)
