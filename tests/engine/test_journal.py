"""The errors journal: a repeat is counted on its entry, a new run of failures is listed anew."""

from __future__ import annotations

from artui.engine.journal import KEPT, Failure, Journal


def failure(at: float, message: str = "denied", first: bool = False) -> Failure:
    return Failure(at, "eu-west-1", "ListServices", message, "artui tries again", first=first)


def test_repeats_are_counted_not_listed_again() -> None:
    journal = Journal()
    journal.add(failure(10, first=True))
    journal.add(failure(20))
    journal.add(failure(30))
    (only,) = list(journal)
    assert (only.at, only.count, only.since) == (30, 3, 10)


def test_a_new_message_or_a_new_run_is_its_own_entry() -> None:
    journal = Journal()
    journal.add(failure(10, first=True))
    journal.add(failure(20, "throttled"))
    journal.add(failure(30, "throttled", first=True))  # after a recovery
    assert [(f.message, f.count) for f in journal] == [
        ("denied", 1),
        ("throttled", 1),
        ("throttled", 1),
    ]


def test_since_gives_what_was_added_after_a_count() -> None:
    journal = Journal()
    for at in range(KEPT + 5):
        journal.add(failure(at, f"m{at}", first=True))
    assert len(journal) == KEPT
    assert [f.message for f in journal.since(journal.added - 2)] == [
        f"m{KEPT + 3}",
        f"m{KEPT + 4}",
    ]
    assert journal.since(journal.added) == []
