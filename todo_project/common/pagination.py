from typing import Any

from django.core.paginator import Page, Paginator
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request


class FirstPageCountPaginator(Paginator):
    """Django's Paginator, minus the `COUNT(*)` for a first page that holds every row.

    The first page is read with one row more than it shows: when that row is not there, the
    page is everything and its length is the count. Most lists the web app asks for (today's
    tasks, the unread bell) fit on their first page, so they cost one query instead of two.
    A fuller list, or any later page, counts as Django does.
    """

    def page(self, number: Any) -> Page:
        try:
            first = int(number) == 1
        except (TypeError, ValueError):
            first = False
        if not first or self.orphans:
            return super().page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.count = len(rows)  # a cached_property: this is its value from now on
        return self._get_page(rows[: self.per_page], 1, self)


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of `page_size` (default 50, at most 200) rows; `page` counts from 1.

    Stricter than DRF's: a `page_size` that is not a whole number of at least 1 is a 400 (DRF
    silently used the default), and `page=last` is not a page number, as the schema says.
    A page that does not exist stays DRF's 404.
    """

    django_paginator_class = FirstPageCountPaginator
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
