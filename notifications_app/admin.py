from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import DeliveryAttempt, Notification, PushDelivery, PushSubscription


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("attempted_at", "subscription", "endpoint_host", "outcome", "status_code", "error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PushDeliveryInline(admin.TabularInline):
    model = PushDelivery
    extra = 0
    can_delete = False
    fields = ("subscription", "state", "attempts", "next_attempt_at", "last_status_code", "sent_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "created_at", "read_at", "delivery_state")
    list_filter = ("delivery_state", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "user__username")
    date_hierarchy = "created_at"
    raw_id_fields = ("user", "task", "reminder")
    readonly_fields = ("created_at", "delivery_state")
    list_select_related = ("user",)
    inlines = [PushDeliveryInline, DeliveryAttemptInline]


def _report_message(report: services.DeliveryReport) -> str:
    counts = report.as_dict()
    parts = [
        f"{counts[o]} {o}" for o in ("sent", "retry", "failed", "gone", "refused") if counts[o]
    ]
    return f"notification {report.notification_id}: {', '.join(parts) or 'nothing sent'}"


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "endpoint_short",
        "user_agent",
        "created_at",
        "last_success_at",
        "consecutive_failures",
    )
    search_fields = ("user__username", "endpoint", "user_agent")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "updated_at", "last_success_at", "consecutive_failures")
    list_select_related = ("user",)
    actions = ["send_test_push"]

    @admin.display(description="endpoint")
    def endpoint_short(self, obj: PushSubscription) -> str:
        return obj.endpoint if len(obj.endpoint) <= 70 else obj.endpoint[:69] + "…"

    @admin.action(description="Send a test push to the selected subscriptions")
    def send_test_push(self, request: HttpRequest, queryset: QuerySet[PushSubscription]) -> None:
        by_user: dict[int, list[PushSubscription]] = {}
        for subscription in queryset.select_related("user"):
            by_user.setdefault(subscription.user_id, []).append(subscription)
        for subscriptions in by_user.values():
            report = services.push_send_test(
                user=subscriptions[0].user, subscriptions=subscriptions
            )
            ok = report.count("sent") == len(subscriptions)
            self.message_user(
                request,
                f"{subscriptions[0].user}: {_report_message(report)}",
                messages.SUCCESS if ok else messages.WARNING,
            )


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(admin.ModelAdmin):
    list_display = (
        "attempted_at",
        "notification",
        "subscription",
        "endpoint_host",
        "outcome",
        "status_code",
    )
    list_filter = ("outcome", "status_code", "endpoint_host")
    search_fields = ("notification__title", "notification__user__username", "error")
    date_hierarchy = "attempted_at"
    raw_id_fields = ("notification", "subscription")
    list_select_related = ("notification", "subscription")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
