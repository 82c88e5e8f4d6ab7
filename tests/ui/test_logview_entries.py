"""The log view's plain parts, without an app: search and filter patterns, the errors_only
rule (artui/ui/widgets/logview/patterns.py), and the entries (entries.py): the bounded
buffer, what passes the filter, what matches the search, and the row arithmetic of wrapped
lines, traces, expanded JSON and the window the view shows.
"""

from __future__ import annotations

import ast
import json
import time
from pathlib import Path

import pytest

import artui.ui.widgets.logview as logview
from artui.domain.apprunner import LogEvent
from artui.ui.widgets.logview.entries import (
    CUT,
    INDENT,
    SEQ,
    STAMP_WIDTH,
    TAG,
    TAG_WIDTH,
    TEXT,
    WIDTHS,
    LogEntries,
)
from artui.ui.widgets.logview.patterns import looks_like_error, parse_pattern

T0 = 1_700_000_000_000  # ms
TRACE = 'Traceback (most recent call last):\r\n  File "x.py", line 1\r\nValueError: bad\n'


def event(
    i: int, message: str | None = None, stream: str = "instance/abcdef0123456789"
) -> LogEvent:
    return LogEvent(
        timestamp=T0 + i * 1000 + 7,
        message=f"line {i:05d}" if message is None else message,
        stream=stream,
    )


def events_(start: int, count: int) -> list[LogEvent]:
    return [event(i) for i in range(start, start + count)]


def holding(messages: list[str], **kwargs: int) -> LogEntries:
    entries = LogEntries(**kwargs)
    entries.append([event(i, m) for i, m in enumerate(messages)])
    return entries


def texts(entries: LogEntries) -> list[str]:
    return [entry[TEXT] for entry in entries.shown]


def filter_by(entries: LogEntries, pattern: str | None) -> None:
    entries.filter = parse_pattern(pattern)
    entries.refilter()


def test_the_plain_parts_import_no_textual() -> None:
    plain = ("ansi", "patterns", "json_lines", "entries")
    for name in plain:
        tree = ast.parse((Path(logview.__file__).parent / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "textual" for a in node.names), name
            elif isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] != "textual", name
                assert not node.level or node.module in plain, f"{name} imports .{node.module}"


# -- patterns -----------------------------------------------------------------------------


def test_pattern_parser() -> None:
    assert parse_pattern(None) is None and parse_pattern("") is None
    plain = parse_pattern("a.b [x]")
    assert plain.search("A.B [X]") and not plain.search("aXb [x]")
    assert parse_pattern("/a.b/").search("AXB")
    assert parse_pattern("/").search("a/b")  # a lone slash is plain text
    with pytest.raises(ValueError, match="empty regex"):
        parse_pattern("//")


def test_regex_patterns_and_a_bad_regex() -> None:
    messages = ["Request TIMED OUT", "timeout after 3s", "time out", "in time", "t1meout"]
    entries = holding(messages, max_lines=100)
    assert entries.set_search(parse_pattern("/time(d)? ?out/")) == 3
    with pytest.raises(ValueError, match=r"bad regex /time\(d\? \?out/: missing \)"):
        parse_pattern("/time(d? ?out/")
    filter_by(entries, "/^time/")
    assert texts(entries) == ["timeout after 3s", "time out"]
    with pytest.raises(ValueError):
        parse_pattern("/[/")


@pytest.mark.parametrize(
    "line",
    [
        "ERROR something",
        "error: x",
        "[warn] disk",
        "WARNING low memory",
        "FATAL boom",
        "critical failure",
        "Traceback (most recent call last):",
        "TypeError: x is undefined",
        "java.lang.IllegalStateException",
        '{"level": "error", "msg": "x"}',
        '{"level":"WARN"}',
        '{"level":50,"msg":"x"}',
        "level=warn msg=x",
        '10.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET /a HTTP/1.1" 503 12',
        '{"status": 502}',
        "status=500 path=/x",
        "npm ERR! code E404",
        "panic: runtime error",
    ],
)
def test_looks_like_error(line: str) -> None:
    assert looks_like_error(line)


@pytest.mark.parametrize(
    "line",
    [
        "GET /health 200",
        "errors=0 warnings=0",
        '{"level": "info"}',
        '{"level":30}',
        '10.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET /a HTTP/1.1" 200 5003',
        "processed 503 items",
        "status=200",
    ],
)
def test_looks_fine(line: str) -> None:
    assert not looks_like_error(line)


# -- the buffer ---------------------------------------------------------------------------


