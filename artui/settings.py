"""Settings: an optional YAML file, overridden by command-line flags, validated with clear errors.

The file is the one `--config` names, else `$ARTUI_CONFIG`, else
`$XDG_CONFIG_HOME/artui/config.yaml` (default `~/.config/artui/config.yaml`). A file named by
the flag or the variable must exist: a typo must not quietly drop a `read_only: true`. Only
the default one may be absent. Keys: `profile`, `regions` (list), `refresh` (seconds),
`read_only` (true or false), `max_lines` (log lines a logs pane keeps, 1,000 to 1,000,000),
`metrics_refresh` (seconds between metric reads, 60 to 3600), `error_threshold` (the 5xx
share, in percent, that marks a service on the list) and `timezone` (`local` or `utc`: the
zone every time on screen is written in).
Whatever the file or the flags hold, the outcome is Settings or a ConfigError naming the
file, the line and the key: never a traceback, a hang or a flood of memory.
"""

from __future__ import annotations

import math
import os
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from artui.domain.errors import ConfigError
from artui.domain.format import ZONES, Zone

if TYPE_CHECKING:
    import yaml

DEFAULT_REFRESH = 5.0
MIN_REFRESH = 1.0
MAX_REFRESH = 3600.0
# The logs pane's ring buffer: ~50k lines is hours of a busy service at ~20 MB.
DEFAULT_MAX_LINES = 50_000
MAX_LINES_RANGE = (1_000, 1_000_000)
DEMO_REGIONS = ("us-east-1", "eu-west-1")
# CloudWatch's finest period for App Runner's metrics is a minute: reading more often finds
# nothing new.
DEFAULT_METRICS_REFRESH = 60.0
METRICS_REFRESH_RANGE = (60.0, 3600.0)
DEFAULT_ERROR_THRESHOLD = 5.0
_KEYS = (
    "profile",
    "regions",
    "refresh",
    "read_only",
    "max_lines",
    "metrics_refresh",
    "error_threshold",
    "timezone",
)
# A settings file is a few lines. Pure-Python PyYAML needs about 0.4 s for 16 KiB of
# flow-style tokens: a bigger file is a mistake or an attack, not settings.
MAX_BYTES = 16 * 1024
# Settings nest two levels at most; PyYAML's scanner slows down (then recurses out of stack)
# on thousands of open brackets, so refuse deep flow nesting before it parses.
MAX_FLOW_DEPTH = 20
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BRACKET = re.compile(r"[\[\]{}]")
# The tags plain YAML resolves to by itself: anything else (a local `!seconds`, a
# `!!python/...`) is refused before a constructor sees it.
_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("null", "bool", "int", "float", "timestamp", "str", "seq", "map")
)
_FILE_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
}


@dataclass(frozen=True)
class Account:
    """One profile (None: botocore's default chain) and the regions shown for it
    (empty: the settings' regions, else the profile's own region)."""

    profile: str | None
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    profile: str | None = None
    regions: tuple[str, ...] = ()
    # Several profiles at once (`--profile` repeated, `profiles:`); empty: `profile` alone.
    profiles: tuple[Account, ...] = ()
    refresh: float = DEFAULT_REFRESH
    demo: bool = False
    read_only: bool = False
    max_lines: int = DEFAULT_MAX_LINES
    metrics_refresh: float = DEFAULT_METRICS_REFRESH
    error_threshold: float = DEFAULT_ERROR_THRESHOLD
    timezone: Zone = "local"
    # The keymap: (binding id, keys, line in the settings file) for each `keys:` entry.
    keys: tuple[tuple[str, str, int], ...] = ()
    theme: str | None = None
    source: str | None = field(default=None, compare=False)

    def accounts(self) -> tuple[Account, ...]:
        """Each profile shown, in order, with its regions (the settings' own when it names none)."""
        if not self.profiles:
            return (Account(self.profile, self.regions),)
        return tuple(a if a.regions else replace(a, regions=self.regions) for a in self.profiles)


