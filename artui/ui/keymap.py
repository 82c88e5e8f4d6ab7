"""`keys:` in the settings file: artui's keys moved by binding id, through Textual's keymap.

Every artui binding has an id (`grep id= artui/ui`); `binding_ids()` finds them all by
walking the classes of artui/ui that declare BINDINGS. Before the app is built,
`check_keymap` refuses a keymap Textual would take silently but the operator would regret:
an id no binding has (with the nearest ids), a key that is not a key, and a clash (the new
keys land on a key another binding of the same screen or widget keeps, its default
included, or on one of the app's priority keys, which answer before any screen's).

A change key and its read-only twin (`artui.ui.screens.base.read_only_twin`) move together:
the keymap names the key, and the twin follows it.

Importing this module loads neither Textual nor the screens: `check_keymap` imports them
only when the settings name keys.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from artui.domain.errors import ConfigError

if TYPE_CHECKING:
    from textual.app import App
    from textual.binding import Binding
    from textual.dom import DOMNode

    from artui.settings import Settings

# The end of a read-only twin's id (artui.ui.screens.base.TWIN_ID, not imported: that
# module imports Textual).
TWIN_ID = ".read_only"
# Modifiers a key may carry ("ctrl+d", "shift+f5").
MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
# How many near ids an unknown one is answered with.
NEAREST = 3


def keymap_of(settings: Settings) -> dict[str, str]:
    """The keymap to hand Textual: each id named in `keys:` with its keys, and the same keys
    for its read-only twin (an id no binding has is ignored by Textual)."""
    keymap: dict[str, str] = {}
    for binding_id, keys, _line in settings.keys:
        keymap[binding_id] = keys
        keymap[binding_id + TWIN_ID] = keys
    return keymap


def check_keymap(settings: Settings) -> dict[str, str]:
    """The keymap `keymap_of` gives, once every entry is known to be an artui binding's id
    with keys that are keys and that clash with no other binding; else a ConfigError naming
    the file, the line and the id. The theme is checked here too (`themes.check_theme`):
    this is the one check of what the settings ask of the UI before it is built."""
    from artui.ui.themes import check_theme

    check_theme(settings)
    if not settings.keys:
        return {}
    known = binding_ids()
    where = settings.source or "the settings"
    lines: dict[str, int] = {}
    wanted: dict[str, list[str]] = {}
    for binding_id, keys, line in settings.keys:
        at = f"{where} line {line}, key 'keys': {binding_id}"
        if binding_id not in known:
            raise ConfigError(f"{at} is not the id of an artui key{_nearest(binding_id, known)}")
        if binding_id in lines:
            raise ConfigError(f"{at} is given keys twice (first on line {lines[binding_id]})")
        lines[binding_id] = line
        wanted[binding_id] = _parse_keys(keys, at)
    _check_clashes(wanted, lines, where)
    return keymap_of(settings)


def _nearest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=NEAREST, cutoff=0.5)
    if not close:
        return " (`python -m artui.ui.keymap` lists every id with its keys)"
    return f" (did you mean {', '.join(repr(c) for c in close)}?)"


def _parse_keys(keys: str, at: str) -> list[str]:
    """`keys` ("f5,ctrl+d", "?", "E") as Textual's key names, each checked."""
    from textual.keys import _character_to_key

    if not isinstance(keys, str) or not keys.strip():
        raise ConfigError(f"{at}: expected keys like 'f5' or 'ctrl+d,E'")
    names: list[str] = []
    for raw in keys.split(","):
        key = raw.strip()
        name = _character_to_key(key) if len(key) == 1 else key
        if not _is_key(name):
            hint = f"did you mean {name.lower()!r}? " if _is_key(name.lower()) else ""
            raise ConfigError(
                f"{at}: {key!r} is not a key ({hint}keys look like e, E, ?, f5, ctrl+d, "
                "shift+tab, escape, pagedown; several are separated by commas)"
            )
        if name not in names:
            names.append(name)
    return names


@cache
def _key_names() -> frozenset[str]:
    """Every key name Textual reports without modifiers (letters, digits, f1-f24, the named
    keys, punctuation by name)."""
    from textual.keys import Keys, _character_to_key

    names = {k.value.rpartition("+")[2] for k in Keys}
    names.update(_character_to_key(c) for c in string.printable if c.isprintable())
    names.update({"space", "tab", "enter", "escape", "backspace", "delete", "insert"})
    return frozenset(n for n in names if n and not n.startswith("<"))


def _is_key(name: str) -> bool:
    *modifiers, base = name.split("+")
    if not base or any(m not in MODIFIERS for m in modifiers):
        return False
    return base in _key_names() or (len(base) == 1 and base.isprintable() and not modifiers)


def printable(key: str) -> bool:
    """Whether pressing `key` types a character into a text field."""
    from textual.keys import key_to_character

    character = key_to_character(key)
    return character is not None and character.isprintable()