def test_the_buffer_is_bounded_and_nothing_grows_past_max_lines() -> None:
    entries = LogEntries(max_lines=100)
    for i in range(20):
        entries.append(events_(i * 50, 50))
    assert len(entries.buffer) == len(entries.shown) == len(entries.starts) == 100
    assert texts(entries)[0] == "line 00900" and texts(entries)[-1] == "line 00999"
    assert entries.end - entries.top == 100  # one row a line, no gap
    assert entries.cursor is not None and entries.cursor >= entries.buffer[0][SEQ]
    entries.append(events_(1000, 250))  # a batch bigger than the buffer: its newest
    assert texts(entries)[0] == "line 01150" and len(entries.buffer) == 100


def test_waiting_counts_the_lines_that_pass_the_filter_while_not_following() -> None:
    entries = LogEntries(max_lines=1000)
    entries.append(events_(0, 10))
    entries.following = False
    entries.append(events_(10, 4))
    entries.append(events_(14, 3))
    assert entries.waiting == 7
    filter_by(entries, "/[05]$/")
    entries.append(events_(17, 10))  # 20 and 25 pass
    assert entries.waiting == 9


def test_prepend_when_full_keeps_the_newest() -> None:
    entries = LogEntries(max_lines=50)
    entries.append(events_(100, 40))
    top = entries.top
    assert entries.prepend(events_(0, 100))
    assert len(entries.buffer) == 50
    assert entries.shown_lines()[0].endswith("line 00090")
    assert entries.top == top - 10 and list(entries.starts) == list(range(top - 10, top + 40))
    assert entries.buffer[0][SEQ] < entries.buffer[10][SEQ]  # older lines, lower seqs
    assert not entries.prepend(events_(0, 10))
    assert len(entries.buffer) == 50


def test_search_counts_new_matching_lines() -> None:
    entries = holding(["needle" if i % 2 else "hay" for i in range(10)], max_lines=10)
    assert entries.set_search(parse_pattern("needle")) == 5
    entries.append([event(10 + i, "needle") for i in range(4)])
    assert len(entries.match_seqs) == 5 - 2 + 4  # four old ones dropped (two matched), four new


def test_matches_wrap_around_from_the_cursor() -> None:
    lines = [f"line {i:02d} {'needle' if i in (3, 8, 15) else 'hay'}" for i in range(20)]
    entries = holding(lines, max_lines=100)
    entries.cursor = entries.shown[0][SEQ]
    entries.set_search(parse_pattern("NEEDLE"))
    assert entries.nearest_match() == entries.shown[3][SEQ]
    entries.cursor = entries.shown[15][SEQ]
    assert entries.match_index == 3
    assert entries.step_match(1) == entries.shown[3][SEQ]  # wrapped around
    entries.cursor = entries.shown[3][SEQ]
    assert entries.step_match(-1) == entries.shown[15][SEQ]  # and backwards
    entries.cursor = entries.shown[19][SEQ]
    assert entries.nearest_match() == entries.shown[15][SEQ] and entries.match_index == 0
    entries.set_search(None)
    assert entries.step_match(1) is None and entries.nearest_match() is None


def test_filter_and_errors_only_choose_the_shown_lines() -> None:
    messages = [
        "GET /health 200",
        "ERROR could not connect",
        "payment ok",
        '{"level": "warn", "msg": "slow"}',
        "java.lang.NullPointerException: boom",
        "payment failed",
    ]
    entries = holding(messages, max_lines=100)
    filter_by(entries, "payment")
    assert texts(entries) == ["payment ok", "payment failed"]
    entries.append([event(10, "payment retried"), event(11, "other")])
    assert len(entries.shown) == 3 and len(entries.buffer) == 8
    filter_by(entries, None)
    entries.errors_only = True
    entries.refilter()
    # The JSON line as shown: its level and message first.
    assert texts(entries) == [messages[1], "WARN slow", messages[4]]
    filter_by(entries, "connect")  # both at once
    assert texts(entries) == [messages[1]]


def test_a_cursor_filtered_out_moves_to_the_next_shown_line() -> None:
    entries = holding(["a 1", "b 2", "a 3", "b 4"], max_lines=10)
    entries.cursor = entries.shown[1][SEQ]
    filter_by(entries, "a")
    entries.snap_cursor()
    assert entries.cursor == entries.buffer[2][SEQ]
    filter_by(entries, "1")
    entries.snap_cursor()
    assert entries.cursor == entries.buffer[0][SEQ]  # none after it: the last shown


