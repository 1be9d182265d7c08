"""Use cases: the only way to change the catalog.

Each takes a UnitOfWork and keyword arguments; each write checks who may do it, writes
its audit entries and commits, all in one transaction. Results are frozen views.

`oauth_tokens` is the exception: slack-sdk's OAuth stores hold their own engine, so its
functions take that engine (README "Operations", "OAuth tokens encrypted at rest").
"""

from catalog.services.audit import audit_trail
from catalog.services.decisions import (
    advance,
    approve,
    record_review,
    reject,
    request_changes,
    withdraw,
)
from catalog.services.drivers import (
    drivers_overview,
    my_judgments,
    pair_field,
    priorities,
    record_judgments,
    save_drivers,
)
from catalog.services.exports import EXPORT_ROLES, roadmap_for_export
from catalog.services.health import ping
from catalog.services.idempotency import claim as claim_key
from catalog.services.idempotency import forget_before as forget_keys_before
from catalog.services.idempotency import release as release_key
from catalog.services.initiatives import edit, get_initiative, list_initiatives, propose
from catalog.services.jobs import (
    Claim,
    Reclaimed,
    claim,
    create_job,
    fence,
    finish,
    forget_jobs_before,
    get_job,
    job_counts,
    mark_delivered,
    recent_jobs,
    reclaim,
    record_sent,
    renew,
    renew_delivery,
)
from catalog.services.planning import get_settings, update_settings
from catalog.services.portfolios import (
    demo_path,
    export_portfolio,
    import_portfolio,
    load_demo,
    workspace_portfolio,
)
from catalog.services.roadmaps import (
    get_roadmap,
    latest_roadmap,
    publish_roadmap,
    published_roadmap,
    save_roadmap,
)
from catalog.services.workspaces import (
    ensure_workspace,
    get_workspace,
    grant_role,
    list_roles,
    revoke_role,
    roles_of,
)

__all__ = [
    "EXPORT_ROLES",
    "Claim",
    "Reclaimed",
    "advance",
    "approve",
    "audit_trail",
    "claim",
    "claim_key",
    "create_job",
    "demo_path",
    "drivers_overview",
    "edit",
    "ensure_workspace",
    "export_portfolio",
    "fence",
    "finish",
    "forget_jobs_before",
    "forget_keys_before",
    "get_initiative",
    "get_job",
    "get_roadmap",
    "get_settings",
    "get_workspace",
    "grant_role",
    "import_portfolio",
    "job_counts",
    "latest_roadmap",
    "list_initiatives",
    "list_roles",
    "load_demo",
    "mark_delivered",
    "my_judgments",
    "pair_field",
    "ping",
    "priorities",
    "propose",
    "publish_roadmap",
    "published_roadmap",
    "recent_jobs",
    "reclaim",
    "record_judgments",
    "record_review",
    "record_sent",
    "reject",
    "release_key",
    "renew",
    "renew_delivery",
    "request_changes",
    "revoke_role",
    "roadmap_for_export",
    "roles_of",
    "save_drivers",
    "save_roadmap",
    "update_settings",
    "withdraw",
    "workspace_portfolio",
]
