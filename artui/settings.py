"""Settings: an optional YAML file, overridden by command-line flags, validated with clear errors.

The file is `$ARTUI_CONFIG`, else `$XDG_CONFIG_HOME/artui/config.yaml` (default
`~/.config/artui/config.yaml`). Keys: `profile`, `regions` (list), `refresh` (seconds).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from artui.errors import ConfigError

if TYPE_CHECKING:
    import yaml

DEFAULT_REFRESH = 5.0
DEMO_REGIONS = ("us-east-1", "eu-west-1")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


@dataclass(frozen=True)
class Settings:
    profile: str | None = None
    regions: tuple[str, ...] = ()
    refresh: float = DEFAULT_REFRESH
    demo: bool = False
    source: str | None = field(default=None, compare=False)


def config_path() -> Path:
    """Where the settings file is looked for."""
    if explicit := os.environ.get("ARTUI_CONFIG"):
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "artui" / "config.yaml"


def check_region(value: Any, where: str) -> str:
    """A region name, or a ConfigError saying where the bad one came from."""
    if not isinstance(value, str) or not _REGION.match(value):
        raise ConfigError(f"{where}: {value!r} is not an AWS region name (like us-east-1)")
    return value


def check_refresh(value: Any, where: str) -> float:
    """A refresh interval in seconds, at least one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 1:
        raise ConfigError(f"{where}: refresh must be a number of seconds >= 1, got {value!r}")
    return float(value)


def _mapping_node(text: str, path: Path) -> yaml.MappingNode | None:
    import yaml  # only when a settings file exists: keeps it off the first-frame path

    try:
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{line}: not valid YAML ({problem})") from exc
    if node is None:
        return None
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{path} line {node.start_mark.line + 1}: expected keys like 'regions:'")
    return node


def load_file(path: Path) -> Settings:
    """Settings from a YAML file; every error names the file, the line and the key."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from exc
    import yaml

    node = _mapping_node(text, path)
    if node is None:
        return Settings(source=str(path))
    values: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = key_node.value
        where = f"{path} line {value_node.start_mark.line + 1}, key '{key}'"
        value = yaml.safe_load(yaml.serialize(value_node))
        if key == "profile":
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{where}: profile must be a profile name, got {value!r}")
            values["profile"] = value
        elif key == "regions":
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not value:
                raise ConfigError(f"{where}: regions must be a list like [us-east-1, eu-west-1]")
            values["regions"] = tuple(check_region(v, where) for v in value)
        elif key == "refresh":
            values["refresh"] = check_refresh(value, where)
        else:
            where = f"{path} line {key_node.start_mark.line + 1}, key '{key}'"
            raise ConfigError(f"{where}: unknown setting (known: profile, regions, refresh)")
    return Settings(source=str(path), **values)


def resolve(
    *,
    profile: str | None = None,
    regions: list[str] | None = None,
    refresh: float | None = None,
    demo: bool = False,
    path: Path | None = None,
) -> Settings:
    """File settings with the command line's flags laid over them."""
    settings = load_file(path or config_path())
    if profile:
        settings = replace(settings, profile=profile)
    if regions:
        settings = replace(settings, regions=tuple(check_region(r, "--region") for r in regions))
    if refresh is not None:
        settings = replace(settings, refresh=check_refresh(refresh, "--refresh"))
    if demo:
        # The demo never touches a real account, whatever the profile says.
        regions = settings.regions or DEMO_REGIONS
        settings = replace(settings, demo=True, profile=None, regions=regions)
    return settings