def config_path(flag: Path | None = None) -> tuple[Path, str | None]:
    """Where the settings file is looked for, and what named it: `--config` (`flag`),
    `$ARTUI_CONFIG`, or None for the default place, where there may be no file."""
    if flag is not None:
        return flag, "--config"
    if explicit := os.environ.get("ARTUI_CONFIG"):
        return Path(explicit), "$ARTUI_CONFIG"
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "artui" / "config.yaml", None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(value: Any, limit: int = 60) -> str:
    """A short repr of `value` for an error message, cut to `limit` characters."""
    if isinstance(value, (str, bytes)):
        value = value[: limit + 1]  # before repr: the repr of a huge string is huge too
    elif isinstance(value, dict):
        return "a mapping"
    elif not isinstance(value, (int, float)) and value is not None:
        # Never the repr of a structure: it may be large, nested or shared many times over.
        return f"a {type(value).__name__}"
    return _clip(repr(value), limit)


def check_region(value: Any, where: str) -> str:
    """A region name, or a ConfigError saying where the bad one came from."""
    # fullmatch, not `$`: `$` also matches before a trailing newline.
    if not isinstance(value, str) or not _REGION.fullmatch(value):
        raise ConfigError(f"{where}: {quote(value)} is not an AWS region name (like us-east-1)")
    return value


def check_regions(values: list[Any], where: str) -> tuple[str, ...]:
    """Region names in first-seen order, each once: the app keys its tables by region."""
    return tuple(dict.fromkeys(check_region(v, where) for v in values))


def check_refresh(value: Any, where: str) -> float:
    """A refresh interval in seconds, a finite number from MIN_REFRESH to MAX_REFRESH."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    # isfinite only on floats: a huge YAML int would overflow converting to one.
    finite = number and (not isinstance(value, float) or math.isfinite(value))
    if not finite or not MIN_REFRESH <= value <= MAX_REFRESH:
        raise ConfigError(
            f"{where}: refresh must be a number of seconds from {MIN_REFRESH:g} to "
            f"{MAX_REFRESH:g}, got {quote(value)}"
        )
    return float(value)


def check_profile(value: Any, where: str) -> str:
    """A profile name: a plain token as in ~/.aws/config, never control characters."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: profile must be a profile name, got {quote(value)}")
    if _CONTROL.search(value):
        raise ConfigError(
            f"{where}: profile name {quote(value)} contains control characters; "
            "a profile name is a plain word like 'ops'"
        )
    return value


def check_read_only(value: Any, where: str) -> bool:
    """A YAML boolean, nothing else: a guard against changes must not guess what "yes" means."""
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: read_only must be true or false, got {quote(value)}")
    return value


def check_max_lines(value: Any, where: str) -> int:
    """A whole number of log lines within MAX_LINES_RANGE."""
    low, high = MAX_LINES_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(
            f"{where}: max_lines must be a whole number from {low:,} to {high:,}, "
            f"got {quote(value)}"
        )
    return value


def _number(value: Any) -> bool:
    # bool is an int to Python, not to an operator; isfinite only on floats (a huge int
    # would overflow converting).
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return not isinstance(value, float) or math.isfinite(value)


def check_metrics_refresh(value: Any, where: str) -> float:
    """Seconds between metric reads, within METRICS_REFRESH_RANGE."""
    low, high = METRICS_REFRESH_RANGE
    if not _number(value) or not low <= value <= high:
        raise ConfigError(
            f"{where}: metrics_refresh must be a number of seconds from {low:g} to {high:g} "
            f"(CloudWatch's finest period is a minute), got {quote(value)}"
        )
    return float(value)


def check_error_threshold(value: Any, where: str) -> float:
    """A percentage above 0 and at most 100."""
    if not _number(value) or not 0 < value <= 100:
        raise ConfigError(
            f"{where}: error_threshold must be a percentage above 0 and at most 100 "
            f"(5 marks a service when 5% of its requests answer 5xx), got {quote(value)}"
        )
    return float(value)


