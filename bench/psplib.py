"""PSPLIB single-mode RCPSP instances (`.sm`, e.g. j30) as portfolios.

Mapping into the planning model (docs/PLANNING_MODEL.md, Benchmark families), one time
unit = one phase:

- every real activity `j` becomes the mandatory agile initiative `J<j>` (no teams, so no
  team limit applies) with its duration, and its requests as `uses` of the renewable
  resources `r1 … rK` per build phase; capacities are the resource availabilities;
- precedences become depends-on, which is finish-to-start exactly as in PSPLIB;
- the dummy source (job 1, duration 0, no requests) is dropped: its successors simply
  have no predecessor and may start at 0, as they may after the source;
- the dummy sink (the last job, duration 0) becomes `J<N>` of duration 1 with value 1;
  everything else has value 0. Its start is at least the finish of every activity, and
  with `P` phases its realized value is `P − s_sink`, so maximizing value minimizes
  `s_sink`, which is the PSPLIB makespan, exactly (no shift: the sink's own extra
  phase only asks `P ≥ makespan + 1`).

Zero-duration activities other than the source and the sink would not fit this mapping
(the model needs `d ≥ 1`), so reading one raises `ValueError`; none of the 480 j30
instances has one (a test checks that).

The horizon is kept as small as is safe, because it drives model size: a feasible
schedule from `bench.sgs` (serial schedule generation with priority rules, seeded
biased sampling and forward-backward improvement) has a makespan `UB` that bounds the
optimum, and `P = UB + 1`.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bench.sgs import Network, good_schedule
from planner.portfolio import Calendar, InitiativeSpec, Portfolio

_START = dt.date(2027, 1, 1)
_NAME = re.compile(r"^(\d+)_(\d+)$")  # after the family prefix: group_instance


@dataclass(frozen=True)
class Activity:
    number: int  # PSPLIB job number, 1-based
    duration: int
    requests: tuple[int, ...]  # per renewable resource, in every period it runs
    successors: tuple[int, ...]


@dataclass(frozen=True)
class Project:
    """One single-mode RCPSP as the `.sm` file states it, dummies included."""

    activities: tuple[Activity, ...]  # job 1 is the source, the last job the sink
    capacities: tuple[int, ...]  # renewable resource availabilities

    @property
    def source(self) -> Activity:
        return self.activities[0]

    @property
    def sink(self) -> Activity:
        return self.activities[-1]

    def activity(self, number: int) -> Activity:
        return self.activities[number - 1]

    def predecessors(self) -> dict[int, tuple[int, ...]]:
        preds: dict[int, list[int]] = {a.number: [] for a in self.activities}
        for a in self.activities:
            for succ in a.successors:
                preds[succ].append(a.number)
        return {k: tuple(sorted(v)) for k, v in preds.items()}


@dataclass(frozen=True)
class SchedulingInstance:
    """A benchmark instance: the portfolio, its source project, and the optimum to reach."""

    name: str  # e.g. j301_1
    project: Project
    portfolio: Portfolio
    optimum: int | None  # proven optimal makespan
    heuristic_makespan: int  # the heuristic schedule's makespan; the horizon is this + 1

    @property
    def sink_key(self) -> str:
        return f"J{self.project.sink.number}"

    @property
    def horizon(self) -> int:
        return self.portfolio.calendar.phases

    def makespan(self, objective: int) -> int:
        """The makespan of a roadmap whose realized value is `objective` (P − s_sink)."""
        return self.horizon - objective


# --------------------------------------------------------------------------- reading


def _section(text: str, title: str) -> list[str]:
    """The non-empty lines after a `TITLE:` line up to the next row of asterisks."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith(title):
            body = []
            for row in lines[i + 1 :]:
                if row.startswith("*"):
                    break
                if row.strip():
                    body.append(row)
            return body
    raise ValueError(f"no {title} section")


def parse_sm(text: str) -> Project:
    """Read a PSPLIB single-mode file (`.sm`)."""
    jobs_line = re.search(r"jobs \(incl\. supersource/sink \)\s*:\s*(\d+)", text)
    renewable = re.search(r"-\s*renewable\s*:\s*(\d+)", text)
    if not jobs_line or not renewable:
        raise ValueError("not a PSPLIB .sm file (no job or resource count)")
    jobs, kinds = int(jobs_line.group(1)), int(renewable.group(1))
    successors: dict[int, tuple[int, ...]] = {}
    for row in _section(text, "PRECEDENCE RELATIONS:"):
        cells = row.split()
        if not cells[0].isdigit():
            continue
        number, modes, count = int(cells[0]), int(cells[1]), int(cells[2])
        if modes != 1:
            raise ValueError(f"job {number} has {modes} modes; only single-mode files are read")
        succ = tuple(int(c) for c in cells[3:])
        if len(succ) != count:
            raise ValueError(f"job {number} lists {len(succ)} successors, not {count}")
        successors[number] = succ
    durations: dict[int, tuple[int, tuple[int, ...]]] = {}
    for row in _section(text, "REQUESTS/DURATIONS:"):
        cells = row.split()
        if not cells[0].isdigit():
            continue  # the header and its dashes
        values = [int(c) for c in cells]
        if len(values) != 3 + kinds:
            raise ValueError(f"job {values[0]}: expected {kinds} resource requests")
        durations[values[0]] = (values[2], tuple(values[3:]))
    avail_rows = [r for r in _section(text, "RESOURCEAVAILABILITIES:") if r.split()[0].isdigit()]
    if len(avail_rows) != 1:
        raise ValueError("expected one row of resource availabilities")
    capacities = tuple(int(c) for c in avail_rows[0].split())
    if len(capacities) < kinds:
        raise ValueError(f"expected {kinds} resource availabilities")
    if sorted(successors) != list(range(1, jobs + 1)) or sorted(durations) != sorted(successors):
        raise ValueError(f"expected precedences and durations for jobs 1..{jobs}")
    activities = tuple(
        Activity(
            number=j, duration=durations[j][0], requests=durations[j][1], successors=successors[j]
        )
        for j in range(1, jobs + 1)
    )
    return Project(activities=activities, capacities=capacities[:kinds])


