"""The README's layout picture is the tree: every entry exists, nothing at the package root
is left out, and each package's description names every module in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "artui"


def layout() -> dict[str, str]:
    """The README's layout block: each top-level entry and its description."""
    text = (ROOT / "README.md").read_text()
    block = text.split("Layout (the layers", 1)[1].split("```", 2)[1]
    entries: dict[str, str] = {}
    current = None
    for line in block.splitlines():
        entry = re.match(r"^  (\S+)\s+(.*)$", line)
        if entry:
            current = entry.group(1)
            entries[current] = entry.group(2)
        elif current is not None and line.startswith("    "):
            entries[current] += " " + line.strip()
    return entries


def modules(package: Path) -> set[str]:
    """The modules and subpackages of `package`, by name."""
    names = {p.stem for p in package.glob("*.py") if p.name != "__init__.py"}
    return names | {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}


def test_the_picture_names_exactly_the_package_root() -> None:
    listed = set(layout())
    tree = {p.name for p in PACKAGE.glob("*.py")}
    tree |= {f"{p.name}/" for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert listed == tree


def test_each_package_description_names_every_module_in_it() -> None:
    missing = {}
    for entry, description in layout().items():
        if not entry.endswith("/"):
            continue
        words = set(re.findall(r"\w+", description))
        absent = modules(PACKAGE / entry.rstrip("/")) - words
        if absent:
            missing[entry] = sorted(absent)
    assert missing == {}