def check_timezone(value: Any, where: str) -> Zone:
    """'local' or 'utc', in any case ('UTC' is how the zone is usually written)."""
    chosen = value.lower() if isinstance(value, str) else None
    for zone in ZONES:
        if chosen == zone:
            return zone
    raise ConfigError(
        f"{where}: timezone must be local (the machine's zone) or utc, got {quote(value)}"
    )


def _read(path: Path, named_by: str | None) -> str | None:
    """The file's text; None if there is no file and none was named. Only a small regular
    UTF-8 file is read, and never more than MAX_BYTES + 1 of it."""
    if str(path) == os.devnull:  # the usual way to say "no settings file"
        return None
    try:
        # stat before open: opening a FIFO waits for a writer, /dev/zero never ends.
        info = os.stat(path)
        _check_regular(path, info)
        # O_NONBLOCK: should the path become a FIFO after the stat, the open still returns.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            _check_regular(path, info)
            # Bounded by the read, not the stat: a /proc file's size reads as 0 however
            # much it streams.
            data = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        if named_by is None:
            return None
        raise ConfigError(f"{path}: no such settings file (named by {named_by})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if len(data) > MAX_BYTES:
        # The stat's size when it says more; else all that is known is what was read.
        size = f"{info.st_size}" if info.st_size > MAX_BYTES else f"more than {MAX_BYTES}"
        raise ConfigError(
            f"{path}: {size} bytes is too large for a settings file "
            f"(the limit is {MAX_BYTES // 1024} KiB)"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path} line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x} "
            f"at offset {exc.start})"
        ) from None


