"""Messages from workers to widgets: data flows aws -> poller -> messages -> widgets."""

from __future__ import annotations

from textual.message import Message

from artui.domain import ServiceDetail
from artui.poller import Snapshot


class ServicesUpdated(Message):
    """A new snapshot of the services list (also sent as each poll starts)."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class BackendFailed(Message):
    """Connecting failed before any poll: no credentials, no region, a bad profile."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class ServiceDescribed(Message):
    """DescribeService answered."""

    def __init__(self, detail: ServiceDetail) -> None:
        super().__init__()
        self.detail = detail


class DescribeFailed(Message):
    """DescribeService failed; `error` says what AWS answered."""

    def __init__(self, arn: str, error: str) -> None:
        super().__init__()
        self.arn = arn
        self.error = error
