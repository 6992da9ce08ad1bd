import json
import shlex

from django.core.management.base import BaseCommand

from notifications_app.webpush import generate_vapid_keys


class Command(BaseCommand):
    help = (
        "Generate a VAPID key pair for Web Push (base64url, raw P-256). Put both in the "
        "environment (production: VAPID_PRIVATE_KEY in the chart's Secret; the public key is "
        "derived from it); rotating them invalidates every existing browser subscription."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--format",
            choices=["env", "kubectl"],
            default="env",
            help="env: KEY=value lines; kubectl: a `kubectl patch` adding the private key to "
            "the Secret the chart reads (secrets.existingSecret)",
        )
        parser.add_argument("--secret-name", default="todo-secrets")
        parser.add_argument("--namespace", default="todo")

    def handle(self, *args, format: str, secret_name: str, namespace: str, **options) -> None:
        private, public = generate_vapid_keys()
        if format == "kubectl":
            patch = json.dumps({"stringData": {"VAPID_PRIVATE_KEY": private}})
            self.stdout.write(
                f"kubectl -n {shlex.quote(namespace)} patch secret {shlex.quote(secret_name)} "
                f"--type merge -p {shlex.quote(patch)}"
            )
            self.stdout.write(
                f"# public key (served to browsers, derived from the private one): {public}"
            )
            self.stdout.write(
                f"kubectl -n {shlex.quote(namespace)} rollout restart deployment "
                "-l app.kubernetes.io/part-of=todo"
            )
            return
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
