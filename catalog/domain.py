"""The catalog's domain rules in plain Python: roles, the status lifecycle, actors.

Nothing here knows about the database or Slack; the services apply these rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.errors import InvalidTransition
from planner.portfolio import STATUSES as PORTFOLIO_STATUSES

ADMIN = "admin"
APPROVER = "approver"
SECURITY = "security"
PMO = "pmo"
LEADER = "leader"
MEMBER = "member"
#: Every role; each workspace user is a member without a grant.
ROLES = (ADMIN, APPROVER, SECURITY, PMO, LEADER, MEMBER)
#: Roles whose holders answer the pairwise comparisons of the business drivers (a leader
#: is someone an admin invites to weigh them, without deciding on initiatives).
WEIGH_ROLES = (LEADER, APPROVER, ADMIN)
#: Who adds, renames, retires and restores business drivers.
DRIVER_ROLES = (ADMIN,)

PROPOSED = "proposed"
CHANGES_REQUESTED = "changes_requested"
APPROVED = "approved"
SCHEDULED = "scheduled"
IN_PROGRESS = "in_progress"
DONE = "done"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
#: Every status, in lifecycle order: the portfolio format's own list (planner.portfolio).
STATUSES = PORTFOLIO_STATUSES
#: Statuses from which nothing moves on.
FINAL_STATUSES = (DONE, REJECTED, WITHDRAWN)
#: Security review outcomes recorded only with a note saying why.
NOTE_REQUIRED = ("conditions", "failed")

#: The whole lifecycle: (status, action) → next status. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (PROPOSED, "approve"): APPROVED,
    (PROPOSED, "reject"): REJECTED,
    (PROPOSED, "request_changes"): CHANGES_REQUESTED,
    (PROPOSED, "withdraw"): WITHDRAWN,
    (CHANGES_REQUESTED, "resubmit"): PROPOSED,
    (CHANGES_REQUESTED, "reject"): REJECTED,
    (CHANGES_REQUESTED, "withdraw"): WITHDRAWN,
    (APPROVED, "schedule"): SCHEDULED,
    (APPROVED, "withdraw"): WITHDRAWN,
    (SCHEDULED, "unschedule"): APPROVED,
    (SCHEDULED, "start"): IN_PROGRESS,
    (SCHEDULED, "withdraw"): WITHDRAWN,
    (IN_PROGRESS, "finish"): DONE,
}
ACTIONS = tuple(sorted({action for _, action in TRANSITIONS}))

#: Roles that may take each lifecycle action on anyone's initiative.
ACTION_ROLES: dict[str, tuple[str, ...]] = {
    "approve": (APPROVER, ADMIN),
    "reject": (APPROVER, ADMIN),
    "request_changes": (APPROVER, ADMIN),
    "withdraw": (ADMIN,),
    "resubmit": (APPROVER, ADMIN),
    "schedule": (APPROVER, ADMIN),
    "unschedule": (APPROVER, ADMIN),
    "start": (PMO, APPROVER, ADMIN),
    "finish": (PMO, APPROVER, ADMIN),
}
#: Actions the proposer may take on their own initiative whatever their roles.
PROPOSER_ACTIONS = ("withdraw", "resubmit")
#: Statuses in which the proposer may still edit their own initiative.
PROPOSER_EDITABLE = (PROPOSED, CHANGES_REQUESTED)


def allowed_actions(status: str) -> tuple[str, ...]:
    """The lifecycle actions possible from a status, in a stable order."""
    return tuple(action for (source, action) in TRANSITIONS if source == status)


def next_status(key: str, status: str, action: str) -> str:
    """The status after `action`; raise InvalidTransition when the lifecycle forbids it."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidTransition(
            key, status=status, action=action, allowed=allowed_actions(status)
        ) from None


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user of one workspace, or the trusted local operator.

    The operator is the person running the CLI on a machine with direct database
    access; role checks let them through in every workspace.
    """

    user_id: str
    team_id: str | None = None
    is_operator: bool = False

    @classmethod
    def user(cls, *, team_id: str, user_id: str) -> Actor:
        return cls(user_id=user_id, team_id=team_id)

    @classmethod
    def operator(cls, name: str = "operator") -> Actor:
        return cls(user_id=name, is_operator=True)

    def acts_in(self, team_id: str) -> bool:
        return self.is_operator or self.team_id == team_id

    def __str__(self) -> str:
        return self.user_id
