"""The panes of a service's view, one file each, in the order of `artui.ui.tabs.TABS`."""

from __future__ import annotations

from artui.ui.panes.activity import ActivityPane
from artui.ui.panes.base import Pane
from artui.ui.panes.configuration import ConfigurationPane
from artui.ui.panes.custom_domains import DomainsPane
from artui.ui.panes.logs import LogsPane
from artui.ui.panes.metrics import MetricsPane
from artui.ui.panes.overview import OverviewPane

PANES: tuple[type[Pane], ...] = (
    OverviewPane,
    ActivityPane,
    LogsPane,
    MetricsPane,
    DomainsPane,
    ConfigurationPane,
)
