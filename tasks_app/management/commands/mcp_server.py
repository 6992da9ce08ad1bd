"""Serve the task tools over the Model Context Protocol.

    manage.py mcp_server --user alice            # stdio, for alice's local MCP client
    manage.py mcp_server --http --port 8765      # streamable HTTP at /mcp, DRF token per request

Over stdio the operator names the user at launch; over HTTP each request's
`Authorization: Token <key>` names it. Tools never take a user argument.
"""

import signal
from typing import Any

import anyio
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks_app.chat import mcp_app
from tasks_app.models import User


class Command(BaseCommand):
    help = "Serve the task tools over MCP (stdio for one user, or streamable HTTP with tokens)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="stdio: the username the tools act for.")
        parser.add_argument("--http", action="store_true", help="Serve streamable HTTP at /mcp.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--allowed-host",
            action="append",
            dest="allowed_hosts",
            help="Host header to accept (repeatable), e.g. mcp.example.com:443. "
            "Loopback hosts are accepted when binding to loopback.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["http"]:
            if options["user"]:
                raise CommandError("--user is for stdio; over HTTP the token names the user.")
            self._serve_http(options["host"], options["port"], options["allowed_hosts"])
            return
        if not options["user"]:
            raise CommandError("stdio needs --user NAME: the person whose tasks the tools use.")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['user']!r}.")
        server = mcp_app.build_server(mcp_app.fixed_user(user.pk), close_connections=True)
        # stdout carries the protocol: anything else printed there would corrupt it.
        anyio.run(_serve_stdio, server)

    def _serve_http(self, host: str, port: int, allowed_hosts: list[str] | None) -> None:
        import uvicorn

        app = mcp_app.build_http_app(host=host, allowed_hosts=allowed_hosts)
        server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info"))
        # uvicorn handles SIGINT and SIGTERM itself: requests in flight finish, then it exits.
        self.stderr.write(f"MCP (streamable HTTP) on http://{host}:{port}/mcp")
        server.run()


async def _serve_stdio(server: Any) -> None:
    """Run until the client closes stdin or SIGTERM arrives; a tool call in flight is one
    transaction, so stopping between calls loses nothing."""
    async with anyio.create_task_group() as group:

        async def stop_on_sigterm() -> None:
            with anyio.open_signal_receiver(signal.SIGTERM) as signals:
                async for _ in signals:
                    group.cancel_scope.cancel()
                    return

        group.start_soon(stop_on_sigterm)
        await server.run_stdio_async()
        group.cancel_scope.cancel()
