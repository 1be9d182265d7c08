"""Townhall's catalog: initiatives, roles, planning settings, audit and roadmaps per workspace.

`catalog.services` holds the use cases; they take a `UnitOfWork` and return frozen
views from `catalog.views`, so callers never touch SQLAlchemy. The domain rules
(roles, the status lifecycle, actors) are in `catalog.domain`, the errors in
`catalog.errors`, the database plumbing in `catalog.db`.
"""

from catalog.db import make_engine, make_session_factory
from catalog.domain import ROLES, STATUSES, TRANSITIONS, Actor
from catalog.errors import (
    CatalogError,
    ImportFailed,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from catalog.settings import Settings
from catalog.uow import UnitOfWork
from catalog.views import (
    AuditView,
    ImportSummary,
    InitiativeView,
    RoadmapView,
    RoleGrantView,
    SettingsView,
    WorkspaceView,
)

__all__ = [
    "ROLES",
    "STATUSES",
    "TRANSITIONS",
    "Actor",
    "AuditView",
    "CatalogError",
    "ImportFailed",
    "ImportSummary",
    "InitiativeView",
    "InvalidTransition",
    "NotFound",
    "PermissionDenied",
    "RoadmapView",
    "RoleGrantView",
    "Settings",
    "SettingsView",
    "StaleVersion",
    "UnitOfWork",
    "ValidationFailed",
    "WorkspaceView",
    "make_engine",
    "make_session_factory",
]