def read_optima(path: Path) -> dict[str, int]:
    """Optimal makespans by instance name (`j301_1`) from a `problem,optimum` CSV."""
    with open(path, newline="") as handle:
        return {
            row["problem"].removesuffix(".sm"): int(row["optimum"])
            for row in csv.DictReader(handle)
        }


# --------------------------------------------------------------------------- horizon


def network(project: Project) -> Network:
    """The project as `bench.sgs` reads it: activity `j` at index `j − 1`."""
    for act in project.activities:
        for k, (need, cap) in enumerate(zip(act.requests, project.capacities, strict=True)):
            if need > cap:
                raise ValueError(f"job {act.number} needs {need} of R {k + 1}, which has {cap}")
    return Network(
        durations=tuple(a.duration for a in project.activities),
        requests=tuple(a.requests for a in project.activities),
        capacities=project.capacities,
        successors=tuple(tuple(s - 1 for s in a.successors) for a in project.activities),
    )


def heuristic_schedule(project: Project, *, seed: int = 0) -> dict[int, int]:
    """Start time of each job (by number) in a short feasible schedule (`bench.sgs`)."""
    start = good_schedule(network(project), seed=seed)
    return {a.number: start[a.number - 1] for a in project.activities}


# --------------------------------------------------------------------------- mapping


def scheduling_portfolio(project: Project, *, name: str, horizon: int) -> Portfolio:
    """The portfolio whose best roadmap is a minimum-makespan schedule (module docstring)."""
    source, sink = project.source, project.sink
    for dummy in (source, sink):
        if dummy.duration != 0 or any(dummy.requests):
            raise ValueError(f"{name}: job {dummy.number} is not a dummy (duration 0, no use)")
    preds = project.predecessors()
    items = []
    for act in project.activities[1:-1]:
        if act.duration < 1:
            raise ValueError(
                f"{name}: job {act.number} has duration 0; only the dummy source and sink may"
            )
        items.append(
            InitiativeSpec(
                key=f"J{act.number}",
                title=f"activity {act.number}",
                duration=act.duration,
                value=0,
                cadence="agile",
                teams=0,
                mandatory=True,
                uses={f"r{k + 1}": need for k, need in enumerate(act.requests) if need},
                depends_on=tuple(f"J{p}" for p in preds[act.number] if p != source.number),
            )
        )
    items.append(
        InitiativeSpec(
            key=f"J{sink.number}",
            title="project end (sink)",
            duration=1,
            value=1,
            cadence="agile",
            teams=0,
            mandatory=True,
            depends_on=tuple(f"J{p}" for p in preds[sink.number] if p != source.number),
        )
    )
    return Portfolio(
        name=name,
        calendar=Calendar(start=_START, phases=horizon, phase="sprint"),
        capacity={f"r{k + 1}": cap for k, cap in enumerate(project.capacities)},
        initiatives=tuple(items),
    )


def scheduling_instance(project: Project, *, name: str, optimum: int | None) -> SchedulingInstance:
    start = heuristic_schedule(project)
    makespan = start[project.sink.number]
    return SchedulingInstance(
        name=name,
        project=project,
        portfolio=scheduling_portfolio(project, name=name, horizon=makespan + 1),
        optimum=optimum,
        heuristic_makespan=makespan,
    )


def instance_names(data: Path, family: str = "j30") -> list[str]:
    """Instance names of a family in PSPLIB order (parameter group, then instance)."""

    def order(name: str) -> tuple[int, int]:
        found = _NAME.match(name.removeprefix(family))
        if not found:
            return (10**9, 0)
        return int(found.group(1)), int(found.group(2))

    names = [p.stem for p in (Path(data) / "psplib" / family).glob("*.sm")]
    return sorted(names, key=lambda n: (order(n), n))


def load_psplib(
    data: Path, names: Iterable[str] | None = None, *, family: str = "j30"
) -> list[SchedulingInstance]:
    """Instances of `psplib/<family>/` (all, or those named) with their optimal makespans."""
    folder = Path(data) / "psplib"
    optima = read_optima(folder / f"{family}_optimum.csv")
    chosen = list(names) if names is not None else instance_names(data, family)
    return [
        scheduling_instance(
            parse_sm((folder / family / f"{name}.sm").read_text()),
            name=name,
            optimum=optima.get(name),
        )
        for name in chosen
    ]
