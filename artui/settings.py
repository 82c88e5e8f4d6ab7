"""Settings: an optional YAML file, overridden by command-line flags, validated with clear errors.

The file is the one `--config` names, else `$ARTUI_CONFIG`, else
`$XDG_CONFIG_HOME/artui/config.yaml` (default `~/.config/artui/config.yaml`). A file named by
the flag or the variable must exist: a typo must not quietly drop a `read_only: true`. Only
the default one may be absent. Keys (`artui config --default` prints them all): `profile`;
`profiles` (several at once, not with `profile`: a list of names, or a mapping of each name
to its own regions, null for the settings' ones); `regions` (a list, or `all`: every region
botocore lists App Runner in); `refresh` (seconds); `read_only` (true or false); `max_lines`
(log lines a logs pane keeps, 1,000 to 1,000,000); `metrics_refresh` (seconds between
metric reads, 60 to 3600); `error_threshold` (the 5xx share, in percent, that marks a
service on the list); `timezone` (`local` or `utc`: the zone every time on screen is
written in); `keys` (binding id to keys, like `refresh: f5,ctrl+r`) and `theme` (a Textual
theme's name). The app checks binding ids, clashes and theme names: here only their shape.

Flags win: `--profile` (repeatable) replaces the file's profiles and `--region` the settings'
regions; a profile the file gives regions of its own keeps them. resolve() also refuses a
region App Runner is not offered in and a profile botocore does not know (not in the demo),
naming the nearest known ones. Whatever the file or the flags hold, the outcome is Settings
or a ConfigError naming the file, the line and the key: never a traceback, a hang or a
flood of memory.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
from collections.abc import Callable, Sequence
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
    "profiles",
    "regions",
    "refresh",
    "read_only",
    "max_lines",
    "metrics_refresh",
    "error_threshold",
    "timezone",
    "keys",
    "theme",
)
# `regions: all`, `--region all`: every region App Runner is offered in, expanded by resolve.
ALL_REGIONS = "all"
# A settings file is a few lines. Pure-Python PyYAML needs about 0.4 s for 16 KiB of
# flow-style tokens: a bigger file is a mistake or an attack, not settings.
MAX_BYTES = 16 * 1024
# Settings nest two levels at most; PyYAML's scanner slows down (then recurses out of stack)
# on thousands of open brackets, so refuse deep flow nesting before it parses.
MAX_FLOW_DEPTH = 20
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BRACKET = re.compile(r"[\[\]{}]")
_BINDING_ID = re.compile(r"[a-z0-9_.]+")
_THEME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# Binding ids and theme names are a word or two; a key list is a few names.
MAX_NAME = 64
MAX_KEYS = 100
# Set, they send App Runner's calls elsewhere (`artui sim`), where any region may be served.
_ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_APPRUNNER", "AWS_ENDPOINT_URL")
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


def check_profiles(values: Sequence[Any], where: str) -> tuple[Account, ...]:
    """Profiles named by `--profile`, in order; one named twice is a mistake, not a wish."""
    names: list[str] = []
    for value in values:
        name = check_profile(value, where)
        if name in names:
            raise ConfigError(f"{where}: profile {quote(name)} is given twice")
        names.append(name)
    return tuple(Account(name) for name in names)


def check_region_list(value: Any, where: str, problem: str) -> tuple[str, ...]:
    """Region names (or `all`, which resolve expands) in first-seen order; a lone name is a
    list of one. `problem` says what an empty list or a value of another kind should be."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{where}: {problem}")
    return tuple(dict.fromkeys(v if v == ALL_REGIONS else check_region(v, where) for v in value))


def check_binding_id(value: Any, where: str) -> str:
    """A binding's id as the app names it (`refresh`, `action.deploy`); the app checks it is one."""
    if not isinstance(value, str) or len(value) > MAX_NAME or not _BINDING_ID.fullmatch(value):
        raise ConfigError(
            f"{where}: {quote(value)} is not a binding id (lowercase letters, digits, _ and ., "
            "like refresh or action.deploy)"
        )
    return value