def test_trimming_drops_what_pointed_at_the_dropped_lines() -> None:
    entries = holding(['{"a": 1}', "needle", "x", "y", "z"], max_lines=5)
    entries.set_search(parse_pattern("needle"))
    entries.cursor = entries.shown[0][SEQ]
    assert entries.toggle_json(0)
    entries.append(events_(10, 2))
    assert entries.expanded == {} and entries.match_seqs == []
    assert entries.cursor == entries.shown[0][SEQ] and texts(entries)[0] == "x"


def test_clear_drops_everything_and_follows_again() -> None:
    entries = holding(["a", "b"], max_lines=10)
    entries.following = False
    entries.waiting = 2
    entries.clear()
    assert (entries.buffer, entries.shown, list(entries.starts)) == ([], [], [])
    assert entries.following and entries.waiting == 0 and entries.cursor is None
    entries.append([event(5, "c")])
    assert entries.shown[0][SEQ] == 2  # seqs go on growing


# -- one entry ----------------------------------------------------------------------------


def test_a_trace_is_one_entry_over_several_lines() -> None:
    entries = holding([TRACE, "after"], max_lines=100)
    assert len(entries.buffer) == 2
    trace = entries.shown[0]
    assert entries.lines(trace) == [
        "Traceback (most recent call last):",
        '  File "x.py", line 1',
        "ValueError: bad",
    ]
    assert trace[WIDTHS] == (34, 21, 15) and list(entries.starts) == [0, 3]
    filter_by(entries, "File")  # a continuation line's text: the whole trace
    assert len(entries.shown) == 1 and entries.rows(entries.shown[0]) == 3


def test_an_overlong_line_is_cut_with_a_marker() -> None:
    entries = holding(["x" * 50 + "y" * 12_345, "a\n" + "b" * 60], max_line_length=50)
    one, two = entries.shown
    marker = " … [+12,345 chars]"
    assert one[TEXT] == "x" * 50 + marker and one[CUT] == len(marker)
    assert one[WIDTHS] == (50 + len(marker),) and entries.max_width == 50 + len(marker)
    assert two[TEXT] == "a\n" + "b" * 48 + " … [+12 chars]" and two[WIDTHS] == (1, 62)


def test_text_is_made_inert_once_tabs_expanded_and_wide_characters_counted() -> None:
    entries = holding(["\x1b]0;t\x07\x00a\tb", "日本", "\u202eevil"])
    hostile, wide, bidi = entries.shown
    assert hostile[TEXT] == "␛]0;t␇␀a        b" and hostile[WIDTHS] == (17,)
    assert wide[WIDTHS] == (4,)
    assert "\u202e" not in bidi[TEXT]


def test_tags_are_inert_and_cut_to_the_column() -> None:
    entries = LogEntries()
    entries.tagger = lambda e: e.stream.removeprefix("instance/")
    entries.append([event(0, "one"), event(1, "two", stream="instance/\x1b[2Jwiped")])
    assert [entry[TAG] for entry in entries.shown] == ["abcdef01", "␛[2Jwipe"]
    assert all(len(entry[TAG]) <= TAG_WIDTH for entry in entries.shown)


def test_a_json_line_expands_and_the_rows_below_move() -> None:
    payload = {"level": "info", "msg": "[bold]hi[/bold]\u001b]52;c;eA==\u0007", "n": 3}
    logged = json.dumps(payload)
    entries = holding(["plain", logged, "after"])
    entries.max_line_length = 50
    entries.append([event(9, '{"cut": "' + "x" * 60 + '"}')])
    assert list(entries.starts) == [0, 1, 2, 3]
    # Shown compactly, the escape sequence inert (OSC 52 is not SGR: nothing obeyed).
    compact = ("INFO [bold]hi[/bold]␛]52;c;eA==␇ n=3",)
    assert entries.lines(entries.shown[1]) == compact
    assert entries.toggle_json(1)
    assert entries.lines(entries.shown[1]) == (
        "{",
        '  "level": "info",',
        '  "msg": "[bold]hi[/bold]\\u001b]52;c;eA==\\u0007",',
        '  "n": 3',
        "}",
    )
    assert list(entries.starts) == [0, 1, 6, 7] and entries.end == 8
    assert entries.toggle_json(1)  # folded back
    assert list(entries.starts) == [0, 1, 2, 3] and entries.lines(entries.shown[1]) == compact
    assert not entries.toggle_json(0)  # not JSON
    assert not entries.toggle_json(3)  # cut: not the whole JSON, shown as logged
    assert entries.shown[3][TEXT].startswith('{"cut": "xxx')
    assert entries.expanded == {}
    # Escape folds every expanded line at once.
    assert entries.toggle_json(1)
    entries.fold_all()
    assert entries.expanded == {} and list(entries.starts) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "logged, shown",
    [
        # The line: at 80 columns the error text comes before the path.
        (
            {
                "level": "error",
                "msg": "request failed",
                "path": "/api/cart",
                "status": 503,
                "error": "circuit breaker open",
            },
            'ERROR request failed error="circuit breaker open" path=/api/cart status=503',
        ),
        # Other spellings of the level and the message; the level upper case, as others.
        ({"severity": "Warning", "message": "disk 91%", "host": "a"}, "WARNING disk 91% host=a"),
        ({"LVL": "debug", "Msg": "tick"}, "DEBUG tick"),
        # pino's numbers in words; a message that is not text written as JSON.
        ({"level": 50, "msg": {"code": 7}, "pid": 1}, 'ERROR {"code":7} pid=1'),
        ({"level": 35, "msg": "x"}, "35 x"),
        # No message: the error stands in for it.
        ({"level": "error", "error": "boom", "at": "x.py:3"}, "ERROR boom at=x.py:3"),
        # Neither level nor message: the fields alone.
        ({"path": "/a b", "ok": True, "n": None}, 'path="/a b" ok=true n=null'),
        # Values or keys that would read ambiguously are quoted; nested values compact.
        (
            {"msg": "m", "q": 'say "hi"', "eq": "a=b", "a key": [1, {"b": 2}], "e": ""},
            'm q="say \\"hi\\"" eq="a=b" "a key"=[1,{"b":2}] e=""',
        ),
    ],
)
def test_a_json_line_shows_its_level_and_message_first(
    logged: dict[str, object], shown: str
) -> None:
    entries = holding([json.dumps(logged)])
    assert texts(entries) == [shown]
    assert entries.toggle_json(0)  # the whole document, as logged
    assert json.loads("".join(entries.lines(entries.shown[0]))) == logged