def _check_regular(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise ConfigError(f"{path}: is {kind}, not a settings file (a small YAML text file)")


def _mapping_node(text: str, path: Path) -> yaml.MappingNode | None:
    import yaml  # only when a settings file exists: keeps it off the first-frame path

    depth = 0
    for bracket in _BRACKET.finditer(text):
        depth = depth + 1 if bracket.group() in "[{" else max(depth - 1, 0)
        if depth > MAX_FLOW_DEPTH:
            line = text.count("\n", 0, bracket.start()) + 1
            raise ConfigError(
                f"{path} line {line}: brackets nested more than {MAX_FLOW_DEPTH} deep"
            )
    try:
        node = yaml.compose(text)
    except RecursionError:  # block nesting thousands deep: the composer recurses per level
        raise ConfigError(f"{path}: nested too deeply to be a settings file") from None
    except yaml.YAMLError as exc:
        if isinstance(exc, yaml.reader.ReaderError):  # a control character: a position, no mark
            line = text.count("\n", 0, exc.position) + 1
            at = f" line {line}"
            problem = f"character U+{exc.character:04X} is not allowed"
        else:
            mark = getattr(exc, "problem_mark", None)
            at = f" line {mark.line + 1}" if mark else ""
            problem = _clip(getattr(exc, "problem", None) or str(exc), 100)
        raise ConfigError(f"{path}{at}: not valid YAML ({problem})") from exc
    if node is None:
        return None
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{path} line {node.start_mark.line + 1}: expected keys like 'regions:'")
    _check_tag(node, f"{path} line {node.start_mark.line + 1}")
    return node


def _check_tag(node: yaml.Node, where: str) -> None:
    if node.tag not in _CORE_TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise ConfigError(
            f"{where}: YAML tag {quote(tag)} is not allowed (settings are plain names, lists "
            "and numbers)"
        )


def _check_nodes(root: yaml.Node, seen: set[int], path: Path, key: str) -> None:
    """Refuse aliases and unknown tags under `root`, before anything is constructed."""
    import yaml

    todo = [root]
    while todo:  # a loop, not recursion: nesting depth is the file's to choose
        node = todo.pop()
        where = f"{path} line {node.start_mark.line + 1}, key {quote(key)}"
        if id(node) in seen:
            # The composer hands back the anchored node itself for an alias: a "billion
            # laughs" is a few nodes seen many times over. Settings never need an alias.
            raise ConfigError(
                f"{where}: the value anchored here is reused by an alias (*name); "
                "aliases are not allowed in settings"
            )
        seen.add(id(node))
        _check_tag(node, where)
        if isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            todo.extend(n for pair in node.value for n in pair)


def load_file(path: Path, named_by: str | None = None) -> Settings:
    """Settings from a YAML file; every error names the file, the line and the key.

    No file gives the defaults, unless the path was `named_by` a flag or a variable (see
    config_path): then it is an error that says so."""
    text = _read(path, named_by)
    if text is None:
        return Settings()
    import yaml

    node = _mapping_node(text, path)
    if node is None:
        return Settings(source=str(path))
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}  # where each key was first set
    seen: set[int] = set()
    constructor = yaml.SafeLoader("")
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise ConfigError(f"{path} line {key_line}: expected a setting name like 'regions:'")
        key = key_node.value
        _check_nodes(key_node, seen, path, key)
        if key not in _KEYS:
            raise ConfigError(
                f"{path} line {key_line}, key {quote(key)}: unknown setting "
                f"(known: {', '.join(_KEYS)})"
            )
        if key in lines:
            raise ConfigError(
                f"{path} line {key_line}, key {quote(key)}: duplicate key (first set on line "
                f"{lines[key]})"
            )
        lines[key] = key_line
        _check_nodes(value_node, seen, path, key)
        where = f"{path} line {value_node.start_mark.line + 1}, key {quote(key)}"
        try:
            value = constructor.construct_document(value_node)
        # A core tag written out with a value it cannot take (`!!int x`, `!!bool maybe`,
        # `!!timestamp soon`) fails in PyYAML's constructors with whatever they raise.
        except Exception as exc:
            problem = getattr(exc, "problem", None) or f"{type(exc).__name__}: {exc}"
            raise ConfigError(f"{where}: cannot read the value ({_clip(problem, 100)})") from None
        if key == "profile":
            values["profile"] = check_profile(value, where)
        elif key == "regions":
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not value:
                raise ConfigError(f"{where}: regions must be a list like [us-east-1, eu-west-1]")
            values["regions"] = check_regions(value, where)
        elif key == "read_only":
            values["read_only"] = check_read_only(value, where)
        elif key == "max_lines":
            values["max_lines"] = check_max_lines(value, where)
        elif key == "metrics_refresh":
            values["metrics_refresh"] = check_metrics_refresh(value, where)
        elif key == "error_threshold":
            values["error_threshold"] = check_error_threshold(value, where)
        elif key == "timezone":
            values["timezone"] = check_timezone(value, where)
        else:
            values["refresh"] = check_refresh(value, where)
    return Settings(source=str(path), **values)


def resolve(
    *,
    profile: str | None = None,
    regions: list[str] | None = None,
    refresh: float | None = None,
    demo: bool = False,
    read_only: bool = False,
    path: Path | None = None,
) -> Settings:
    """File settings with the command line's flags laid over them; `path` is `--config`'s."""
    settings = load_file(*config_path(path))
    if profile:
        settings = replace(settings, profile=check_profile(profile, "--profile"))
    if regions:
        settings = replace(settings, regions=check_regions(regions, "--region"))
    if refresh is not None:
        settings = replace(settings, refresh=check_refresh(refresh, "--refresh"))
    if read_only:
        # Only ever on: leaving the flag out must not undo a file's read_only: true.
        settings = replace(settings, read_only=True)
    if demo:
        # The demo never touches a real account, whatever the profile says.
        settings = replace(
            settings, demo=True, profile=None, regions=settings.regions or DEMO_REGIONS
        )
    return settings
