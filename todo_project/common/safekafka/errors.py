"""Errors raised by the safekafka transport.

Publishing errors subclass kombu's ``OperationalError`` (what callers already catch when a broker
is unreachable) but are deliberately *not* in the transport's ``recoverable_connection_errors``:
kombu would otherwise retry them and multiply the bounded wait.
"""

from __future__ import annotations

from kombu.exceptions import ConnectionError as KombuConnectionError
from kombu.exceptions import OperationalError


class PublishError(OperationalError):
    """The broker did not confirm a published task: the task may not be enqueued."""


class PublishTimeout(PublishError):
    """No delivery confirmation within ``publish_timeout``; the task may or may not be enqueued."""


class FetcherFailed(ConnectionError):
    """The background consumer thread stopped; the worker must reconnect."""


class UnsafeConfiguration(ValueError):
    """A Celery/transport setting combination that would lose or loop tasks."""


class TopicUnavailable(PublishError, KombuConnectionError):
    """A queue's topic could not be created or looked up (broker unreachable, not authorised).

    A publish error for callers of ``delay()``, and a connection error for a starting worker,
    which then retries instead of exiting.
    """
