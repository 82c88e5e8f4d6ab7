"""Helpers for UI tests: waiting on what the operator would see, and the /_sim/ control API."""

from __future__ import annotations

import io
import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

WAIT_SECONDS = 15.0


async def wait_until(pilot: Pilot, condition: Callable[[], bool], what: str) -> None:
    """Let the app run until `condition` holds, failing with `what` after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def sim_call(
    endpoint: str, path: str, body: dict[str, Any] | None = None, method: str | None = None
) -> Any:
    """Call the simulator's control API; returns the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        endpoint + path,
        data=data,
        method=method or ("POST" if data else "GET"),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def cell_text(value: Any) -> str:
    """Plain text of a table cell, a Text, or any Rich renderable (rendered 200 wide)."""
    if isinstance(value, str):
        return value
    if hasattr(value, "plain"):
        return value.plain
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(value)
    return console.export_text()


def shown(widget: Static) -> str:
    """The plain text a Static is showing."""
    return cell_text(widget.content)