def check_keys(value: Any, binding: str, where: str) -> str:
    """Key names separated by commas (`f5,ctrl+r`), as Textual's bindings take them."""
    if isinstance(value, str) and _CONTROL.search(value):
        raise ConfigError(
            f"{where}: the keys for {binding} contain control characters, got {quote(value)}"
        )
    keys = value if isinstance(value, str) and len(value) <= MAX_KEYS else ""
    parts = keys.split(",") if keys else []
    # Textual strips the spaces around each name; one with a space inside is no key.
    if not parts or any(not part.strip() or len(part.strip().split()) > 1 for part in parts):
        raise ConfigError(
            f"{where}: the keys for {binding} must be key names separated by commas, like "
            f"f5,ctrl+r (a digit quoted: '5'), got {quote(value)}"
        )
    return keys


def check_theme(value: Any, where: str) -> str:
    """A theme's name, short and plain; whether Textual has it is the app's to say."""
    if not isinstance(value, str) or len(value) > MAX_NAME or not _THEME.fullmatch(value):
        raise ConfigError(
            f"{where}: theme must be a theme's name like nord or textual-light (letters, "
            f"digits, -, _ and ., at most {MAX_NAME}), got {quote(value)}"
        )
    return value


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


def _construct(constructor: yaml.SafeLoader, node: yaml.Node, where: str) -> Any:
    try:
        return constructor.construct_document(node)
    # A core tag written out with a value it cannot take (`!!int x`, `!!bool maybe`,
    # `!!timestamp soon`) fails in PyYAML's constructors with whatever they raise.
    except Exception as exc:
        problem = getattr(exc, "problem", None) or f"{type(exc).__name__}: {exc}"
        raise ConfigError(f"{where}: cannot read the value ({_clip(problem, 100)})") from None


_PROFILES_SHAPE = (
    "profiles must be a list like [prod, staging], or a mapping of each profile to its "
    "regions like {prod: [us-east-1, eu-west-1], staging: null}"
)


def _load_profiles(
    node: yaml.Node, read: Callable[[yaml.Node, str], Any], path: Path
) -> tuple[tuple[Account, ...], dict[str, str]]:
    """`profiles:` as Accounts, and where each was named (for resolve's errors)."""
    import yaml

    entries: list[tuple[yaml.Node, yaml.Node | None]]
    if isinstance(node, yaml.MappingNode):
        entries = list(node.value)
    elif isinstance(node, yaml.SequenceNode):
        entries = [(item, None) for item in node.value]
    else:
        entries = [(node, None)]  # `profiles: prod`, as `regions: us-east-1` is a list of one
    head = f"{path} line {node.start_mark.line + 1}, key 'profiles'"
    if not entries or (isinstance(node, yaml.ScalarNode) and not isinstance(read(node, head), str)):
        raise ConfigError(f"{head}: {_PROFILES_SHAPE}")
    accounts: list[Account] = []
    lines: dict[str, int] = {}
    origins: dict[str, str] = {}
    for name_node, regions_node in entries:
        line = name_node.start_mark.line + 1
        where = f"{path} line {line}, key 'profiles'"
        name = check_profile(read(name_node, where), where)
        if name in lines:
            raise ConfigError(
                f"{where}: profile {quote(name)} is named twice (first on line {lines[name]})"
            )
        lines[name] = line
        origins[name] = where
        regions = read(regions_node, where) if regions_node is not None else None
        if regions is not None:  # null: the settings' regions
            regions = check_region_list(
                regions,
                where,
                f"the regions of profile {quote(name)} must be a list like "
                "[us-east-1, eu-west-1], all, or null (the settings' regions)",
            )
        accounts.append(Account(name, regions or ()))
    return tuple(accounts), origins


