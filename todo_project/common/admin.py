from django.contrib import admin
from django.http import HttpRequest

from .models import OutboxEvent, ProcessedEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    """Read-only: events are written by services and published by the relay, never by hand."""

    list_display = ("id", "type", "topic", "key", "created_at", "published_at")
    list_filter = ("topic", "type", ("published_at", admin.EmptyFieldListFilter))
    search_fields = ("key", "event_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ProcessedEvent)
class ProcessedEventAdmin(admin.ModelAdmin):
    list_display = ("group", "event_id", "processed_at")
    list_filter = ("group",)
    search_fields = ("event_id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
