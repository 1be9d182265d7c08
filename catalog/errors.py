"""Errors raised by the catalog on purpose; each message is fit to show a user.

CatalogError
 ├── NotFound             no such workspace, initiative or roadmap in this workspace
 ├── NothingToExport      the workspace has no roadmap yet to export
 ├── PermissionDenied     the actor lacks a role (the message names the roles that may)
 ├── StaleVersion         the record changed since the caller read it (says by whom)
 ├── InvalidTransition    the status lifecycle does not allow this action now
 ├── ValidationFailed     input is invalid; `fields` maps field → message
 └── ImportFailed         a portfolio cannot be imported; `problems` lists every defect
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class CatalogError(Exception):
    """Base class of every error the catalog raises on purpose."""


class NotFound(CatalogError):
    """Raised when a workspace, initiative or roadmap does not exist in the workspace asked."""

    def __init__(self, what: str, key: str) -> None:
        self.what = what
        self.key = key
        super().__init__(f"no {what} {key}")


class PermissionDenied(CatalogError):
    """Raised when an actor may not do something; `roles` are the roles that may."""

    def __init__(self, action: str, *, roles: Iterable[str] = (), detail: str = "") -> None:
        self.action = action
        self.roles = tuple(roles)
        if detail:
            text = f"you may not {action}: {detail}"
        elif self.roles:
            text = f"you may not {action}: it needs the {_either(self.roles)} role"
        else:
            text = f"you may not {action}"
        super().__init__(text)


class StaleVersion(CatalogError):
    """Raised when a write names a version that is no longer current (optimistic locking)."""

    def __init__(
        self,
        what: str,
        *,
        expected: int | None = None,
        current: int | None = None,
        changed_by: str | None = None,
    ) -> None:
        self.what = what
        self.expected = expected
        self.current = current
        self.changed_by = changed_by
        text = f"{what} was changed"
        if changed_by:
            text += f" by {changed_by}"
        text += " after you opened it"
        if expected is not None and current is not None:
            text += f" (you have version {expected}, the current version is {current})"
        super().__init__(text + "; reload it and apply your change again")


class InvalidTransition(CatalogError):
    """Raised when an action is not allowed in the current status of an initiative."""

    def __init__(self, key: str, *, status: str, action: str, allowed: Iterable[str]) -> None:
        self.key = key
        self.status = status
        self.action = action
        self.allowed = tuple(allowed)
        options = ", ".join(self.allowed) if self.allowed else "nothing (it is final)"
        super().__init__(
            f"{key} is {status.replace('_', ' ')}; it cannot {action.replace('_', ' ')} "
            f"(possible now: {options})"
        )


class ValidationFailed(CatalogError):
    """Raised when input is invalid; `fields` maps each bad field to its message.

    The field `"__all__"` holds problems that belong to no single field.
    """

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__("; ".join(f"{k}: {v}" if k != "__all__" else v for k, v in fields.items()))


class ImportFailed(CatalogError):
    """Raised when a portfolio cannot be imported; nothing was written."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            text = f"import failed, nothing was written: {self.problems[0]}"
        else:
            text = f"import failed, nothing was written; {len(self.problems)} problems:\n" + (
                "\n".join(f"  - {p}" for p in self.problems)
            )
        super().__init__(text)


def _either(roles: tuple[str, ...]) -> str:
    if len(roles) == 1:
        return roles[0]
    return ", ".join(roles[:-1]) + " or " + roles[-1]


class JobLost(CatalogError):
    """Raised when a worker writes for a job attempt that is no longer the current one: its
    lease ran out and another worker took the job over, so this attempt's work must not land."""

    def __init__(self, job_id: str, attempt: int) -> None:
        self.job_id = job_id
        self.attempt = attempt
        super().__init__(f"job {job_id} attempt {attempt} no longer holds its lease")


class NothingToExport(CatalogError):
    """Raised when an export is asked for before any roadmap was planned."""

    def __init__(self) -> None:
        super().__init__("There is no roadmap to export yet.")
