"""`townhall export FORMAT`: the published or latest roadmap, or a roadmap file, in one
of `planner.exports.FORMATS` (by name or alias). `planner.exports` loads only the
module of the format asked for (openpyxl and matplotlib are heavy), at export time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli.common import DEFAULT_TEAM, OPERATOR, Team, fail, out, run, unit_of_work
from catalog import services
from planner import load_portfolio
from planner.exports import FORMATS, ExportSource, export, export_format

if TYPE_CHECKING:
    from planner.roadmap import Roadmap


def _formats_help() -> str:
    """The formats by name, each with its aliases: `xlsx (excel), csv, … or png (gantt)`."""
    words = [
        f"{f.name} ({', '.join(f.aliases)})" if f.aliases else f.name for f in FORMATS.values()
    ]
    *rest, last = words
    return f"{', '.join(rest)} or {last}" if rest else last


def export_cmd(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=_formats_help())],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Where to write the file.")],
    roadmap: Annotated[
        str,
        typer.Option(
            "--roadmap",
            help="published, latest, or a roadmap JSON file (default: published, else latest).",
        ),
    ] = "default",
    portfolio_file: Annotated[
        Path | None,
        typer.Option("--portfolio", help="The portfolio the roadmap was planned from."),
    ] = None,
    team: Team = DEFAULT_TEAM,
) -> None:
    """Export a roadmap for the PMO as a file in FORMAT (the formats are listed below)."""
    spec = export_format(fmt)
    if spec is None:
        known = ", ".join(f"{f.name} ({f.title})" for f in FORMATS.values())
        fail(f"unknown export format '{fmt}'; known formats: {known}")
    name = spec.name

    def go() -> None:
        portfolio = load_portfolio(portfolio_file) if portfolio_file is not None else None
        label, chosen = _roadmap_to_export(roadmap, team=team)
        if chosen is None:  # a roadmap file
            chosen_roadmap = read_roadmap_file(Path(roadmap))
            if portfolio is None:
                with unit_of_work() as uow:
                    portfolio = services.workspace_portfolio(uow, team_id=team)
        else:
            chosen_roadmap = chosen.roadmap
            portfolio = portfolio or chosen.portfolio
        assert portfolio is not None
        source = ExportSource(roadmap=chosen_roadmap, portfolio=portfolio)
        try:
            data = export(name, source)
        except ModuleNotFoundError as exc:
            fail(f"the {name} export cannot run here: missing module {exc.name}")
        try:
            out_file.write_bytes(data)
        except OSError as exc:
            fail(f"cannot write {out_file}: {exc.strerror or exc}")
        out.print(
            f"Wrote {spec.title} of {label} to {out_file} ({len(data):,} bytes).", highlight=False
        )

    run(go)


def _roadmap_to_export(which: str, *, team: str) -> tuple[str, Any]:
    """(a label, the RoadmapView) for published/latest/default; (the file, None) for a file."""
    from catalog.errors import NotFound

    if which not in ("published", "latest", "default"):
        return which, None
    try:
        with unit_of_work() as uow:
            view = services.roadmap_for_export(uow, actor=OPERATOR, team_id=team, which=which)
    except NotFound as exc:
        if exc.what == "workspace":
            raise
        what = "published roadmap" if which == "published" else "roadmap"
        fail(f"no {what} in {team} yet: run `townhall plan` first")
    kind = "published roadmap" if view.published else "latest roadmap"
    return f"the {kind} #{view.id}", view


def read_roadmap_file(path: Path) -> Roadmap:
    """A roadmap JSON file (`townhall plan --format json`, `townhall export json`); a
    file that cannot be read as one ends the command with what is wrong."""
    from planner.roadmap import roadmap_from_dict

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"cannot read roadmap {path}: no such file (or say published or latest)")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read roadmap {path}: {exc}")
    except json.JSONDecodeError as exc:
        fail(f"cannot read roadmap {path}: not JSON ({exc.msg} at line {exc.lineno})")
    try:
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return roadmap_from_dict(data)
    except KeyError as exc:
        fail(f"cannot read roadmap {path}: missing field {exc}")
    except (ValueError, TypeError) as exc:
        fail(f"cannot read roadmap {path}: {exc}")
    raise AssertionError("unreachable")
