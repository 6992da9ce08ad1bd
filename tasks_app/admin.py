from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import Reminder, Series, Tag, Task, User


@admin.register(User)
class TodoUserAdmin(UserAdmin):
    list_display = ("username", "timezone", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_active", "timezone")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Preferences", {"fields": ("timezone", "time_format", "default_reminder_offsets")}),
    )


class ReminderInline(admin.TabularInline):
    model = Reminder
    fk_name = "task"
    extra = 0
    fields = ("offset_minutes", "fire_at", "status", "fired_at", "snoozed_from")
    readonly_fields = ("fired_at", "snoozed_from")


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("overdue", "Overdue"), ("none", "No due date"), ("set", "Has a due date")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Task]) -> QuerySet[Task]:
        from django.utils import timezone

        if self.value() == "overdue":
            return queryset.filter(completed_at__isnull=True, due_at__lt=timezone.now())
        if self.value() == "none":
            return queryset.filter(due_at__isnull=True)
        if self.value() == "set":
            return queryset.filter(due_at__isnull=False)
        return queryset


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("open", "Open"), ("completed", "Completed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Task]) -> QuerySet[Task]:
        if self.value() == "open":
            return queryset.filter(completed_at__isnull=True)
        if self.value() == "completed":
            return queryset.filter(completed_at__isnull=False)
        return queryset


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "priority", "due_at", "completed_at", "series")
    list_filter = (StatusFilter, "priority", DueFilter, "all_day")
    search_fields = ("title", "description", "user__username")
    date_hierarchy = "due_at"
    raw_id_fields = ("user", "series", "spawned_from")
    readonly_fields = ("completed_at", "next_occurrence_pending", "created_at", "updated_at")
    inlines = [ReminderInline]
    actions = ["complete_tasks", "reopen_tasks"]
    list_select_related = ("user", "series")

    @admin.action(description="Complete selected tasks")
    def complete_tasks(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        for task in queryset:
            services.task_complete(task=task)
        self.message_user(request, f"Completed {queryset.count()} task(s).", messages.SUCCESS)

    @admin.action(description="Reopen selected tasks")
    def reopen_tasks(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        for task in queryset:
            services.task_reopen(task=task)
        self.message_user(request, f"Reopened {queryset.count()} task(s).", messages.SUCCESS)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("task", "fire_at", "offset_minutes", "status", "fired_at")
    list_filter = ("status",)
    search_fields = ("task__title", "task__user__username")
    raw_id_fields = ("task", "snoozed_from")
    date_hierarchy = "fire_at"


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "rule", "anchor", "timezone", "stopped_at")
    list_filter = ("anchor",)
    search_fields = ("rule", "user__username")
    raw_id_fields = ("user",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "user")
    search_fields = ("name", "user__username")
    raw_id_fields = ("user",)
