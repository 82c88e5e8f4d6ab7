"""Toasts: artui's words in them inert, and out of the way (never over a dialog, gone at
the next key).

Textual draws a toast over whatever screen is on top, a dialog included, and keeps it for
its timeout whatever the operator does. Here a notification raised while a dialog is on
top waits, and shows (with its whole timeout) once the dialog closes; one already on show
when a dialog opens waits too. Any key clears the toasts on show, and still does what it
does. Where toasts sit on a screen (above its status line and footer) is the stylesheet's
(`ToastRack` in app.tcss).
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App
from textual.notifications import Notification, SeverityLevel
from textual.screen import Screen

from artui.domain.inert import inert


class ToastingApp(App[None]):
    """An app whose toasts wait while a dialog is on top and go at a key."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[Notification] = []  # raised while a dialog was on top, oldest first

    def tell(
        self,
        text: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
    ) -> None:
        """A notification whose text and title may hold AWS's words: inert, never markup."""
        self.notify(
            inert(text), title=inert(title), severity=severity, timeout=timeout, markup=False
        )

    def _dialog_on_top(self) -> bool:
        stack = self.screen_stack
        return bool(stack) and stack[-1].is_modal

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A notification, or one that waits for the dialog on top to close."""
        if self._dialog_on_top():
            wait = self.NOTIFICATION_TIMEOUT if timeout is None else timeout
            self._held.append(Notification(message, title, severity, wait, markup=markup))
            return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_mount(self) -> None:
        # Textual runs every class's on_mount: the app's own as well as this one.
        self.screen_change_signal.subscribe(self, self._screen_changed)

    def _screen_changed(self, screen: Screen[Any]) -> None:
        if screen.is_modal:
            # Shown before the dialog opened without a key (a prompt from a worker): they
            # wait with the others, rather than lie over the dialog.
            showing = list(self._notifications)
            if showing:
                self._held[:0] = showing
                self.clear_notifications()
        elif self._held:
            held, self._held = self._held, []
            for note in held:
                super().notify(
                    note.message,
                    title=note.title,
                    severity=note.severity,
                    timeout=note.timeout,
                    markup=note.markup,
                )

    async def on_event(self, event: events.Event) -> None:
        # A key from the terminal (not one bubbling back up): the toasts on show go, and
        # the key goes on to do what it does.
        if isinstance(event, events.Key) and not event.is_forwarded and self._on_show():
            self.clear_notifications()
        await super().on_event(event)

    def _on_show(self) -> bool:
        stack = self.screen_stack
        return bool(stack) and bool(stack[-1].query("Toast"))
