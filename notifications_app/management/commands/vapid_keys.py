from django.core.management.base import BaseCommand

from notifications_app.webpush import generate_vapid_keys


class Command(BaseCommand):
    help = (
        "Generate a VAPID key pair for Web Push (base64url, raw P-256). Put both in the "
        "environment (production: a Kubernetes secret); rotating them invalidates every "
        "existing browser subscription."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--format",
            choices=["env", "kubectl"],
            default="env",
            help="env: KEY=value lines; kubectl: a `kubectl create secret` command",
        )
        parser.add_argument("--secret-name", default="todo-vapid")

    def handle(self, *args, format: str, secret_name: str, **options) -> None:
        private, public = generate_vapid_keys()
        if format == "kubectl":
            self.stdout.write(
                f"kubectl create secret generic {secret_name} "
                f"--from-literal=VAPID_PRIVATE_KEY={private} "
                f"--from-literal=VAPID_PUBLIC_KEY={public}"
            )
            return
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
