"""The layers of DESIGN.md hold: only artui/aws talks AWS, the UI never imports botocore,
the core never imports Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "artui"
AWS_LIBS = {"botocore", "aiobotocore", "boto3"}
UI_LIBS = {"textual", "rich"}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth of the file (lazy imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def roots(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def files(*parts: str) -> list[Path]:
    return sorted(PACKAGE.joinpath(*parts).rglob("*.py"))


@pytest.mark.parametrize("path", files("ui"), ids=lambda p: p.name)
def test_ui_never_imports_aws_libraries(path: Path) -> None:
    modules = imported_modules(path)
    assert not roots(modules) & AWS_LIBS
    forbidden = ("artui.aws", "artui.sim", "artui.backend", "artui.prefetch", "artui.launch")
    assert not {m for m in modules if m == "artui" or m.startswith(forbidden)}


CORE = [p for p in files() if p.parent == PACKAGE] + files("engine") + files("aws") + files("sim")


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_never_imports_textual(path: Path) -> None:
    assert not roots(imported_modules(path)) & UI_LIBS


@pytest.mark.parametrize(
    "path",
    [p for p in files() if "aws" not in p.parts and "sim" not in p.parts],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_only_aws_and_sim_import_aws_libraries(path: Path) -> None:
    assert not roots(imported_modules(path)) & AWS_LIBS


def test_first_frame_path_loads_no_aws_library() -> None:
    """Importing the app must not pull in botocore: it loads after the first frame."""
    code = (
        "import sys, artui.cli, artui.launch, artui.prefetch, artui.ui.app;"
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
    for path in files("ui"):
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
