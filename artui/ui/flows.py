"""The one flow every change goes through: refuse, confirm, send, follow, tell.

A change (`artui.domain.changes`) is refused here with the reason before any dialog opens; the
dialog sized to its harm confirms it (or, for a link, asks for the domain); the engine sends
it once (`Actions.perform`: read-only, once only, lost-answer recovery); an operation it
started is followed to its end; every step is told in a notification.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.screen import ModalScreen

from artui.domain.apprunner import OperationStatus, Service, ServiceStatus
from artui.domain.changes import (
    Change,
    Delete,
    Deploy,
    LinkDomain,
    Pause,
    Rebuild,
    Reconfigure,
    Resume,
    UnlinkDomain,
)
from artui.domain.custom_domains import CustomDomain, CustomDomains
from artui.domain.errors import as_artui_error
from artui.domain.format import duration
from artui.engine import activity, configuration, custom_domains
from artui.engine.actions import Refused
from artui.engine.journal import Failure
from artui.ui.messages import StoreChanged
from artui.ui.screens.configure import configure_form, with_values
from artui.ui.screens.confirm import ConfirmScreen, DeleteScreen
from artui.ui.screens.custom_domains import LinkScreen, unlink_dialog

if TYPE_CHECKING:
    from artui.ui.app import ArtuiApp


class ChangeFlow:
    """Takes each change a key asks for (`ViewContext.request_change`) to its end."""

    def __init__(self, app: ArtuiApp) -> None:
        self.app = app

    def request(self, service: Service, change: Change) -> None:
        """Refuse with the reason, or open the change's dialog; its answer sends it."""
        if any(isinstance(screen, ModalScreen) for screen in self.app.screen_stack):
            # At most one dialog: a key typed ahead of one (a paste, a laggy link) must not
            # stack another over it.
            return
        held = self._domains_of(service)
        reason = self.app.actions.refusal(service, change, held)
        if reason is not None:
            self._refused(service, change, reason)
            return
        dialog = self._dialog(service, change, held)

        def answered(answer: Any) -> None:
            chosen = _confirmed(change, answer)
            if chosen is None:
                self.app.tell(f"{change.title(service)} cancelled: nothing was sent.")
            elif isinstance(change, Reconfigure) and not change.chosen:
                # The form gave the new values: now the before/after, confirmed.
                self.request(service, chosen)
            else:
                self.app.run_worker(
                    self._send(service, chosen, held), group="act", exit_on_error=False
                )

        self.app.push_screen(dialog, answered)

    def _dialog(
        self, service: Service, change: Change, held: CustomDomains | None
    ) -> ModalScreen[Any]:
        if isinstance(change, Delete):
            return DeleteScreen(service)
        if isinstance(change, LinkDomain):
            return LinkScreen(service, held)
        if isinstance(change, UnlinkDomain):
            assert held is not None  # its refusal needs the domain among those held
            domain = held.named(change.domain)
            assert domain is not None
            return unlink_dialog(service, domain, held.dns_target)
        if isinstance(change, Reconfigure) and not change.chosen:
            read = self.app.store.get(configuration.KIND, self.app.scope_of(service), service.arn)
            images = read.value.images if read.value is not None else None
            return configure_form(service, change, images, self.app.clock())
        return ConfirmScreen.for_change(change, service)

    def _refused(self, service: Service, change: Change, reason: str) -> None:
        hint = ""
        # A failed creation refuses all but delete and rebuild: say where to look first.
        if service.status is ServiceStatus.CREATE_FAILED and isinstance(
            change, (Deploy, Pause, Resume, Rebuild)
        ):
            hint = " (a: the activity, enter on Create: its deployment log; b rebuilds)"
        self.app.tell(
            f"{reason}.{hint}", title=f"{change.title(service)}: not sent", severity="warning"
        )

    async def _send(self, service: Service, change: Change, held: CustomDomains | None) -> None:
        """Send one change; follow the operation it started to the end and say how it ended."""
        app = self.app
        gateway = await app.session.connected(service.profile)
        title = change.title(service)
        if gateway is None:
            error = app.session.error_of(service.profile)
            self._refused(service, change, error or "not connected to AWS")
            return
        try:
            started = await app.actions.perform(gateway.apprunner, service, change, held)
        except Refused as exc:
            self._refused(service, change, str(exc))
            return
        except Exception as exc:
            self._call_failed(service, change, exc)
            app.session.hurry(service.arn)
            return
        if started.applied.domain is not None:
            self._domain_changed(service, change, started.applied.domain)
            app.session.hurry(service.arn)
            return
        operation_id = started.operation_id or ""
        arn = service.arn
        first = (
            "An earlier attempt had started it; nothing new was sent. " if started.earlier else ""
        )
        app.tell(
            f"{first}artui will say how it ends. Operation {operation_id}",
            title=f"{title}: started",
        )
        app.session.hurry(arn)
        ended = await app.actions.follow(
            gateway.apprunner,
            app.store,
            app.scope_of(service),
            service,
            operation_id,
            activity.watch_interval(app.settings.refresh),
            on_poll=lambda: app.publish(StoreChanged(activity.KIND, arn)),
        )
        app.session.hurry(arn)
        if ended is None:
            app.tell(
                f"Operation {operation_id} left the newest operations unseen.",
                title=f"{title}: outcome unknown",
                severity="warning",
            )
            return
        took = duration(ended.elapsed(app.clock()))
        app.tell(
            f"{ended.type_label} {ended.outcome} after {took} (operation {ended.id}).",
            title=f"{title}: {ended.outcome}",
            severity="information" if ended.status is OperationStatus.SUCCEEDED else "error",
            timeout=30,
        )

    def _domain_changed(self, service: Service, change: Change, domain: CustomDomain) -> None:
        """Show the answer for one domain at once, before the next poll, and say what next."""
        app = self.app
        held = custom_domains.with_domain(self._domains_of(service), domain)
        if held is not None:
            app.store.put(
                custom_domains.KIND, app.scope_of(service), held, app.clock(), service.arn
            )
            app.publish(StoreChanged(custom_domains.KIND, service.arn))
        if isinstance(change, LinkDomain):
            app.tell(
                f"{domain.name} is {domain.status_label}. Add its records to your DNS (z in the "
                "domains pane: as a zone file); artui reads on until it is active.",
                title=f"{change.title(service)}: linked",
            )
        else:
            app.tell(
                f"{domain.name} is {domain.status_label}. Delete its records from your DNS.",
                title=f"{change.title(service)}: sent",
            )

    def _call_failed(self, service: Service, change: Change, exc: Exception) -> None:
        """A call that changes something failed: journal it, and say what AWS answered."""
        app = self.app
        error = as_artui_error(exc, f"{change.api_name} {service.arn}")
        app.store.journal.add(
            Failure(
                app.clock(),
                service.region,
                f"{change.api_name} {service.name}",
                str(error),
                "nothing was retried; artui reads again now to show the real state",
                # Not for the generic toast: the one below names what was tried.
                first=False,
            )
        )
        app.tell(
            f"AWS answered: {error}", title=f"{change.title(service)} failed", severity="error"
        )

    def _domains_of(self, service: Service) -> CustomDomains | None:
        return self.app.store.get(
            custom_domains.KIND, self.app.scope_of(service), service.arn
        ).value


def _confirmed(change: Change, answer: Any) -> Change | None:
    """The change to send (or to confirm next) for a dialog's answer, or None when the
    operator declined."""
    if not answer:
        return None
    if isinstance(change, LinkDomain):
        name, www = answer
        return replace(change, domain=name, www=www)
    if isinstance(change, Reconfigure) and not change.chosen:
        return with_values(change, answer)
    return change
