"""What App Runner refuses, by service status and API action.

The Developer Guide's rules ("Pausing / resuming", "Deletion", and the maintenance note in
"Managing your service"): a service in OPERATION_IN_PROGRESS refuses every change; a paused
one refuses StartDeployment and UpdateService ("you can always delete a service"); a failed
creation leaves UpdateService (botocore's model: "rebuild your service using UpdateService")
and DeleteService, a failed deletion only DeleteService; a deleted service refuses everything.
`artui.domain.apprunner.refusal` holds the same rules for artui;
tests/domain/test_lifecycle_rules.py keeps the two in agreement.
"""

from __future__ import annotations

# The actions these rules govern, with the verb used in messages.
_VERBS = {
    "StartDeployment": "deploying",
    "UpdateService": "updating it",
    "PauseService": "pausing it",
    "ResumeService": "resuming it",
    "DeleteService": "deleting it",
}
ACTIONS = tuple(_VERBS)


def refusal(
    status: str,
    action: str,
    *,
    service: str = "The service",
    operation: str | None = None,
) -> str | None:
    """The InvalidStateException message for `action` on a service in `status`, or None.

    `service` names the service in the message; `operation` describes the one in progress.
    """
    verb = _VERBS.get(action)
    if verb is None:
        raise ValueError(f"{action} is not an action the lifecycle rules govern")
    if status == "OPERATION_IN_PROGRESS":
        detail = f" ({operation})" if operation else ""
        return (
            f"{service} has an operation in progress{detail}; wait for it to finish before {verb}."
        )
    if status == "DELETED":
        return f"{service} is DELETED."
    if action == "DeleteService":
        return None
    if status == "CREATE_FAILED" and action != "UpdateService":
        return f"{service} is CREATE_FAILED; rebuild it with UpdateService, or delete it."
    if status == "DELETE_FAILED":
        return f"{service} is DELETE_FAILED; retry deleting it."
    if status == "PAUSED" and action in ("StartDeployment", "UpdateService"):
        return f"{service} is PAUSED; resume it before {verb}."
    if status == "PAUSED" and action == "PauseService":
        return f"{service} is already PAUSED."
    if status != "PAUSED" and action == "ResumeService":
        return f"{service} is {status}; only a PAUSED service can be resumed."
    return None
