"""The command palette (ctrl+p): open any service by a fuzzy part of its name, change the
service on show, switch theme, turn read-only on.

Every hit does what a key does, through the same path: a service opens as `enter` opens it
(`open_service`), a change is asked of the one change flow as its key asks it
(`request_change`: refused with the reason, read-only included, or confirmed first), a
configuration change through the configuration pane's own action. The palette only finds
them by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen

from artui.domain.apprunner import Service, ServiceStatus
from artui.domain.changes import BY_NAME
from artui.settings import Account, choices
from artui.ui.keymap import in_force
from artui.ui.messages import ServicesChanged
from artui.ui.screens.base import ACTION_BINDINGS, ActsOnService, StatusScreen, is_twin

if TYPE_CHECKING:
    from artui.ui.app import ArtuiApp

# ctrl+p opens the palette from anywhere (priority: from a text field too); its id lets a
# keymap move it. Textual adds one without an id unless the app binds `command_palette`.
PALETTE_BINDING = Binding(
    "ctrl+p",
    "command_palette",
    "Commands",
    show=False,
    priority=True,
    id="palette",
    tooltip="Commands: open a service by name, change it, switch theme, turn read-only on",
)

# What a hit for turning read-only on says of turning it off.
READ_ONLY_HELP = "refuse every change from now on; turning it off takes a restart"


@dataclass(frozen=True)
class Command:
    """One thing the palette offers: what it is called, what it says of itself, what it does."""

    text: str
    help: str
    run: Callable[[], object]


def _app(provider: Provider) -> ArtuiApp:
    return cast("ArtuiApp", provider.app)


def _prompt(matcher: Matcher | None, text: str) -> Content:
    """`text` as the palette shows it, the letters matched highlighted; never as markup."""
    if matcher is None or "[" in text or "\\" in text:  # highlight() parses markup
        return Content(text)
    return matcher.highlight(text)


class ArtuiProvider(Provider):
    """A provider whose hits are `commands()`, matched by fuzzy text; all of them, in
    order, when nothing is typed yet."""

    def commands(self) -> Iterator[Command]:
        raise NotImplementedError

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in list(self.commands()):
            score = matcher.match(command.text)
            if score > 0:
                yield Hit(
                    score,
                    _prompt(matcher, command.text),
                    command.run,
                    text=command.text,
                    help=escape(command.help),
                )

    async def discover(self) -> Hits:
        for command in list(self.commands()):
            yield DiscoveryHit(
                _prompt(None, command.text),
                command.run,
                text=command.text,
                help=escape(command.help),
            )


def _on_services(screen: Screen[object]) -> bool:
    """Whether the palette was opened over the list or a service's view (not a dialog)."""
    return isinstance(screen, ActsOnService)


def where(service: Service) -> str:
    """A service's region, and its profile when it has one."""
    profile = getattr(service, "profile", None)
    return service.region if profile is None else f"{service.region}, profile {profile}"


class ServiceCommands(ArtuiProvider):
    """Every service listed, in every account and region, opened as `enter` opens it."""

    def commands(self) -> Iterator[Command]:
        if not _on_services(self.screen):
            return
        snapshot = _app(self).snapshot
        for service in snapshot.services if snapshot is not None else ():
            yield Command(service.name, where(service), partial(self._open, service))

    def _open(self, service: Service, pane: str | None = None) -> None:
        from artui.ui.screens.service import ServiceScreen

        app = _app(self)
        screen = app.screen
        if isinstance(screen, ServiceScreen):
            if screen.service.arn == service.arn:
                if pane is not None:
                    screen.action_show_pane(pane)
                return
            # Another service's view: back to the list first, as escape goes.
            screen.action_back()
        app.open_service(service, pane)


def _change_help(binding_id: str, app: ArtuiApp) -> str:
    binding = next(b for b in _CHANGE_KEYS if b.id == binding_id)
    key = app.get_key_display(in_force(app, binding))
    help = f"{binding.tooltip or binding.description} · key {key}"
    return f"{help} · refused: read-only" if app.settings.read_only else help


# The change keys of the list and the overview, twins aside.
_CHANGE_KEYS = [b for b in ACTION_BINDINGS if not is_twin(b)]


