"""The layers of the README's layout hold: only artui/aws talks AWS, the UI never imports
botocore or the AWS side, the core never imports Textual, the engine and aws/ never import
the UI, sim/ stands alone, and the domain modules need only the standard library (one
module, one library excepted, with its reason)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "artui"
AWS_LIBS = {"botocore", "aiobotocore", "boto3"}
UI_LIBS = {"textual", "rich"}
STDLIB = frozenset(sys.stdlib_module_names)
# The data model and its pure helpers: the whole of artui/domain.
DOMAIN = "artui.domain"

Violation = tuple[str, str]  # (file relative to the package, module it imports)


def module_name(path: Path, root: Path) -> str:
    """The dotted name of `path`, a file of the package whose directory is `root`."""
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str, root: Path) -> bool:
    """Whether `name` is a module or package of the tree at `root` (not a name inside one)."""
    parts = name.split(".")
    if parts[0] != root.name:
        return False
    where = root.parent.joinpath(*parts)
    return where.with_name(where.name + ".py").is_file() or (where / "__init__.py").is_file()


def imported_modules(path: Path, root: Path = PACKAGE) -> set[str]:
    """Every module a file imports, at any depth of the file (lazy imports included).

    Relative imports are made absolute, and `from pkg import sub` names `pkg.sub`, so
    `from .. import ui` in artui/engine counts as importing artui.ui."""
    own = module_name(path, root).split(".")
    package = own if path.name == "__init__.py" else own[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level > len(package):
                    raise ValueError(f"{path}: relative import beyond the top package")
                base = ".".join(package[: len(package) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            submodules = {f"{base}.{a.name}" for a in node.names}
            submodules = {m for m in submodules if is_module(m, root)}
            found |= submodules
            # Names read from the package itself (`from artui import __version__`) import it.
            if len(submodules) < len(node.names):
                found.add(base)
    return found


def top(module: str) -> str:
    return module.split(".")[0]


def within(module: str, *packages: str) -> bool:
    """Whether `module` is one of `packages` or a submodule of one."""
    return any(module == p or module.startswith(p + ".") for p in packages)


def files(root: Path, *parts: str) -> list[Path]:
    return sorted(root.joinpath(*parts).rglob("*.py"))


@dataclass(frozen=True)
class Rule:
    """Files `scope` picks under the package root may not import what `forbidden` names,
    but for `excepted`: (file relative to the package, top-level module) pairs."""

    name: str
    scope: Callable[[Path], list[Path]]
    forbidden: Callable[[str], bool]
    excepted: tuple[tuple[str, str], ...] = ()


def violations(rule: Rule, path: Path, root: Path = PACKAGE) -> list[Violation]:
    where = str(path.relative_to(root))
    return [
        (where, m)
        for m in sorted(imported_modules(path, root))
        if rule.forbidden(m) and (where, top(m)) not in rule.excepted
    ]


def check(rule: Rule, root: Path = PACKAGE) -> list[Violation]:
    """Every violation of `rule` in the package tree at `root`."""
    return [v for path in rule.scope(root) for v in violations(rule, path, root)]


def core_files(root: Path) -> list[Path]:
    top_level = [p for p in files(root) if p.parent == root]
    return (
        top_level
        + files(root, "domain")
        + files(root, "boot")
        + files(root, "engine")
        + files(root, "aws")
        + files(root, "sim")
    )


UI_NEVER_IMPORTS_AWS = Rule(
    "ui never imports AWS libraries or the AWS side",
    lambda root: files(root, "ui"),
    lambda m: (
        top(m) in AWS_LIBS
        or m == "artui"
        or within(m, "artui.aws", "artui.sim", "artui.boot.prefetch", "artui.launch")
    ),
)
CORE_NEVER_IMPORTS_TEXTUAL = Rule(
    "core never imports textual or rich",
    core_files,
    lambda m: top(m) in UI_LIBS,
)
ONLY_AWS_AND_SIM_IMPORT_AWS = Rule(
    "only aws/ and sim/ import AWS libraries",
    lambda root: [p for p in files(root) if not {"aws", "sim"} & set(p.relative_to(root).parts)],
    lambda m: top(m) in AWS_LIBS,
)
ENGINE_AND_AWS_NEVER_IMPORT_UI = Rule(
    "engine/ and aws/ never import artui.ui, textual or rich",
    lambda root: files(root, "engine") + files(root, "aws"),
    lambda m: within(m, "artui.ui") or top(m) in UI_LIBS,
)
SIM_STANDS_ALONE = Rule(
    "sim/ imports nothing of artui outside artui.sim",
    lambda root: files(root, "sim"),
    lambda m: top(m) == "artui" and not within(m, "artui.sim"),
)
DOMAIN_NEEDS_ONLY_STDLIB = Rule(
    "domain modules import only the standard library and each other",
    lambda root: files(root, "domain"),
    lambda m: top(m) not in STDLIB and not within(m, DOMAIN),
    # What a root domain is follows the public suffix list, which no rule of thumb matches
    # (example.co.uk): a maintained library with its bundled snapshot decides, in the one
    # module that asks (is_root), rather than a copy of the list kept here by hand.
    excepted=(("domain/custom_domains.py", "publicsuffixlist"),),
)
RULES = [
    UI_NEVER_IMPORTS_AWS,
    CORE_NEVER_IMPORTS_TEXTUAL,
    ONLY_AWS_AND_SIM_IMPORT_AWS,
    ENGINE_AND_AWS_NEVER_IMPORT_UI,
    SIM_STANDS_ALONE,
    DOMAIN_NEEDS_ONLY_STDLIB,
]


def in_scope(rule: Rule) -> list[Path]:
    return rule.scope(PACKAGE)


def relative(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


@pytest.mark.parametrize("path", in_scope(UI_NEVER_IMPORTS_AWS), ids=relative)
def test_ui_never_imports_aws_libraries(path: Path) -> None:
    assert violations(UI_NEVER_IMPORTS_AWS, path) == []


@pytest.mark.parametrize("path", in_scope(CORE_NEVER_IMPORTS_TEXTUAL), ids=relative)
def test_core_never_imports_textual(path: Path) -> None:
    assert violations(CORE_NEVER_IMPORTS_TEXTUAL, path) == []


@pytest.mark.parametrize("path", in_scope(ONLY_AWS_AND_SIM_IMPORT_AWS), ids=relative)
def test_only_aws_and_sim_import_aws_libraries(path: Path) -> None:
    assert violations(ONLY_AWS_AND_SIM_IMPORT_AWS, path) == []


@pytest.mark.parametrize("path", in_scope(ENGINE_AND_AWS_NEVER_IMPORT_UI), ids=relative)
def test_engine_and_aws_never_import_the_ui(path: Path) -> None:
    assert violations(ENGINE_AND_AWS_NEVER_IMPORT_UI, path) == []


@pytest.mark.parametrize("path", in_scope(SIM_STANDS_ALONE), ids=relative)
def test_sim_imports_nothing_of_artui_outside_itself(path: Path) -> None:
    assert violations(SIM_STANDS_ALONE, path) == []


@pytest.mark.parametrize("path", in_scope(DOMAIN_NEEDS_ONLY_STDLIB), ids=relative)
def test_domain_imports_only_stdlib_and_domain(path: Path) -> None:
    assert violations(DOMAIN_NEEDS_ONLY_STDLIB, path) == []


def test_every_domain_module_exists() -> None:
    """A renamed domain module must not drop out of the check unnoticed."""
    assert [p for p in in_scope(DOMAIN_NEEDS_ONLY_STDLIB) if not p.is_file()] == []


LAZY_STORE_IMPORT = "def _planted() -> None:\n    from artui.engine import store"


def test_planted_imports_are_reported(tmp_path: Path) -> None:
    """The checks above see a wrong import: plant some in a copy of the package, and the same
    check functions report exactly those on top of what the real package has."""
    copy = tmp_path / "artui"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    planted: dict[Rule, list[tuple[str, str, str]]] = {
        # (file, code appended, module the check must name)
        ENGINE_AND_AWS_NEVER_IMPORT_UI: [
            ("engine/store.py", "import artui.ui.app", "artui.ui.app"),
            ("engine/refresh.py", "from ..ui import app", "artui.ui.app"),
            ("aws/clients.py", "from .. import ui", "artui.ui"),
        ],
        # Lazy, inside a function: the check walks the whole file.
        SIM_STANDS_ALONE: [
            ("sim/clock.py", LAZY_STORE_IMPORT, "artui.engine.store"),
        ],
        DOMAIN_NEEDS_ONLY_STDLIB: [
            ("domain/apprunner.py", "import textual", "textual"),
            # The exception is one library in one module: elsewhere, or another, is reported.
            ("domain/format.py", "import publicsuffixlist", "publicsuffixlist"),
            ("domain/custom_domains.py", "import yaml", "yaml"),
        ],
    }
    for plants in planted.values():
        for file, code, _ in plants:
            with (copy / file).open("a") as out:
                out.write(f"\n\n{code}\n")

    for rule, plants in planted.items():
        expected = check(rule) + [(file, module) for file, _, module in plants]
        assert sorted(check(rule, copy)) == sorted(expected), rule.name


def test_first_frame_path_loads_no_aws_library() -> None:
    """Importing the app must not pull in botocore: it loads after the first frame."""
    code = (
        "import sys, artui.cli, artui.launch, artui.boot.prefetch, artui.ui.app;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('botocore', 'aiobotocore', 'boto3', 'moto', 'aiohttp')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_binding_has_an_id_for_a_keymap() -> None:
    """A user keymap rebinds by id (Textual's set_keymap): every artui binding needs one."""
    import importlib
    import inspect

    from textual.binding import Binding

    missing = []
    for path in files(PACKAGE, "ui"):
        module = importlib.import_module(
            ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        )
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for binding in cls.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding) and not binding.id:
                    missing.append(f"{cls.__module__}.{name}: {binding.key}")
    assert not missing
