"""The task tools as a Model Context Protocol server (the official `mcp` SDK's MCPServer).

Each MCP tool is generated from a tool in `tools` (same name, description and typed
parameters, recurrence as a structured rule) and runs it for the user that the transport
authenticated: no tool takes a user. `manage.py mcp_server` serves it over stdio (the operator
names the user at launch) or streamable HTTP, where `TokenAuthMiddleware` checks a DRF token
on every request.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.http import Http404
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import BaseModel, Field
from rest_framework.authtoken.models import Token

from tasks_app import timefmt
from tasks_app.models import User
from todo_project.common.errors import ApplicationError

from . import tools

SERVER_NAME = "todo-tasks"
INSTRUCTIONS = (
    "Tools for one person's todo list. Times without an offset are wall times in that "
    "person's own time zone; a date alone is an all-day task. Find task ids with list_tasks."
)
USER_SCOPE_KEY = "todo_user_id"

UserResolver = Callable[[Context], Awaitable[int]]


class ToolOutput(BaseModel):
    summary: str = Field(description="What was done, in plain English.")
    actions: list[dict[str, Any]] = Field(description="Changes made: type, task_id, ...")
    tasks: list[dict[str, Any]] = Field(description="The tasks concerned, as task JSON.")


def build_server(resolve_user: UserResolver, *, close_connections: bool = False) -> MCPServer:
    """An MCP server whose tools act for `resolve_user(ctx)`.

    `close_connections` is for long-running processes: each call then starts and ends with
    Django's connection housekeeping, as a request would.
    """
    server = MCPServer(SERVER_NAME, instructions=INSTRUCTIONS)
    for name in tools.MCP_TOOLS:
        tool = tools.TOOLS[name]
        server.add_tool(
            _mcp_function(tool, resolve_user, close_connections),
            name=tool.name,
            description=tool.description,
        )
    return server


def _run_tool(name: str, user_id: int, arguments: dict[str, Any], close: bool) -> dict[str, Any]:
    if close:
        close_old_connections()
    try:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise ToolError("The authenticated user no longer exists or is inactive.")
        try:
            with timefmt.using(user.time_format):  # the tasks' JSON too, not only the summary
                return tools.call(name, user=user, arguments=arguments).as_dict()
        except Http404:
            raise ToolError("No such task or reminder.") from None
        except ApplicationError as exc:
            raise ToolError(exc.message) from None
    finally:
        if close:
            close_old_connections()


def _mcp_function(
    tool: tools.Tool, resolve_user: UserResolver, close: bool
) -> Callable[..., Awaitable[ToolOutput]]:
    """An async function whose signature is the tool's argument model, for MCPServer to read."""

    async def run(ctx: Context, **arguments: Any) -> ToolOutput:
        user_id = await resolve_user(ctx)
        # Thread-sensitive: Django's ORM is synchronous and its connections are per thread.
        result = await sync_to_async(_run_tool, thread_sensitive=True)(
            tool.name, user_id, arguments, close
        )
        return ToolOutput(**result)

    parameters = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)]
    annotations: dict[str, Any] = {"ctx": Context, "return": ToolOutput}
    for name, field in tool.args.model_fields.items():
        annotation = Annotated[
            (field.annotation, *field.metadata, Field(description=field.description))
        ]  # type: ignore[misc]
        default = (
            inspect.Parameter.empty
            if field.is_required()
            else field.get_default(call_default_factory=True)
        )
        parameters.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
            )
        )
        annotations[name] = annotation
    run.__signature__ = inspect.Signature(parameters, return_annotation=ToolOutput)  # type: ignore[attr-defined]
    run.__annotations__ = annotations
    run.__name__ = run.__qualname__ = tool.name
    run.__doc__ = tool.description
    return run


# ---------------------------------------------------------------- users per transport


def fixed_user(user_id: int) -> UserResolver:
    """stdio: one process, one person, named by the operator at launch."""

    async def resolve(ctx: Context) -> int:
        return user_id

    return resolve


async def user_from_request(ctx: Context) -> int:
    """streamable HTTP: the user `TokenAuthMiddleware` authenticated for this very request."""
    request = ctx.request_context.request
    user_id = getattr(request, "scope", {}).get(USER_SCOPE_KEY) if request is not None else None
    if user_id is None:
        raise ToolError("Not authenticated.")
    return int(user_id)


def _token_user_id(key: str, close: bool) -> int | None:
    if close:
        close_old_connections()
    try:
        token = Token.objects.select_related("user").filter(key=key).first()
        if token is None or not token.user.is_active:
            return None
        return int(token.user.pk)
    finally:
        if close:
            close_old_connections()


class TokenAuthMiddleware:
    """ASGI middleware: every HTTP request needs `Authorization: Token <key>` (DRF's tokens;
    `Bearer <key>` is accepted too, the scheme most MCP clients send)."""

    def __init__(self, app: Any, *, close_connections: bool = True) -> None:
        self.app = app
        self.close_connections = close_connections

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        scheme, _, key = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        user_id = None
        if scheme.lower() in ("token", "bearer") and key.strip():
            user_id = await sync_to_async(_token_user_id, thread_sensitive=True)(
                key.strip(), self.close_connections
            )
        if user_id is None:
            await _unauthorized(send)
            return
        await self.app({**scope, USER_SCOPE_KEY: user_id}, receive, send)


async def _unauthorized(send: Any) -> None:
    body = (
        b'{"error": {"code": "not_authenticated", "message": "Send Authorization: Token <key>.",'
        b' "fields": {}}}'
    )
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"www-authenticate", b"Token"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def build_http_app(*, host: str, allowed_hosts: list[str] | None = None) -> Any:
    """The streamable HTTP app at /mcp behind token auth. Stateless: each request stands alone,
    so identity is checked per request and never carried by a session id."""
    server = build_server(user_from_request, close_connections=True)
    security = None
    if allowed_hosts:
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=True, allowed_hosts=allowed_hosts
        )
    app = server.streamable_http_app(
        stateless_http=True, json_response=True, host=host, transport_security=security
    )
    return TokenAuthMiddleware(app)
