import secrets

from django.core.management.base import BaseCommand

from tasks_app.models import User
from tasks_app.services import user_create


class Command(BaseCommand):
    help = "Create (or reset) the local demo user and print its credentials."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="demo")
        parser.add_argument("--timezone", default="UTC")

    def handle(self, *args, username: str, timezone: str, **options) -> None:
        password = secrets.token_urlsafe(12)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=password, timezone=timezone)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        user.is_staff = user.is_superuser = True  # the demo user can also open /admin/
        user.save(update_fields=["is_staff", "is_superuser"])
        self.stdout.write(
            self.style.SUCCESS(f"Demo user: {username}  password: {password}  (also admin)")
        )
