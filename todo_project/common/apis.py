"""Helpers shared by the apps' thin API views."""

from typing import Any

from rest_framework import serializers


def parse(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """Validate request input with `serializer_class`; a 400 in the common error shape if bad."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
