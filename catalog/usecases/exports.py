"""Exporting a roadmap for the PMO (slow: the file is made in the background)."""

from __future__ import annotations

from catalog import services
from catalog.errors import NotFound, NothingToExport
from catalog.usecases import commands as c
from catalog.usecases import results as r
from catalog.usecases.context import Context
from catalog.views import RoadmapView
from planner.exports import FORMATS, ExportSource, export


def _chosen(cmd: c.Export, ctx: Context) -> RoadmapView:
    """The roadmap to export (PMO, approvers and admins only; the catalog checks)."""
    with ctx.uow() as uow:
        try:
            return services.roadmap_for_export(
                uow, actor=ctx.actor, team_id=ctx.team_id, roadmap_id=cmd.roadmap_id
            )
        except NotFound as exc:
            if exc.what != "roadmap" or cmd.roadmap_id is not None:
                raise
            raise NothingToExport() from None


def _which(view: RoadmapView) -> str:
    return "published roadmap" if view.published else "latest roadmap"


def check_export(cmd: c.Export, ctx: Context) -> r.Started:
    view = _chosen(cmd, ctx)
    spec = FORMATS[cmd.format]
    return r.Started(f"Exporting the {_which(view)} #{view.id} as {spec.title}…")


def export_roadmap(cmd: c.Export, ctx: Context) -> r.ExportFile:
    """The published roadmap (else the latest, or `cmd.roadmap_id`) as a file."""
    view = _chosen(cmd, ctx)
    spec = FORMATS[cmd.format]
    assert view.portfolio is not None
    data = export(spec.name, ExportSource(roadmap=view.roadmap, portfolio=view.portfolio))
    title = f"{spec.title} of the {_which(view)} #{view.id}"
    return r.ExportFile(filename=f"roadmap-{view.id}.{spec.extension}", content=data, title=title)
