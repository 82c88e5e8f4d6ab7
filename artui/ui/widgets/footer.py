"""The key bar at the foot of a screen: Textual's Footer, the pane's own keys first, cut to
the width by whole keys, without the keys it built before."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

# Where a key comes from, in the order the footer shows them and the reverse of the order
# it gives them up when they do not all fit: the focused pane's own (and its focused
# widget's), then the screen's, then the app's (which `?` lists in any case).
OWN, SCREEN, GLOBAL = 0, 1, 2


@dataclass(frozen=True, eq=False)  # each slot itself, however alike two may look
class Slot:
    """One key the footer may show: where it comes from, how it is drawn."""

    tier: int  # OWN, SCREEN or GLOBAL
    key: str  # as shown ('^d', '⏎')
    description: str
    pinned: bool = False  # shown whatever else is given up (the key to help)


def slot_width(slot: Slot, described: bool, compact: bool) -> int:
    """The columns a key takes in the footer, its margin included (FooterKey's and the
    Footer's CSS: compact, 'k Desc' and a margin of one; else ' k ' then 'Desc ')."""
    key = cell_len(slot.key)
    words = cell_len(slot.description) if described and slot.description else None
    if compact:
        return key + (1 + words if words is not None else 0) + 1
    return key + 2 + words + 1 if words is not None else key


def fit(slots: Sequence[Slot], room: int, compact: bool = True) -> list[tuple[Slot, bool]]:
    """The keys that fit in `room` columns, in their order, each with whether its
    description shows. When they do not all fit, the app's keys go first, then the
    screen's (from the last), never a pinned one; then the pane's own keys are shown bare
    (from the last) rather than left out."""
    kept = list(slots)
    bare: set[Slot] = set()  # shown without their descriptions

    def width() -> int:
        return sum(slot_width(slot, slot not in bare, compact) for slot in kept)

    for tier in (GLOBAL, SCREEN):
        for slot in reversed(list(kept)):
            if width() <= room:
                break
            if slot.tier == tier and not slot.pinned:
                kept.remove(slot)
    for slot in reversed(kept):
        if width() <= room:
            break
        if slot.tier == OWN:
            bare.add(slot)
    return [(slot, slot not in bare) for slot in kept]


class Footer(TextualFooter):
    """Textual's Footer, its keys ordered and fitted for 80 columns, less a leak.

    Textual shows the active keys in the order of the binding chain (the focused widget's,
    its ancestors', the screen's, the app's) and lets the row run off the right edge, so
    at 80 columns a pane's own keys were lost behind the service's and the app's. Here the
    keys that do not fit are given up by whole keys, the app's and then the screen's
    first (`fit`): a pane's own keys always show, and `?` (help, which lists every key)
    stays. Binding groups are not combined: artui binds none.

    The footer builds its keys again on every `refresh_bindings` (and focus change), and
    binds each new key to the footer's `compact` with a watcher kept on the footer itself.
    Textual drops the watcher of a removed widget only when the watched value changes, and
    `compact` never does: every rebuild's keys (widgets, styles, message queues, some 6 KB
    each) stayed in memory for as long as the screen, about 1 MB a minute on a service's
    screen, which rebuilt its footer at every poll of the list. Each rebuild here drops the
    watchers of the keys it removed.
    """

    # The actions whose key stays whatever else is given up: help lists all the others.
    PINNED = frozenset({"help"})
    _built_for = 0  # the width the keys were last fitted to

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        screen, app = self.screen, self.app
        slots: list[Slot] = []
        shown: dict[Slot, tuple[Any, bool, str]] = {}
        actions: set[str] = set()
        for namespace, binding, enabled, tooltip in screen.active_bindings.values():
            # One key per action, the first in the chain's order (as Textual's footer).
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            tier = GLOBAL if namespace is app else SCREEN if namespace is screen else OWN
            slot = Slot(
                tier,
                app.get_key_display(binding),
                binding.description,
                binding.action in self.PINNED,
            )
            slots.append(slot)
            shown[slot] = (binding, enabled, tooltip)
        # Those of the chain's order: the pane's own, the screen's, the app's.
        slots.sort(key=lambda slot: slot.tier)
        self._built_for = self.size.width or screen.size.width
        for slot, described in fit(slots, self._built_for, self.compact):
            binding, enabled, tooltip = shown[slot]
            yield FooterKey(
                binding.key,
                slot.key,
                binding.description if described else "",
                binding.action,
                disabled=not enabled,
                tooltip=tooltip or binding.description,
            ).data_bind(compact=TextualFooter.compact)

    def on_resize(self, event: events.Resize) -> None:
        # Fitted to a width: fitted again when it changes.
        if self._bindings_ready and event.size.width != self._built_for:
            self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        await super().recompose()
        # Where Textual keeps an object's watchers (set by name, so not mangled), each a
        # (watching node, callback) pair; it prunes them by `_closing` too.
        watchers: dict[str, list[tuple[Any, Any]]] = getattr(self, "__watchers", {})
        for pairs in watchers.values():
            pairs[:] = [(node, callback) for node, callback in pairs if not node._closing]
