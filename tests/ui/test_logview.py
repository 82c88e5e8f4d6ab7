"""The log view widget (artui/ui/widgets/logview/): bounded, following, searching,
filtering, wrapping, and showing untrusted log text as text, through the Pilot.

A tiny app holds one LogView; the tests read what its rows show (`render_line`) and, for
escape sequences, every byte the app wrote to its terminal. The plain parts are tested
without an app: the entries and patterns in test_logview_entries.py, ANSI in test_ansi.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence

import pytest
import textual.drivers.headless_driver as headless
from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from artui.domain.apprunner import LogEvent
from artui.ui.widgets.logview import INDENT, LogView
from tests.ui.test_hostile_text import (
    BYTES,
    CLIPBOARD,
    LINK,
    TITLE,
    WIPE,
    RecordingDriver,
    assert_inert,
)
from tests.uihelp import wait_until

T0 = 1_700_000_000_000  # ms
CURSOR_MOVE = "\x1b[7;99HPWNED"  # Textual never writes PWNED right after a cursor move


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


class LogApp(App):
    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.kwargs = kwargs
        self.changes: list[LogView.Changed] = []
        self.tops = 0

    def compose(self) -> ComposeResult:
        yield LogView(id="log", **self.kwargs)

    def on_log_view_changed(self, message: LogView.Changed) -> None:
        self.changes.append(message)

    def on_log_view_reached_top(self, message: LogView.ReachedTop) -> None:
        self.tops += 1

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)


def rows(view: LogView) -> list[str]:
    """What each row of the view shows, right-trimmed."""
    width, height = view.scrollable_content_region.size
    return [view.render_line(y).text[:width].rstrip() for y in range(height)]


def screen_text(view: LogView) -> str:
    return "\n".join(rows(view))


async def shows(pilot: Pilot, view: LogView, text: str) -> None:
    await wait_until(pilot, lambda: text in screen_text(view), f"{text!r} on screen")


async def feed(pilot: Pilot, view: LogView, batches: Sequence[list[LogEvent]]) -> None:
    for batch in batches:
        view.append(batch)
        await pilot.pause()


async def applied(pilot: Pilot, view: LogView) -> None:
    """Wait for the view to flush what was appended: the moment it would move, if it did."""
    await wait_until(pilot, lambda: not view.pending, "the new lines applied")


def run(size: tuple[int, int] = (80, 12), **kwargs) -> tuple[LogApp, object]:
    app = LogApp(**kwargs)
    return app, app.run_test(size=size)


# -- bounded and following ----------------------------------------------------------------


async def test_newest_line_on_screen_once_the_buffer_is_full() -> None:
    app, running = run(max_lines=100)
    async with running as pilot:
        view = app.view
        await feed(pilot, view, [events_(0, 100)])
        await shows(pilot, view, "line 00099")
        # 1,000 more in batches, as a tail sends them: the view must not freeze when full.
        await feed(pilot, view, [events_(100 + i * 50, 50) for i in range(20)])
        await shows(pilot, view, "line 01099")
        assert view.held == 100 and view.shown == 100
        assert rows(view)[-1].endswith("line 01099")
        # Nothing grows past max_lines.
        assert len(view.entries.starts) == len(view.entries.shown) == 100
        view.append(events_(1100, 1))
        await shows(pilot, view, "line 01100")
        assert view.following


async def test_follow_toggle_counts_waiting_lines() -> None:
    app, running = run(max_lines=1000)
    async with running as pilot:
        view = app.view
        view.focus()
        await feed(pilot, view, [events_(0, 30)])
        await shows(pilot, view, "line 00029")
        await pilot.press("f")
        assert not view.following and view.waiting == 0
        assert app.changes and not app.changes[-1].following  # told at once, on the key
        before = rows(view)
        await feed(pilot, view, [events_(30, 4), events_(34, 3)])
        assert view.waiting == 7
        await wait_until(pilot, lambda: app.changes[-1].waiting == 7, "Changed with 7 waiting")
        await applied(pilot, view)
        assert rows(view) == before  # not following: the view did not move
        await pilot.press("f")
        assert view.following and view.waiting == 0
        await shows(pilot, view, "line 00036")


async def test_scrolling_up_stops_following_and_new_lines_do_not_move_the_view() -> None:
    app, running = run(max_lines=1000)
    async with running as pilot:
        view = app.view
        view.focus()
        await feed(pilot, view, [events_(0, 200)])
        await shows(pilot, view, "line 00199")
        view.post_message(events.MouseScrollUp(view, 5, 5, 0, -1, 0, False, False, False))
        await wait_until(pilot, lambda: not view.following, "following to stop")
        before = rows(view)
        assert "line 00199" not in "\n".join(before)
        await feed(pilot, view, [events_(200 + i * 10, 10) for i in range(5)])
        await applied(pilot, view)
        assert rows(view) == before
        assert view.waiting == 50
        await pilot.press("end")
        assert view.following
        await shows(pilot, view, "line 00249")


async def test_the_cursor_key_up_stops_following_and_old_lines_drop_under_the_view() -> None:
    app, running = run(max_lines=100)
    async with running as pilot:
        view = app.view
        view.focus()
        await feed(pilot, view, [events_(0, 100)])
        await shows(pilot, view, "line 00099")
        await pilot.press("up", "up", "up")
        assert not view.following
        shown = rows(view)
        assert shown[-4].endswith("line 00096")  # the cursor's row is still on screen
        # 20 more: 20 old lines go above, the lines on screen stay where they were.
        await feed(pilot, view, [events_(100, 20)])
        await applied(pilot, view)
        assert rows(view) == shown
        assert view.held == 100
        # Enough to drop the lines on screen themselves: the view shows the oldest left.
        await feed(pilot, view, [events_(120, 100)])
        await shows(pilot, view, "line 00120")
        assert rows(view)[0].endswith("line 00120")


async def test_home_reaches_the_top_and_prepend_keeps_the_view_on_the_same_lines() -> None:
    app, running = run(max_lines=1000)
    async with running as pilot:
        view = app.view
        view.focus()
        await feed(pilot, view, [events_(100, 100)])
        await shows(pilot, view, "line 00199")
        await pilot.press("home")
        assert app.tops == 1 and not view.following
        await pilot.press("down", "down")
        before = rows(view)
        assert before[0].endswith("line 00100")
        view.prepend(events_(40, 60))
        await pilot.pause()
        assert rows(view) == before
        assert view.held == 160 and view.cursor_line == 62
        await pilot.press("home")
        await shows(pilot, view, "line 00040")
        assert app.tops == 2


# -- search and filter --------------------------------------------------------------------


def highlighted(view: LogView, y: int) -> list[str]:
    """Text of the row's segments that carry a background other than the row's own."""
    strip = view.render_line(y)
    base = strip._segments[-1].style.bgcolor if strip._segments else None
    return [s.text for s in strip if s.style and s.style.bgcolor not in (None, base)]


async def test_search_highlights_matches_and_n_and_N_move_the_cursor_around() -> None:
    app, running = run(max_lines=1000, size=(80, 24))
    async with running as pilot:
        view = app.view
        view.focus()
        lines = [
            event(i, f"line {i:02d} {'needle' if i in (3, 8, 15) else 'hay'}") for i in range(20)
        ]
        await feed(pilot, view, [lines])
        await shows(pilot, view, "line 19")
        await pilot.press("home")
        assert view.search("NEEDLE") == 3  # case-insensitive
        assert view.cursor_line == 3 and view.match_index == 1 and not view.following
        found = [y for y in range(20) if any("needle" in t for t in highlighted(view, y))]
        assert found == [3, 8, 15]
        await pilot.press("n")
        assert view.cursor_line == 8
        await pilot.press("n", "n")
        assert view.cursor_line == 3  # wrapped around
        await pilot.press("N")
        assert view.cursor_line == 15  # and backwards
        assert app.changes[-1].matches == 3 and app.changes[-1].match_index == 3
        assert view.previous_match() and view.cursor_line == 8
        assert view.search(None) == 0
        assert not view.next_match()
        assert view.search("/ne+dle/") == 3  # a regex between slashes
        with pytest.raises(ValueError, match=r"bad regex /ne\(dle/: missing \)"):
            view.search("/ne(dle/")
        assert view.matches == 3  # a bad regex changes nothing
        assert view.search("absent") == 0


async def test_filter_and_errors_only() -> None:
    app, running = run(max_lines=100, size=(80, 24))
    async with running as pilot:
        view = app.view
        messages = [
            "GET /health 200",
            "ERROR could not connect",
            "payment ok",
            '{"level": "warn", "msg": "slow"}',
            "java.lang.NullPointerException: boom",
            "payment failed",
        ]
        await feed(pilot, view, [[event(i, m) for i, m in enumerate(messages)]])
        view.set_filter("payment")
        assert view.shown == 2 and view.filtered
        assert "payment ok" in screen_text(view) and "ERROR" not in screen_text(view)
        await wait_until(pilot, lambda: app.changes[-1].shown == 2, "Changed with 2 shown")
        view.append([event(10, "payment retried"), event(11, "other")])
        await shows(pilot, view, "payment retried")
        assert view.shown == 3 and view.held == 8
        with pytest.raises(ValueError):
            view.set_filter("/[/")
        assert view.shown == 3  # a bad filter changes nothing
        view.set_filter(None)
        view.errors_only = True
        assert view.shown == 3
        text = screen_text(view)
        assert "ERROR could not" in text and "slow" in text and "NullPointer" in text
        assert "payment" not in text
        view.errors_only = False
        assert view.shown == 8 and not view.filtered


# -- how lines are shown ------------------------------------------------------------------


async def test_wrap_and_timestamps_toggles() -> None:
    app, running = run(max_lines=100, size=(40, 10))
    async with running as pilot:
        view = app.view
        view.focus()
        long = "A" * 30 + "B" * 30 + "C" * 10
        await feed(pilot, view, [[event(0, "first"), event(1, long)]])
        await shows(pilot, view, "first")
        stamp = time.strftime("%H:%M:%S", time.localtime((T0 + 1007) // 1000)) + ".007"
        shown = rows(view)
        assert shown[1].startswith(stamp + " AAAA") and "C" not in shown[1]
        assert shown[2] == ""
        await pilot.press("w")
        assert view.wrap
        shown = rows(view)
        width = view.scrollable_content_region.width
        assert shown[1] == stamp + " " + "A" * (width - 13)
        continuation = " " * (13 + INDENT)
        assert shown[2].startswith(continuation) and shown[2].strip()
        assert "".join(r.strip() for r in shown[1:5]).replace(stamp, "").endswith("C" * 10)
        await pilot.press("t")
        assert not view.timestamps
        shown = rows(view)
        assert shown[0] == "first"
        assert shown[1] == "A" * 30 + "B" * (width - 30)
        await pilot.press("w")
        assert rows(view)[1] == ("A" * 30 + "B" * 30 + "C" * 10)[:width]


async def test_a_trace_is_one_entry_with_indented_continuation_rows() -> None:
    app, running = run(max_lines=100, size=(80, 10))
    async with running as pilot:
        view = app.view
        view.timestamps = False
        trace = 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: bad\n'
        await feed(pilot, view, [[event(0, trace), event(1, "after")]])
        await shows(pilot, view, "after")
        assert rows(view)[:4] == [
            "Traceback (most recent call last):",
            " " * INDENT + '  File "x.py", line 1',
            " " * INDENT + "ValueError: bad",
            "after",
        ]
        assert view.held == 2
        view.set_filter("File")
        assert view.shown == 1 and rows(view)[2] == " " * INDENT + "ValueError: bad"


async def test_enter_expands_and_collapses_a_json_line() -> None:
    app, running = run(max_lines=100, size=(80, 12))
    async with running as pilot:
        view = app.view
        view.focus()
        view.timestamps = False
        payload = {"level": "info", "msg": "[bold]hi[/bold]\u001b]52;c;eA==\u0007", "n": 3}
        logged = json.dumps(payload)
        compact = "INFO [bold]hi[/bold]␛]52;c;eA==␇ n=3"
        await feed(pilot, view, [[event(0, "plain"), event(1, logged)]])
        await shows(pilot, view, "INFO")
        assert rows(view)[1] == compact  # level and message first, on one row
        await pilot.press("enter")
        shown = rows(view)
        assert shown[1:6] == [
            "{",
            " " * INDENT + '  "level": "info",',
            " " * INDENT + '  "msg": "[bold]hi[/bold]\\u001b]52;c;eA==\\u0007",',
            " " * INDENT + '  "n": 3',
            " " * INDENT + "}",
        ]
        await pilot.press("enter")
        assert rows(view)[1] == compact and rows(view)[2] == ""
        await pilot.press("up", "enter")  # not JSON: nothing happens
        assert rows(view)[:2] == ["plain", compact]
        await pilot.press("down", "enter")
        assert rows(view)[2].strip() == '"level": "info",'
        assert view.fold_json()  # what escape in the logs pane does first
        assert rows(view)[1:3] == [compact, ""]
        assert not view.fold_json()


async def test_a_search_match_past_the_right_edge_scrolls_into_view() -> None:
    app, running = run(max_lines=100, size=(80, 12))
    async with running as pilot:
        view = app.view
        view.focus()
        far = "x" * 150 + " needle " + "y" * 50
        await feed(pilot, view, [[event(0, "needle near"), event(1, "hay"), event(2, far)]])
        await shows(pilot, view, "hay")
        assert "needle" not in rows(view)[2]
        view.search("needle")  # the nearest match at or after the cursor: the far one
        assert view.cursor_line == 2
        assert "needle" in rows(view)[2] and view.scroll_x > 0
        await pilot.press("n")  # the next, at the left edge: back to the start
        assert view.cursor_line == 0 and view.scroll_x == 0
        assert rows(view)[0].endswith("needle near")
        await pilot.press("N")
        assert "needle" in rows(view)[2] and view.scroll_x > 0


async def test_overlong_line_is_cut_with_a_marker() -> None:
    app, running = run(max_lines=100, max_line_length=50, size=(120, 6))
    async with running as pilot:
        view = app.view
        view.timestamps = False
        await feed(pilot, view, [[event(0, "x" * 50 + "y" * 12_345)]])
        await shows(pilot, view, "chars]")
        assert rows(view)[0] == "x" * 50 + " … [+12,345 chars]"


async def test_shown_lines_with_and_without_timestamps() -> None:
    """What is saved is what is shown (the format itself: test_logview_entries.py)."""
    app, running = run(max_lines=100)
    async with running as pilot:
        view = app.view
        view.tagger = lambda e: e.stream.removeprefix("instance/")
        await feed(pilot, view, [[event(0, "one"), event(1, "two\n  at x"), event(2, "three")]])
        await shows(pilot, view, "three")
        stamp = time.strftime("%H:%M:%S", time.localtime(T0 // 1000)) + ".007"
        assert rows(view)[0] == f"{stamp} abcdef01 one"
        assert view.shown_lines() == rows(view)[:4]
        view.timestamps = False
        view.tagger = None
        assert (
            view.shown_lines() == rows(view)[:4] == ["one", "two", " " * INDENT + "  at x", "three"]
        )
        view.set_filter("t")
        assert view.shown_lines() == rows(view)[:3]


# -- untrusted text -----------------------------------------------------------------------


async def test_markup_in_a_line_is_shown_literally_and_never_run() -> None:
    app, running = run(max_lines=100, size=(80, 6))
    async with running as pilot:
        view = app.view
        view.timestamps = False
        await feed(pilot, view, [[event(0, "[bold]x[/bold] [@click=app.quit]quit[/] :smile:")]])
        await shows(pilot, view, "[@click=app.quit]")
        assert rows(view)[0] == "[bold]x[/bold] [@click=app.quit]quit[/] :smile:"
        strip = view.render_line(0)
        assert not any(s.style and (s.style.bold or s.style.link) for s in strip)
        await pilot.click(LogView, offset=(len("[bold]x[/bold] [@click=app.quit]q"), 0))
        await pilot.pause()
        assert app.is_running and app.return_code is None


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    monkeypatch.setattr(headless, "HeadlessDriver", RecordingDriver)
    RecordingDriver.written = []
    yield RecordingDriver.written


async def test_escape_sequences_are_shown_inert_and_never_reach_the_terminal(
    recorded: list[str],
) -> None:
    hostile = [
        f"wipe {WIPE} done",
        f"title {TITLE}",
        f"clip {CLIPBOARD}",
        f"link {LINK} end",
        f"bytes {BYTES}",
        f"move {CURSOR_MOVE}",
        '{"k": "\x1b]52;c;aGVsbG8=\x07"}',
    ]
    app = LogApp(max_lines=100)
    async with app.run_test(size=(160, 20)) as pilot:
        view = app.view
        view.focus()
        view.timestamps = False
        view.search("hello")
        await feed(pilot, view, [[event(i, m) for i, m in enumerate(hostile)]])
        await shows(pilot, view, "move ")
        await pilot.press("enter")  # the JSON line, expanded
        await pilot.pause()
        text = screen_text(view)
        assert "␛[2J" in text and "RED" in text  # the SGR red is kept, as colour
        assert "␛]0;PWNED-TITLE␇" in text
        assert "␛]52;c;aGVsbG8=␇" in text
        assert "␛]8;;http://evil.example␛\\click␛]8;;␛\\" in text
        assert "␀nul␡del\\x9b31mcsi<U+202E>evil" in text
        assert "␛[7;99HPWNED" in text
        assert not any(s.style and s.style.link for y in range(20) for s in view.render_line(y))
    output = "".join(recorded)
    assert "␛]52;c;aGVsbG8=␇" in output and "␛[7;99HPWNED" in output  # painted, as text
    assert_inert(output)
    for raw in ("\x1b]52", "\x1b]8;", CURSOR_MOVE, "\x1b]0;"):
        assert raw not in output, f"{raw!r} reached the terminal"


async def test_sgr_red_is_drawn_red() -> None:
    app, running = run(max_lines=10)
    async with running as pilot:
        view = app.view
        view.timestamps = False
        await feed(pilot, view, [[event(0, "ok \x1b[31mred\x1b[0m ok")]])
        await shows(pilot, view, "ok red ok")
        red = [s for s in view.render_line(0) if s.text == "red"]
        assert red and red[0].style.color.number == 1


# -- messages -----------------------------------------------------------------------------


async def test_changed_is_coalesced_under_a_flood() -> None:
    app, running = run(max_lines=1000)
    async with running as pilot:
        view = app.view
        view.focus()
        await pilot.press("f")
        start = len(app.changes)
        for i in range(40):
            view.append(events_(i * 10, 10))
            await pilot.pause()
        await wait_until(pilot, lambda: app.changes[-1].waiting == 400, "the last count")
        assert len(app.changes) - start < 40  # not one per batch


async def test_wrapped_rows_are_laid_out_again_when_the_width_changes() -> None:
    app, running = run(max_lines=100, size=(40, 12))
    async with running as pilot:
        view = app.view
        view.timestamps = False
        view.wrap = True  # before any line and before the view has a size
        await feed(pilot, view, [[event(0, "x" * 70), event(1, "after")]])
        await shows(pilot, view, "after")
        width = view.scrollable_content_region.width
        assert rows(view)[:3] == ["x" * width, " " * INDENT + "x" * (70 - width), "after"]
        await pilot.resize_terminal(30, 12)
        await wait_until(pilot, lambda: "after" in rows(view)[3], "the line wrapped again")
        width = view.scrollable_content_region.width
        assert rows(view)[:2] == ["x" * width, " " * INDENT + "x" * (width - INDENT)]


async def test_page_keys_move_the_cursor_a_page() -> None:
    app, running = run(max_lines=1000, size=(80, 12))
    async with running as pilot:
        view = app.view
        view.focus()
        await feed(pilot, view, [events_(0, 100)])
        await shows(pilot, view, "line 00099")
        height = view.scrollable_content_region.height
        await pilot.press("pageup")
        assert not view.following and view.cursor_line == 99 - height
        await pilot.press("pagedown")
        assert view.cursor_line == 99 and not view.following
        await pilot.press("g")
        assert view.cursor_line == 0 and rows(view)[0].endswith("line 00000")
        await pilot.press("G")
        assert view.following and view.cursor_line == 99
