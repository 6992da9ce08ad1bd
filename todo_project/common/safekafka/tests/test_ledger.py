"""The commit point is always just past the contiguous settled prefix of fetched offsets."""

from __future__ import annotations

from todo_project.common.safekafka.ledger import PartitionLedger


def _ledger(*offsets: int) -> PartitionLedger:
    ledger = PartitionLedger("q", 0, epoch=1)
    for offset in offsets:
        ledger.track(offset)
    return ledger


def test_nothing_settled_means_nothing_to_commit() -> None:
    ledger = _ledger(0, 1, 2)

    assert ledger.commit_point() is None


def test_commit_stops_before_the_first_unsettled_offset() -> None:
    ledger = _ledger(0, 1, 2, 3, 4)
    for offset in (0, 1, 3, 4):
        ledger.settle(offset)

    assert ledger.commit_point() == 2


def test_settling_the_gap_moves_the_commit_past_everything_settled() -> None:
    ledger = _ledger(0, 1, 2, 3, 4)
    for offset in (0, 1, 3, 4):
        ledger.settle(offset)
    ledger.commit_point()

    ledger.settle(2)

    assert ledger.commit_point() == 5


def test_offset_gaps_from_compaction_do_not_block_the_prefix() -> None:
    ledger = _ledger(10, 13, 20)
    ledger.settle(10)
    ledger.settle(13)

    assert ledger.commit_point() == 14


def test_a_point_already_committed_is_not_offered_again() -> None:
    ledger = _ledger(0, 1)
    ledger.settle(0)
    ledger.committed = ledger.commit_point()

    assert ledger.commit_point() is None


def test_a_refetched_offset_is_not_tracked_twice() -> None:
    ledger = _ledger(0, 1)

    assert ledger.track(1) is False
    assert ledger.track(2) is True
    assert ledger.unsettled == 3


def test_settling_an_unknown_or_already_committed_offset_changes_nothing() -> None:
    ledger = _ledger(5, 6)
    ledger.settle(5)
    assert ledger.commit_point() == 6

    ledger.settle(5)
    ledger.settle(99)

    assert ledger.unsettled == 1
    assert ledger.commit_point() == 6