def _load_keys(
    node: yaml.Node, read: Callable[[yaml.Node, str], Any], path: Path
) -> tuple[tuple[str, str, int], ...]:
    """`keys:` as (binding id, keys, line): the app names the line when it refuses one."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(
            f"{path} line {node.start_mark.line + 1}, key 'keys': keys must be a mapping of "
            "binding id to keys, like {refresh: f5, help: 'f1,question_mark'}"
        )
    keys: list[tuple[str, str, int]] = []
    lines: dict[str, int] = {}
    for id_node, keys_node in node.value:
        line = id_node.start_mark.line + 1
        where = f"{path} line {line}, key 'keys'"
        binding = check_binding_id(read(id_node, where), where)
        if binding in lines:
            raise ConfigError(
                f"{where}: binding {binding} is given keys twice (first on line {lines[binding]})"
            )
        lines[binding] = line
        keys.append((binding, check_keys(read(keys_node, where), binding, where), line))
    return tuple(keys)


@dataclass(frozen=True)
class _Loaded:
    """A file's settings before resolve settles them: a lone `profile:` is one of
    `profiles`, `all` is not yet expanded. `origins`: where each profile was named."""

    settings: Settings
    regions_origin: str = "--region"
    origins: dict[str, str] = field(default_factory=dict)


def _load(path: Path, named_by: str | None) -> _Loaded:
    text = _read(path, named_by)
    if text is None:
        return _Loaded(Settings())
    import yaml

    node = _mapping_node(text, path)
    if node is None:
        return _Loaded(Settings(source=str(path)))
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}  # where each key was first set
    loaded = _Loaded(Settings())
    seen: set[int] = set()
    constructor = yaml.SafeLoader("")

    def read(node: yaml.Node, where: str) -> Any:
        return _construct(constructor, node, where)

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
        other = {"profile": "profiles", "profiles": "profile"}.get(key)
        if other in lines:
            raise ConfigError(
                f"{path} line {key_line}, key {quote(key)}: {other} (line {lines[other]}) and "
                f"{key} (line {key_line}) cannot both be set; list every profile under profiles"
            )
        lines[key] = key_line
        _check_nodes(value_node, seen, path, key)
        where = f"{path} line {value_node.start_mark.line + 1}, key {quote(key)}"
        if key == "profiles":
            values["profiles"], origins = _load_profiles(value_node, read, path)
            loaded = replace(loaded, origins=origins)
            continue
        if key == "keys":
            values["keys"] = _load_keys(value_node, read, path)
            continue
        value = read(value_node, where)
        if key == "profile":
            # One of `profiles` until resolve settles them: `--profile` replaces either.
            values["profiles"] = (Account(check_profile(value, where)),)
            loaded = replace(loaded, origins={value: where})
        elif key == "regions":
            values["regions"] = check_region_list(
                value, where, "regions must be a list like [us-east-1, eu-west-1], or all"
            )
            loaded = replace(loaded, regions_origin=where)
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
        elif key == "theme":
            values["theme"] = check_theme(value, where)
        else:
            values["refresh"] = check_refresh(value, where)
    return replace(loaded, settings=Settings(source=str(path), **values))


def _settle(settings: Settings) -> Settings:
    """One profile is `profile` (with its regions, if it names any), as before `profiles`
    existed; the demo shows simulated accounts, so one profile there is none."""
    if len(settings.profiles) == 1:
        (only,) = settings.profiles
        settings = replace(
            settings, profile=only.profile, regions=only.regions or settings.regions, profiles=()
        )
    if settings.demo:
        settings = replace(settings, profile=None, regions=settings.regions or DEMO_REGIONS)
    return settings


def load_file(path: Path, named_by: str | None = None) -> Settings:
    """Settings from a YAML file; every error names the file, the line and the key.

    No file gives the defaults, unless the path was `named_by` a flag or a variable (see
    config_path): then it is an error that says so. `regions: all` stays ("all",) here:
    resolve expands it (and checks names against botocore's lists)."""
    return _settle(_load(path, named_by).settings)


def _nearest(name: str, names: Sequence[str], quoted: bool = False) -> list[str]:
    close = difflib.get_close_matches(name, names, n=3)
    return [quote(n) if quoted else n for n in close]


def _either(names: list[str]) -> str:
    """`a`, `a or b`, `a, b or c`."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _check_known_region(
    region: str, where: str, offered: tuple[str, ...], known: frozenset[str]
) -> None:
    """Refuse a region App Runner is not offered in, with the nearest names that it is."""
    # With App Runner's endpoint set elsewhere (`artui sim`), any real region may be served.
    redirected = any(os.environ.get(name) for name in _ENDPOINT_VARIABLES)
    accepted = sorted(known | set(offered)) if redirected and known else list(offered)
    if region in accepted:
        return
    near = _nearest(region, accepted)
    if region in known:
        hint = (
            f"; the nearest where it is: {', '.join(near)}"
            if near
            else f"; it is in {', '.join(offered)}"
        )
        raise ConfigError(
            f"{where}: App Runner is not offered in {region} (botocore lists that region for "
            f"other services){hint}"
        )
    hint = f"did you mean {_either(near)}?" if near else f"App Runner's: {', '.join(offered)}"
    raise ConfigError(f"{where}: {quote(region)} is not an AWS region ({hint})")


def _known_regions(
    regions: tuple[str, ...], where: str, offered: tuple[str, ...], known: frozenset[str]
) -> tuple[str, ...]:
    """`regions` checked against botocore's lists, `all` expanded in place."""
    chosen: list[str] = []
    for region in regions:
        if region == ALL_REGIONS:
            chosen.extend(offered)
        else:
            _check_known_region(region, where, offered, known)
            chosen.append(region)
    return tuple(dict.fromkeys(chosen))


def choices() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The profiles in botocore's files and the regions App Runner is offered in: what the
    palette offers to add (none of either when botocore cannot say)."""
    from artui.aws.names import Unreadable, apprunner_regions, profiles

    try:
        names = profiles().names
    except Unreadable:
        names = ()
    return tuple(names), apprunner_regions()


def _check_known_profiles(accounts: tuple[Account, ...], origins: dict[str, str]) -> None:
    """Refuse a profile that is in neither of botocore's files, with the nearest that are."""
    from artui.aws.names import Unreadable, profiles  # botocore: only now, never on import

    try:
        found = profiles()
    except Unreadable as exc:  # a config file botocore cannot parse: say so, once
        first = origins.get(str(accounts[0].profile), "--profile")
        raise ConfigError(
            f"{first}: cannot read the AWS profiles ({_clip(str(exc), 200)})"
        ) from None
    known = list(found.names)
    for account in accounts:
        name = str(account.profile)
        if name in known:
            continue
        near = _nearest(name, known, quoted=True)
        if near:
            hint = f"did you mean {_either(near)}?"
        elif known:
            shown = ", ".join(quote(n) for n in known[:10])
            hint = f"its profiles: {shown}{', …' if len(known) > 10 else ''}"
        else:
            hint = f"there are none: `aws configure --profile {name}` makes one"
        raise ConfigError(
            f"{origins.get(name, '--profile')}: no profile {quote(name)} in "
            f"{' or '.join(found.files)} ({hint})"
        )


def _check_known(loaded: _Loaded, settings: Settings) -> Settings:
    """Regions and profiles checked against botocore's lists, `all` expanded; botocore is
    imported only when there is a name to check (it costs about 0.15 s)."""
    named = bool(settings.regions) or any(a.regions for a in settings.profiles)
    if named:
        from artui.aws.names import apprunner_regions, every_region

        offered, known = apprunner_regions(), every_region()
        accounts = tuple(
            replace(
                a,
                regions=_known_regions(
                    a.regions, loaded.origins.get(str(a.profile), "--profile"), offered, known
                ),
            )
            for a in settings.profiles
        )
        regions = _known_regions(settings.regions, loaded.regions_origin, offered, known)
        settings = replace(settings, regions=regions, profiles=accounts)
    if settings.profiles and not settings.demo:  # the demo's profiles only label accounts
        _check_known_profiles(settings.profiles, loaded.origins)
    return settings


def resolve(
    *,
    profile: str | Sequence[str] | None = None,
    regions: list[str] | None = None,
    refresh: float | None = None,
    demo: bool = False,
    read_only: bool = False,
    path: Path | None = None,
) -> Settings:
    """File settings with the command line's flags laid over them; `path` is `--config`'s.

    `profile` is `--profile`'s value, or its values when repeated: they replace the file's
    profiles. Regions and profiles are checked against botocore's lists here (once, at start)."""
    loaded = _load(*config_path(path))
    settings = loaded.settings
    if profile:
        names = [profile] if isinstance(profile, str) else list(profile)
        settings = replace(settings, profiles=check_profiles(names, "--profile"))
        loaded = replace(loaded, origins={})
    if regions:
        problem = "--region needs a region name"
        settings = replace(settings, regions=check_region_list(regions, "--region", problem))
        loaded = replace(loaded, regions_origin="--region")
    if refresh is not None:
        settings = replace(settings, refresh=check_refresh(refresh, "--refresh"))
    if read_only:
        # Only ever on: leaving the flag out must not undo a file's read_only: true.
        settings = replace(settings, read_only=True)
    if demo:
        # The demo never touches a real account: its profiles only label simulated ones.
        settings = replace(settings, demo=True)
    return _settle(_check_known(loaded, settings))


def default_file() -> str:
    """A settings file with every key at its default, commented (`artui config --default`);
    load_file reads it as Settings()."""
    # Keys whose default is an absence (botocore's profile, its region, Textual's theme) are
    # commented out: a value written for them would no longer be the default.
    return f"""\
# artui settings, every key at its default (`artui config --default` printed this).
# artui reads --config FILE, else $ARTUI_CONFIG, else $XDG_CONFIG_HOME/artui/config.yaml
# (~/.config/artui/config.yaml). Flags win over this file. A # starts a comment.

# The AWS profile (default: botocore's chain, $AWS_PROFILE else the default profile).
#profile: prod

# Several profiles at once, instead of profile: a list of names, or each name with its
# own regions (null: the regions below). --profile, once or more, replaces them.
#profiles: [prod, staging]
#profiles: {{prod: [us-east-1, eu-west-1], staging: null}}

# The regions shown: a list, or all (every region App Runner is offered in). Default: the
# profile's own region. --region replaces them, except where profiles names its own.
#regions: [us-east-1, eu-west-1]

# Seconds between refreshes ({MIN_REFRESH:g} to {MAX_REFRESH:g}).
refresh: {DEFAULT_REFRESH:g}

# true: never change anything (deploy, pause, resume and delete are off). --read-only can
# turn it on, never off.
read_only: false

# Log lines a logs pane keeps ({MAX_LINES_RANGE[0]} to {MAX_LINES_RANGE[1]}).
max_lines: {DEFAULT_MAX_LINES}

# Seconds between metric reads ({METRICS_REFRESH_RANGE[0]:g} to {METRICS_REFRESH_RANGE[1]:g}; \
CloudWatch's finest period is a minute).
metrics_refresh: {DEFAULT_METRICS_REFRESH:g}

# The 5xx share, in percent, that marks a service on the list (above 0, at most 100).
error_threshold: {DEFAULT_ERROR_THRESHOLD:g}

# The zone times on screen are written in: local (the machine's) or utc.
timezone: {ZONES[0]}

# Keys of your own: a binding's id, then its keys separated by commas (default: artui's).
#keys:
#  refresh: f5,ctrl+r
#  help: f1

# The colour theme, one of Textual's (default: Textual's own, textual-dark).
#theme: nord
"""
