"""The optional `sim` extra: tell whether it is installed, and which command adds it.

The operator's install (`pip install artui`) leaves the simulator's weight out (moto, flask);
`artui --demo` and `artui sim` need it. Without it they should say the one command that adds
it for the way this artui was installed, rather than fail on an import deep inside.
"""

from __future__ import annotations

import importlib.util
import json
import shlex
import sys
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from artui.domain.errors import ConfigError

EXTRA = "sim"

# Import names of the packages only the `sim` extra brings (pyproject.toml lists them);
# aiohttp, which the simulator also uses, comes with aiobotocore.
SIM_MODULES = ("moto", "flask", "flask_cors")


def missing_sim_modules() -> list[str]:
    """The sim-only modules that cannot be found, without importing them (moto is slow to)."""
    missing = []
    for name in SIM_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a broken or blocked install counts as absent
            found = False
        if not found:
            missing.append(name)
    return missing


def require_sim() -> None:
    """Raise ConfigError naming the command that adds the `sim` extra, if it is missing."""
    missing = missing_sim_modules()
    if missing:
        raise ConfigError(
            f"the simulator needs the [{EXTRA}] extra ({', '.join(missing)} not installed); "
            f"add it with: {install_command()}"
        )


def install_command(prefix: str | None = None) -> str:
    """The one shell command that adds the `sim` extra to the artui running now."""
    venv = Path(sys.prefix if prefix is None else prefix)
    requirement, editable = _artui_requirement()
    if (venv / "pipx_metadata.json").exists():
        # inject keeps the venv's own source of artui (checkout, git, index) and survives
        # `pipx reinstall`; the venv's directory name is what pipx calls it (suffix included).
        packages = " ".join(shlex.quote(r) for r in _extra_requirements())
        return f"pipx inject {shlex.quote(venv.name)} {packages}"
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    if (venv / "uv-receipt.toml").exists():
        # uv rebuilds a tool from the requirements given, dropping the old ones, so name
        # artui's own source again. --python: uv does not pick one from requires-python.
        edit = "--editable " if editable else ""
        return f"uv tool install --python {python} {edit}{shlex.quote(requirement)}"
    edit = "-e " if editable else ""
    if importlib.util.find_spec("pip") is None:  # `uv venv` makes venvs without pip
        target = shlex.quote(sys.executable)
        return f"uv pip install --python {target} {edit}{shlex.quote(requirement)}"
    return f"{shlex.quote(sys.executable)} -m pip install {edit}{shlex.quote(requirement)}"


def _artui_requirement() -> tuple[str, bool]:
    """`artui[sim]` from where this artui came from (PEP 610), and whether it is editable."""
    try:
        text = metadata.distribution("artui").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        text = None
    if text:
        direct = json.loads(text)
        url = direct["url"]
        if "dir_info" in direct:
            path = unquote(urlparse(url).path)
            return f"{path}[{EXTRA}]", bool(direct["dir_info"].get("editable"))
        if "vcs_info" in direct:
            vcs = direct["vcs_info"]
            revision = vcs.get("requested_revision")
            url = f"{vcs['vcs']}+{url}" + (f"@{revision}" if revision else "")
        return f"artui[{EXTRA}] @ {url}", False
    # Imported straight from a checkout (an old-style editable install, or PYTHONPATH).
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").exists():
        return f"{root}[{EXTRA}]", True
    return f"artui[{EXTRA}]", False


def _extra_requirements() -> list[str]:
    """The `sim` extra's requirements as artui's metadata lists them, markers removed."""
    try:
        requires = metadata.requires("artui") or []
    except metadata.PackageNotFoundError:
        requires = []
    marker = f'extra == "{EXTRA}"'
    found = [r.split(";")[0].strip() for r in requires if marker in r.replace("'", '"')]
    # Without metadata (a bare checkout on PYTHONPATH) fall back on the import names,
    # which are also the distributions' names give or take a dash.
    return found or [m.replace("_", "-") for m in SIM_MODULES]