class ChangeCommands(ArtuiProvider):
    """The changes of the service on show (the view's, or the list's cursor row): deploy,
    pause, resume, delete (and rebuild for a failed creation), and, once its configuration
    has been read, the configuration pane's changes. Each asks the change flow as its key
    does."""

    def commands(self) -> Iterator[Command]:
        screen = self.screen
        if not isinstance(screen, ActsOnService):
            return
        service = screen.acted_on()
        if service is None:
            return
        app = _app(self)
        for name in BY_NAME:
            if name == "rebuild" and service.status is not ServiceStatus.CREATE_FAILED:
                continue  # as its key: only for a failed creation
            verb = BY_NAME[name].name.capitalize()
            yield Command(
                f"{verb} {service.name}",
                _change_help(f"action.{name}", app),
                partial(self._change, service, name),
            )
        yield from self._configuration(screen, service, app)

    def _change(self, service: Service, name: str) -> None:
        _app(self).request_change(service, BY_NAME[name]())

    def _configuration(
        self, screen: ActsOnService, service: Service, app: ArtuiApp
    ) -> Iterator[Command]:
        from artui.ui.panes.configuration import ConfigurationPane

        panes = list(screen.query(ConfigurationPane))
        if not panes or panes[0].known.value is None:
            # The list, or a view whose configuration is not read yet: show it first.
            yield Command(
                f"Configuration {service.name}",
                "the configuration pane; its changes (resize, scale, roll back, ...) are "
                "offered here once it is read",
                partial(self._show_configuration, service),
            )
            return
        pane = panes[0]
        for binding in ConfigurationPane.BINDINGS:
            if not isinstance(binding, Binding) or is_twin(binding):
                continue
            what = binding.action.partition("'")[2].partition("'")[0]
            key = app.get_key_display(in_force(app, binding))
            help = f"{binding.tooltip or binding.description} · key {key}"
            if app.settings.read_only:
                help += " · refused: read-only"
            yield Command(
                f"{binding.description} {service.name}",
                help,
                partial(pane.action_reconfigure, what),
            )

    def _show_configuration(self, service: Service) -> None:
        ServiceCommands(self.screen)._open(service, "configuration")


class ThemeCommands(ArtuiProvider):
    """One hit per theme Textual offers: the app redrawn in it, for this session."""

    def commands(self) -> Iterator[Command]:
        app = _app(self)
        for name in app.available_themes:
            help = "in use" if name == app.theme else "for this session; `theme:` keeps one"
            yield Command(f"Theme {name}", help, partial(setattr, app, "theme", name))


def read_only_on(app: ArtuiApp) -> None:
    """Refuse every change from now on: the engine's one gate (`Actions`), the keys (each
    change key gives way to its read-only twin), the status lines' READ-ONLY."""
    app.actions.read_only = True
    app.settings = replace(app.settings, read_only=True)
    snapshot = app.snapshot
    for screen in app.screen_stack:
        screen.refresh_bindings()
        if isinstance(screen, StatusScreen):
            screen.update_status()
            if snapshot is not None:  # the headers say READ-ONLY too: drawn again
                screen.post_message(ServicesChanged(snapshot))
    app.tell(
        "Every change is refused from now on; a restart turns read-only off.",
        title="Read-only on",
    )


class SettingsCommands(ArtuiProvider):
    """Read-only on (not off: that takes a restart), and profiles and regions added to the
    list or removed from it."""

    def commands(self) -> Iterator[Command]:
        app = _app(self)
        if not app.settings.read_only:
            yield Command("Read-only on", READ_ONLY_HELP, partial(read_only_on, app))
        yield from self.scope_commands()

    def scope_commands(self) -> Iterator[Command]:
        """A hit per profile in botocore's files not shown, and per App Runner region not
        shown (added to every profile); one per shown profile or region to remove."""
        app = _app(self)
        fleet = app.session
        shown = fleet.accounts()
        known_profiles, known_regions = _choices(app.settings.demo)
        names = [a.profile for a in shown]
        for name in known_profiles:
            if name not in names:
                regions = shown[0].regions if shown else ()
                added = (*shown, Account(name, regions))
                yield Command(
                    f"Add profile {name}", "list its services too", partial(fleet.show, added)
                )
        if len(shown) > 1:
            for account in shown:
                rest = tuple(a for a in shown if a is not account)
                yield Command(
                    f"Remove profile {account.profile or 'default'}",
                    "its services leave the list",
                    partial(fleet.show, rest),
                )
        listed = list(dict.fromkeys(r for a in shown for r in a.regions))
        for region in known_regions:
            if region not in listed:
                grown = tuple(replace(a, regions=(*a.regions, region)) for a in shown)
                yield Command(
                    f"Add region {region}", "every profile lists it too", partial(fleet.show, grown)
                )
        if len(listed) > 1:
            for region in listed:
                less = tuple(
                    replace(a, regions=tuple(r for r in a.regions if r != region)) for a in shown
                )
                yield Command(
                    f"Remove region {region}",
                    "its services leave the list",
                    partial(fleet.show, tuple(a for a in less if a.regions)),
                )


def _choices(demo: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The profiles and regions that may be added: none in the demo, whose profiles label
    simulated accounts and whose simulator serves the regions it started with."""
    return ((), ()) if demo else choices()


# The providers the app's palette asks (ArtuiApp.COMMANDS): artui's only, not Textual's
# system commands (its own help, keys panel and quit are not artui's).
PROVIDERS: set[type[Provider] | Callable[[], type[Provider]]] = {
    ServiceCommands,
    ChangeCommands,
    ThemeCommands,
    SettingsCommands,
}
