from django.core.management.base import BaseCommand, CommandError

from notifications_app import services, webpush
from tasks_app.models import User


class Command(BaseCommand):
    help = "Push a test notification to every subscription of a user, now, and print the outcome."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="username")

    def handle(self, *args, user: str, **options) -> None:
        account = User.objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"no user named {user!r}")
        if not webpush.push_enabled():
            raise CommandError(
                "push is not configured: set VAPID_PRIVATE_KEY (manage.py vapid_keys)"
            )
        report = services.push_send_test(user=account)
        if not report.outcomes:
            raise CommandError(f"{user} has no push subscription (state: {report.state})")
        for subscription_id, outcome, status_code, error in report.outcomes:
            self.stdout.write(
                f"subscription {subscription_id}: {outcome}"
                + (f" ({status_code})" if status_code else "")
                + (f": {error}" if error else "")
            )
        self.stdout.write(f"notification {report.notification_id}: {report.state}")
        if report.count("sent") == 0:
            raise CommandError("the test push reached no subscription")
