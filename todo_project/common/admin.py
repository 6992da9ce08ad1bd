from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import OutboxEvent, ProcessedEvent, RelayPosition


class PublishedFilter(admin.SimpleListFilter):
    title = "published"
    parameter_name = "published"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("yes", "Yes"), ("no", "No (pending)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(published=self.value() == "yes")
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    """Read-only: events are written by services and published by the relay, never by hand."""

    list_display = ("id", "type", "topic", "key", "created_at", "published")
    list_filter = ("topic", "type", PublishedFilter)
    search_fields = ("key", "event_id")
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_published()

    @admin.display(boolean=True, ordering="published")
    def published(self, obj: OutboxEvent) -> bool:
        return obj.published

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RelayPosition)
class RelayPositionAdmin(admin.ModelAdmin):
    """Where the relay is; read-only (the relay writes it after every acknowledged batch)."""

    list_display = ("id", "last_id", "window_snapshot", "done_snapshot", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # without it the relay would publish the whole outbox again


@admin.register(ProcessedEvent)
class ProcessedEventAdmin(admin.ModelAdmin):
    list_display = ("group", "event_id", "processed_at")
    list_filter = ("group",)
    search_fields = ("event_id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
