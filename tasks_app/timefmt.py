"""How a person reads a time of day: 24-hour ("13:05") or 12-hour ("1:05 PM"). Pure Python.

Text written for one person (an API answer, a chat turn, the MCP tools) is written with their
format active, the way Django activates a time zone for a request: `using()` sets it for the
current context (`TimeFormatMiddleware` for every request, `chat_send` and `tools.call` for
callers outside one), and `clock()` reads it. Code that writes for many people in one go (the
reminder scan's notification bodies) passes each person's format to `clock()` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, time

H24 = "24h"
H12 = "12h"
CHOICES = ((H24, "24-hour (13:00)"), (H12, "12-hour (1:00 PM)"))

# The active format, or a callable that returns it when a time is formatted: a request's user
# is known only once DRF has authenticated it, inside the view.
_active: ContextVar[str | Callable[[], str | None]] = ContextVar("time_format", default=H24)


@contextmanager
def using(time_format: str | Callable[[], str | None] | None) -> Iterator[None]:
    token = _active.set(time_format or H24)
    try:
        yield
    finally:
        _active.reset(token)


def active() -> str:
    value = _active.get()
    if callable(value):
        value = value()
    return H12 if value == H12 else H24


def clock(value: time | datetime, time_format: str | None = None) -> str:
    """ "09:05" or "9:05 AM", in `time_format` or the active one."""
    if (time_format or active()) == H12:
        hour = value.hour % 12 or 12
        return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"
    return f"{value.hour:02d}:{value.minute:02d}"