# -- where every binding is -------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """One binding of a class as the keymap leaves it: who owns it (an artui id, twins
    under their original's; else Textual's action), its keys, and how to name it."""

    owner: str
    keys: tuple[str, ...]
    label: str
    priority: bool
    artui: bool  # an artui binding (it has an id)


def _artui_class(cls: type) -> bool:
    return cls.__module__.startswith("artui.ui.")


def _declares(cls: type) -> bool:
    return _artui_class(cls) and "BINDINGS" in cls.__dict__


@cache
def binding_classes() -> tuple[type[DOMNode], ...]:
    """The app, screens, panes and widgets of artui/ui with bindings artui declared (their
    own or a base's), every module of artui/ui imported to find them."""
    from textual.dom import DOMNode

    import artui.ui

    for module in pkgutil.walk_packages(artui.ui.__path__, "artui.ui."):
        importlib.import_module(module.name)
    found: dict[str, type[DOMNode]] = {}
    stack: list[type] = [DOMNode]
    seen: set[type] = set()
    while stack:
        subclasses: list[type] = stack.pop().__subclasses__()
        for sub in subclasses:
            if sub in seen:
                continue
            seen.add(sub)
            stack.append(sub)
            if _artui_class(sub) and any(_declares(base) for base in sub.__mro__):
                found[f"{sub.__module__}.{sub.__qualname__}"] = sub
    return tuple(found[name] for name in sorted(found))


def _declared(cls: type) -> list[Binding]:
    from textual.binding import Binding

    return [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]


def binding_ids() -> dict[str, tuple[str, ...]]:
    """Every id artui's bindings have (read-only twins aside: they follow their original),
    with the classes that declare it ("ServicesScreen"), sorted by id."""
    where: dict[str, list[str]] = {}
    for cls in binding_classes():
        if not _declares(cls):
            continue
        for binding in _declared(cls):
            if binding.id is None or binding.id.endswith(TWIN_ID):
                continue
            owners = where.setdefault(binding.id, [])
            if cls.__name__ not in owners:
                owners.append(cls.__name__)
    return {binding_id: tuple(where[binding_id]) for binding_id in sorted(where)}


def _owner(binding: Binding) -> str:
    if binding.id is not None:
        return binding.id.removesuffix(TWIN_ID)
    return f"textual:{binding.action}"


def _label(binding: Binding) -> str:
    if binding.id is not None:
        return repr(binding.id.removesuffix(TWIN_ID))
    return f"Textual's {binding.action}"


def bindings_of(cls: type[DOMNode], wanted: dict[str, list[str]]) -> list[Bound]:
    """`cls`'s bindings as Textual merges them from its bases, with the keys `wanted` (the
    keymap, by owner) gives them."""
    merged = cls._merge_bindings()
    held: dict[str, Bound] = {}
    for key, bindings in merged.key_to_bindings.items():
        for binding in bindings:
            owner = _owner(binding)
            moved = wanted.get(owner) if binding.id is not None else None
            before = held.get(owner)
            keys = tuple(moved) if moved is not None else (key,)
            if before is not None:
                keys = before.keys + tuple(k for k in keys if k not in before.keys)
            held[owner] = Bound(
                owner,
                keys,
                _label(binding),
                binding.priority or (before is not None and before.priority),
                binding.id is not None,
            )
    return list(held.values())


def _check_clashes(wanted: dict[str, list[str]], lines: dict[str, int], where: str) -> None:
    """A ConfigError for the first key the keymap moves onto another binding's key: one of
    the same class (its default keys included), or one of the app's priority keys (they
    answer before any screen's); and for a priority key moved onto a character."""
    from artui.ui.app import ArtuiApp

    def refuse(mover: str, key: str, why: str) -> ConfigError:
        return ConfigError(f"{where} line {lines[mover]}, key 'keys': {mover}: {key!r} {why}")

    app_keys = bindings_of(ArtuiApp, wanted)
    everywhere = [b for b in app_keys if b.priority]
    for cls in binding_classes():
        bound = bindings_of(cls, wanted)
        against = bound if cls is ArtuiApp else everywhere + bound
        for one in bound:
            if one.owner not in wanted:
                continue
            for key in one.keys:
                if one.priority and printable(key):
                    raise refuse(
                        one.owner,
                        key,
                        "types a character, and this key answers before any text field: "
                        "choose one with ctrl or a function key",
                    )
                for other in against:
                    if other.owner != one.owner and key in other.keys:
                        on = "everywhere" if other in everywhere else f"on {cls.__name__}"
                        raise refuse(one.owner, key, f"is already the key of {other.label} {on}")
        if cls is not ArtuiApp:
            # An app's priority key moved onto this class's key would take it everywhere.
            for one in everywhere:
                if one.owner not in wanted:
                    continue
                for other in bound:
                    for key in one.keys:
                        if other.owner != one.owner and key in other.keys:
                            raise refuse(
                                one.owner,
                                key,
                                f"is already the key of {other.label} on {cls.__name__}",
                            )


# -- keys as they are in force ----------------------------------------------------------


def in_force(app: App[Any], binding: Binding) -> Binding:
    """`binding` with the first key the app's keymap gives it (for a line that names a
    key, like the service view's tabs); `binding` itself if the keymap leaves it."""
    keymap: dict[str, str] = getattr(app, "_keymap", {})
    keys = keymap.get(binding.id) if binding.id is not None else None
    if not keys:
        return binding
    return binding.with_key(keys.split(",")[0], key_display=None)


def listing() -> str:
    """Every binding id with its default keys and where it works, one a line."""
    from textual.binding import Binding

    rows: list[tuple[str, str, str]] = []
    for binding_id, classes in binding_ids().items():
        keys = next(
            b.key
            for cls in binding_classes()
            if cls.__name__ in classes
            for b in _declared(cls)
            if isinstance(b, Binding) and b.id == binding_id
        )
        rows.append((binding_id, keys, ", ".join(classes)))
    width = max(len(row[0]) for row in rows)
    keys_width = max(len(row[1]) for row in rows)
    return "\n".join(f"{i:<{width}}  {k:<{keys_width}}  {c}" for i, k, c in rows)


if __name__ == "__main__":
    print(listing())
