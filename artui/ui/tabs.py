"""The service view's tabs: each pane's key, id and title, without importing the panes (the
services list binds the keys that open a service at a pane, before its first frame)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tab:
    """One pane of the service view as the keys and the tabs line name it."""

    key: str
    id: str
    title: str


# In the order the tabs line lists them.
TABS: tuple[Tab, ...] = (
    Tab("i", "overview", "Overview"),
    Tab("a", "activity", "Activity"),
    Tab("l", "logs", "Logs"),
    Tab("m", "metrics", "Metrics"),
    Tab("c", "domains", "Domains"),
    # A capital: `c` is the domains', and lower-case letters are readers' keys in a pane.
    Tab("C", "configuration", "Config"),
)


def tab(pane_id: str) -> Tab:
    """The tab of the pane with id `pane_id`."""
    return next(t for t in TABS if t.id == pane_id)
