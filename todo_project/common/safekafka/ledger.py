"""Per-partition bookkeeping of which fetched offsets are settled (acked or rejected).

Kafka only stores one committed offset per partition, so a commit can only ever cover a contiguous
prefix of settled messages: committing past a message that is still running or waiting would lose
it after a crash. The ledger answers "what offset may be committed now" and nothing else.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class PartitionLedger:
    """Offsets fetched from one partition during one assignment (``epoch``).

    Not thread-safe on its own: the owner serialises access with its lock.
    """

    topic: str
    partition: int
    epoch: int
    committed: int | None = None
    _outstanding: deque[int] = field(default_factory=deque)
    _settled: set[int] = field(default_factory=set)
    _last_tracked: int | None = None
    _done_upto: int | None = None

    def track(self, offset: int) -> bool:
        """Record a fetched offset; False for a re-fetch of one already tracked."""
        if self._last_tracked is not None and offset <= self._last_tracked:
            return False
        self._last_tracked = offset
        self._outstanding.append(offset)
        return True

    def settle(self, offset: int) -> None:
        if self._outstanding and self._outstanding[0] <= offset <= self._outstanding[-1]:
            self._settled.add(offset)

    @property
    def unsettled(self) -> int:
        return len(self._outstanding) - len(self._settled)

    def commit_point(self) -> int | None:
        """The offset just past the contiguous settled prefix, if it moved past ``committed``.

        Offsets may have gaps (compaction, transaction markers), so the prefix is measured in
        fetched messages, not in consecutive integers.
        """
        outstanding, settled = self._outstanding, self._settled
        while outstanding and outstanding[0] in settled:
            head = outstanding.popleft()
            settled.discard(head)
            self._done_upto = head + 1
        if self._done_upto is None:
            return None
        if self.committed is not None and self._done_upto <= self.committed:
            return None
        return self._done_upto
