"""The key bar at the foot of a screen: Textual's Footer, without the keys it built before."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """Textual's Footer, less a leak.

    The footer builds its keys again on every `refresh_bindings` (and focus change), and
    binds each new key to the footer's `compact` with a watcher kept on the footer itself.
    Textual drops the watcher of a removed widget only when the watched value changes, and
    `compact` never does: every rebuild's keys (widgets, styles, message queues, some 6 KB
    each) stayed in memory for as long as the screen, about 1 MB a minute on a service's
    screen, which rebuilt its footer at every poll of the list. Each rebuild here drops the
    watchers of the keys it removed.
    """

    async def recompose(self) -> None:
        await super().recompose()
        # Where Textual keeps an object's watchers (set by name, so not mangled), each a
        # (watching node, callback) pair; it prunes them by `_closing` too.
        watchers: dict[str, list[tuple[Any, Any]]] = getattr(self, "__watchers", {})
        for pairs in watchers.values():
            pairs[:] = [(node, callback) for node, callback in pairs if not node._closing]