@pytest.mark.parametrize(
    "message",
    ["{}", "[1, 2]", '{"a": 1', "{not json}", '"{}"', "{" + '"a":' + "[" * 5000 + "]" * 5000 + "}"],
)
def test_what_is_not_a_json_object_shows_as_logged(message: str) -> None:
    entries = holding([message], max_line_length=20_000)
    assert texts(entries) == [message]
    assert not entries.toggle_json(0)


def test_a_json_line_is_inert_and_searched_as_shown() -> None:
    logged = json.dumps(
        {"level": "info", "msg": "\u001b[2Jwiped\u202e", "who": "\u001b]8;;x\u0007"}
    )
    entries = holding([logged])
    text = entries.shown[0][TEXT]
    assert "\x1b" not in text and "\u202e" not in text
    # The message's escape is drawn as its stand-in; a field's value stays JSON-escaped.
    assert text == 'INFO ␛[2Jwiped<U+202E> who="\\u001b]8;;x\\u0007"'
    assert entries.set_search(parse_pattern("wiped")) == 1
    assert not looks_like_error(text)
    assert looks_like_error(holding([json.dumps({"level": 40, "msg": "slow"})]).shown[0][TEXT])


def test_a_match_past_the_right_edge_is_found_by_its_cells() -> None:
    entries = LogEntries(max_lines=10)
    entries.tagger = lambda e: "abcdef01"
    entries.append([event(0, "x" * 100 + " needle"), event(1, "wide 日本 needle\n  needle")])
    entries.set_search(parse_pattern("needle"))
    prefix = STAMP_WIDTH + TAG_WIDTH + 1
    assert entries.match_cells(0) == (0, prefix + 101, prefix + 107)
    assert entries.match_cells(1) == (0, prefix + 10, prefix + 16)  # 日本: two cells each
    entries.set_search(parse_pattern("/^  needle/"))
    # On a trace's continuation row: the row's indent instead of the columns.
    assert entries.match_cells(1) == (1, prefix + INDENT, prefix + INDENT + 8)
    assert entries.match_cells(0) is None
    entries.set_search(None)
    assert entries.match_cells(0) is None
    # Wrapped at 40 cells: the row the match starts on, and where on that row.
    entries.layout_width = 40
    entries.wrap = True
    entries.lay_out()
    entries.set_search(parse_pattern("needle"))
    first, rest = entries.capacity()
    row = 1 + (101 - first) // rest
    start = first + (row - 1) * rest
    assert entries.match_cells(0) == (
        row,
        prefix + INDENT + 101 - start,
        prefix + INDENT + 107 - start,
    )


