from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of `page_size` (default 50, at most 200) rows; `page` counts from 1.

    Stricter than DRF's: a `page_size` that is not a whole number of at least 1 is a 400 (DRF
    silently used the default), and `page=last` is not a page number, as the schema says.
    A page that does not exist stays DRF's 404.
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":  # absent or empty, like every optional query parameter
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            message = "page_size must be a whole number of at least 1."
            raise ValidationError({self.page_size_query_param: [message]})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Rows per page (default {self.page_size}; more than {self.max_page_size} "
                    f"gives {self.max_page_size})."
                )
        return parameters