def test_shown_lines_with_and_without_timestamps() -> None:
    entries = LogEntries(max_lines=100)
    entries.tagger = lambda e: e.stream.removeprefix("instance/")
    entries.append([event(0, "one"), event(1, "two\n  at x"), event(2, "three")])
    stamp = [
        time.strftime("%H:%M:%S", time.localtime((T0 + i * 1000) // 1000)) + ".007"
        for i in range(3)
    ]
    indent = " " * (13 + 9 + INDENT)
    assert entries.shown_lines() == [
        f"{stamp[0]} abcdef01 one",
        f"{stamp[1]} abcdef01 two",
        f"{indent}  at x",
        f"{stamp[2]} abcdef01 three",
    ]
    entries.timestamps = False
    entries.tagger = None
    assert entries.shown_lines() == ["one", "two", " " * INDENT + "  at x", "three"]
    filter_by(entries, "t")
    assert entries.shown_lines() == ["two", " " * INDENT + "  at x", "three"]


# -- rows ---------------------------------------------------------------------------------


def test_wrapped_rows_follow_the_width_and_the_prefix() -> None:
    entries = holding(["x" * 70, TRACE])
    long, trace = entries.shown
    assert entries.rows(long) == 1 and entries.row_spans(long) == [(0, 0, None)]
    entries.wrap = True  # no width yet: one row a line
    assert entries.rows(long) == 1 and entries.rows(trace) == 3
    entries.layout_width = 40
    first, rest = 40 - STAMP_WIDTH, 40 - STAMP_WIDTH - INDENT
    assert entries.capacity() == (first, rest) == (27, 25)
    assert entries.row_spans(long) == [(0, 0, 27), (0, 27, 52), (0, 52, 77)]
    assert entries.rows(trace) == 2 + 1 + 1  # 34 cells on 27, 21 and 15 on 25
    entries.tagger = lambda e: "t"
    assert entries.prefix_width == STAMP_WIDTH + TAG_WIDTH + 1
    entries.timestamps = False
    assert entries.capacity() == (31, 29)
    entries.lay_out()
    assert list(entries.starts) == [0, 3] and entries.end == 7  # 70: 31 + 29 + 29; 34: 31 + 29


@pytest.fixture
def window() -> LogEntries:
    """Ten lines, the fifth a trace of three: rows 0-3, 4-6, then 7-11."""
    messages = [f"line {i}" for i in range(10)]
    messages[4] = "a\nb\nc"
    entries = holding(messages)
    assert list(entries.starts) == [0, 1, 2, 3, 4, 7, 8, 9, 10, 11] and entries.end == 12
    return entries


def test_rows_and_entries_find_each_other(window: LogEntries) -> None:
    assert [window.index_at(row) for row in (0, 4, 5, 6, 7, 11)] == [0, 4, 4, 4, 5, 9]
    assert window.index_at(12) is None and window.index_at(-1) is None
    assert window.entry_rows(4) == 3 and window.entry_rows(9) == 1
    assert window.index_of(window.shown[6][SEQ]) == 6


def test_revealing_scrolls_the_least(window: LogEntries) -> None:
    assert window.reveal_y(2, 0, 5) == 0  # already in the window
    assert window.reveal_y(0, 3, 5) == 0  # above: to its top
    assert window.reveal_y(4, 0, 5) == 2  # below: its last row at the bottom
    assert window.reveal_y(4, 0, 2) == 4  # taller than the window: its first row


def test_the_anchor_finds_the_same_rows_after_a_new_layout(window: LogEntries) -> None:
    seq = [entry[SEQ] for entry in window.shown]
    window.cursor = seq[9]
    assert window.anchor(2, 5) == (seq[2], 0)  # the cursor is off the window: its top
    window.cursor = seq[3]
    assert window.anchor(2, 5) == (seq[3], 1)  # the cursor, on the window's second row
    window.cursor = None
    assert window.anchor(5, 5) == (seq[4], -1)  # the trace begins a row above
    filter_by(window, "/line [3-9]/")  # one row each now: 3, 5, 6, 7, 8, 9
    assert window.anchored_y((seq[8], 2)) == 2
    assert window.anchored_y((seq[3], 1)) == 0  # cannot go above the first row
    assert window.anchored_y((seq[4], -1)) == 2  # filtered out: the next line shown
    assert window.anchored_y(None) is None


def test_a_page_keeps_the_cursor_on_its_row_of_the_window(window: LogEntries) -> None:
    # The window shows rows 7-11; the cursor is on its last row.
    assert window.page_target(9, -1, 7, 2, 5) == 4  # row 2 + 4 = 6: the trace
    assert window.page_target(2, 1, 0, 5, 5) == 5  # row 2 -> row 7
    assert window.page_target(0, -1, 0, 0, 5) == 0  # the window could not move
    assert window.page_target(9, 1, 7, 7, 5) == 9
    assert window.page_target(5, -1, 7, 6, 5) == 4  # a short move still goes up a line
