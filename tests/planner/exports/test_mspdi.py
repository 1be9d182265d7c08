"""MS Project XML: valid against the pj12 XSD, links that name tasks, read back by MPXJ."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bench.generate import generate_portfolio
from planner.calendar import phases_of, tollgate_phases
from planner.config import SolverConfig
from planner.errors import ScenarioError
from planner.exports import ExportSource, export
from planner.exports.mspdi import render, render_mspdi
from planner.portfolio import Portfolio, load_portfolio
from planner.problem import build_problem
from planner.roadmap import Roadmap, spend_by_phase
from planner.solve import solve
from tests.planner.factories import make_portfolio

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "catalog" / "data" / "demo.yaml"
XSD = ROOT / ".." / "shared" / "schemas" / "mspdi_pj12.xsd"
NS = {"p": "http://schemas.microsoft.com/project"}
KEY_FIELD = "188743737"  # Text3, aliased "Key"
OWNER_FIELD = "188743731"  # Text1, aliased "Owner"
CADENCE_FIELD = "188743734"  # Text2, aliased "Cadence"
CATEGORY_FIELD = "188743740"  # Text4, aliased "Category"

TRICKY_TITLE = 'Say "hello" & <b>wave</b>, then\nleave'
TRICKY_OTHER = "Zoë’s café in Ærøskøbing — naïve façade, 東京 <!channel>"
TRICKY_OWNER = 'R&D <Ops>, "Team" Łódź'
TRICKY_CATEGORY = 'Café & Co, "EU" <north>'


# --------------------------------------------------------------------------- fixtures


def _source(portfolio: Portfolio, config: SolverConfig) -> ExportSource:
    return ExportSource(roadmap=solve(build_problem(portfolio), config), portfolio=portfolio)


@pytest.fixture(scope="module")
def demo() -> ExportSource:
    return _source(load_portfolio(DEMO), SolverConfig())


@pytest.fixture(scope="module")
def big() -> ExportSource:
    return _source(generate_portfolio(200, 12, seed=1), SolverConfig(solver="greedy"))


@pytest.fixture(scope="module")
def tricky() -> ExportSource:
    portfolio = make_portfolio(
        [
            {
                "key": "A-1",
                "title": TRICKY_TITLE,
                "owner": TRICKY_OWNER,
                "category": TRICKY_CATEGORY,
                "summary": "Notes & <more>\nnotes",
                "cadence": "agile",
                "capex": 1000,
            },
            {
                "key": "B-2",
                "title": TRICKY_OTHER,
                "category": "Ærø",
                "depends_on": ["A-1"],
                "duration": 2,
                "opex": 50,
            },
        ],
        phases=4,
        name='Plan "Q" & <co>, ünïcode',
    )
    return _source(portfolio, SolverConfig())


@pytest.fixture(scope="module")
def schema():
    if not XSD.is_file():
        pytest.skip(f"the shared schemas folder is absent ({XSD.parent.resolve()})")
    etree = pytest.importorskip("lxml.etree")
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.fixture(scope="module")
def mpxj_read():
    """Read MSPDI bytes with MPXJ (Java, through JPype) into plain Python records."""
    pytest.importorskip("jpype", reason="JPype1 is not installed (pip install mpxj JPype1)")
    import jpype

    pytest.importorskip("mpxj", reason="MPXJ is not installed (pip install mpxj)")
    if not jpype.isJVMStarted():
        try:
            jpype.startJVM()
        except Exception as exc:  # no Java on this machine, or a broken one
            pytest.skip(f"MPXJ cannot start the Java VM: {exc}")
    from org.mpxj.reader import UniversalProjectReader

    def read(data: bytes, tmp: Path) -> MpxjProject:
        path = tmp / "roadmap.xml"
        path.write_bytes(data)
        project = UniversalProjectReader().read(str(path))
        assert project is not None, "MPXJ did not recognise the file"
        tasks = {}
        for task in project.getTasks():
            parent = task.getParentTask()
            tasks[int(task.getUniqueID())] = MpxjTask(
                uid=int(task.getUniqueID()),
                name=str(task.getName()),
                start=_java_datetime(task.getStart()),
                finish=_java_datetime(task.getFinish()),
                hours=float(
                    task.getDuration()
                    .convertUnits(_hours_unit(), project.getProjectProperties())
                    .getDuration()
                ),
                cost=float(task.getCost()),
                milestone=bool(task.getMilestone()),
                summary=bool(task.getSummary()),
                parent=None if parent is None else int(parent.getUniqueID()),
                predecessors=tuple(
                    (int(r.getPredecessorTask().getUniqueID()), str(r.getType()))
                    for r in task.getPredecessors()
                ),
                key=None if task.getText(3) is None else str(task.getText(3)),
                owner=None if task.getText(1) is None else str(task.getText(1)),
            )
        aliases = {str(f.getFieldType()): str(f.getAlias()) for f in project.getCustomFields()}
        props = project.getProjectProperties()
        return MpxjProject(
            tasks=tasks,
            aliases=aliases,
            currency=str(props.getCurrencyCode()),
            name=str(props.getName()),
        )

    return read


def _hours_unit():
    from org.mpxj import TimeUnit

    return TimeUnit.HOURS


def _java_datetime(value) -> dt.datetime:
    return dt.datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class MpxjTask:
    uid: int
    name: str
    start: dt.datetime
    finish: dt.datetime
    hours: float
    cost: float
    milestone: bool
    summary: bool
    parent: int | None
    predecessors: tuple[tuple[int, str], ...]
    key: str | None
    owner: str | None


@dataclass(frozen=True)
class MpxjProject:
    tasks: dict[int, MpxjTask]
    aliases: dict[str, str]
    currency: str
    name: str

    def by_key(self) -> dict[str, MpxjTask]:
        return {t.key: t for t in self.tasks.values() if t.key is not None}


# --------------------------------------------------------------------------- expectations


def _weekday_on_or_after(day: dt.date) -> dt.date:
    while day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    return day


def _weekday_on_or_before(day: dt.date) -> dt.date:
    while day.isoweekday() > 5:
        day -= dt.timedelta(days=1)
    return day


def _expected_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(_weekday_on_or_after(day), dt.time(8))


def _expected_finish(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(_weekday_on_or_before(day), dt.time(17))


def _weekdays(first: dt.date, last: dt.date) -> int:
    days = (last - first).days + 1
    return sum(1 for n in range(days) if (first + dt.timedelta(days=n)).isoweekday() <= 5)


def _expected_links(source: ExportSource) -> dict[str, set[str]]:
    scheduled = {s.key for s in source.roadmap.scheduled}
    return {
        key: {d for d in source.portfolio.initiative(key).depends_on if d in scheduled}
        for key in scheduled
    }


def _expected_cost(source: ExportSource, key: str) -> int:
    spec = source.portfolio.initiative(key)
    item = source.roadmap.scheduled_item(key)
    assert item is not None
    return spec.capex + spec.opex * (source.problem.horizon - item.end_phase - 1)


# --------------------------------------------------------------------------- XML helpers


@dataclass(frozen=True)
class XmlTask:
    uid: int
    name: str
    outline: str
    level: int
    wbs: str
    start: str
    finish: str
    duration: str
    milestone: bool
    summary: bool
    cost: int
    predecessors: tuple[tuple[int, int], ...]
    extended: dict[str, str]


def _xml_tasks(data: bytes) -> list[XmlTask]:
    root = ET.fromstring(data)
    out = []
    for task in root.iterfind("p:Tasks/p:Task", NS):

        def text(tag: str, task: ET.Element = task) -> str:
            found = task.find(f"p:{tag}", NS)
            return "" if found is None or found.text is None else found.text

        out.append(
            XmlTask(
                uid=int(text("UID")),
                name=text("Name"),
                outline=text("OutlineNumber"),
                level=int(text("OutlineLevel")),
                wbs=text("WBS"),
                start=text("Start"),
                finish=text("Finish"),
                duration=text("Duration"),
                milestone=text("Milestone") == "1",
                summary=text("Summary") == "1",
                cost=int(text("Cost")),
                predecessors=tuple(
                    (
                        int(link.findtext("p:PredecessorUID", namespaces=NS)),
                        int(link.findtext("p:Type", namespaces=NS)),
                    )
                    for link in task.iterfind("p:PredecessorLink", NS)
                ),
                extended={
                    a.findtext("p:FieldID", namespaces=NS): a.findtext("p:Value", namespaces=NS)
                    for a in task.iterfind("p:ExtendedAttribute", NS)
                },
            )
        )
    return out


def _parent_outline(outline: str) -> str:
    return outline.rpartition(".")[0] or "0"


# --------------------------------------------------------------------------- schema


@pytest.mark.parametrize("group_by", ["phase", "category"])
@pytest.mark.parametrize("which", ["demo", "big", "tricky"])
def test_validates_against_the_pj12_schema(which, group_by, schema, request) -> None:
    from lxml import etree

    source = request.getfixturevalue(which)
    document = etree.fromstring(render_mspdi(source, group_by=group_by))
    assert schema.validate(document), "\n".join(str(e) for e in schema.error_log[:10])


def test_schema_catches_what_it_should(schema, demo) -> None:
    """The schema is strict about order: a swapped pair of task elements is rejected."""
    from lxml import etree

    document = etree.fromstring(render(demo))
    task = document.find("p:Tasks/p:Task", NS)
    start, finish = task.find("p:Start", NS), task.find("p:Finish", NS)
    task.remove(finish)
    start.addprevious(finish)
    assert not schema.validate(document)


# --------------------------------------------------------------------------- structure


@pytest.mark.parametrize("which", ["demo", "big", "tricky"])
def test_every_predecessor_names_a_task_and_links_are_finish_to_start(which, request) -> None:
    source = request.getfixturevalue(which)
    tasks = _xml_tasks(render(source))
    uids = [t.uid for t in tasks]
    assert len(uids) == len(set(uids))
    by_uid = {t.uid: t for t in tasks}
    links = [(t, p) for t in tasks for p in t.predecessors]
    for task, (pred_uid, link_type) in links:
        assert pred_uid in by_uid, f"{task.name} names missing predecessor {pred_uid}"
        assert link_type == 1
        assert by_uid[pred_uid].finish <= task.start
    expected = sum(len(v) for v in _expected_links(source).values())
    assert len(links) == expected
    if which != "tricky":
        assert expected > 0


def test_demo_tasks_dates_durations_costs_and_attributes(demo) -> None:
    tasks = _xml_tasks(render(demo))
    project = tasks[0]
    assert (project.uid, project.outline, project.level, project.summary) == (0, "0", 0, True)
    by_key = {t.extended[KEY_FIELD]: t for t in tasks if KEY_FIELD in t.extended}
    assert set(by_key) == {s.key for s in demo.roadmap.scheduled}
    for item in demo.roadmap.scheduled:
        task = by_key[item.key]
        spec = demo.portfolio.initiative(item.key)
        assert task.name == f"{item.key}: {item.title}"
        assert task.start == _expected_start(item.start).isoformat()
        assert task.finish == _expected_finish(item.end).isoformat()
        assert task.duration == f"PT{8 * _weekdays(item.start, item.end)}H0M0S"
        assert task.cost == 100 * _expected_cost(demo, item.key)  # hundredths
        assert task.extended[CADENCE_FIELD] == item.cadence
        assert task.extended[OWNER_FIELD] == spec.owner
        assert task.extended[CATEGORY_FIELD] == spec.category
        assert task.uid == demo.portfolio.initiatives.index(spec) + 1
        assert not task.summary and not task.milestone
    # The project summary costs what the roadmap spends over the horizon.
    spend = sum(spend_by_phase(demo.problem, demo.roadmap.starts))
    assert project.cost == 100 * spend


def test_weekend_phase_ends_are_trimmed_to_working_days(demo) -> None:
    """2028Q3 ends on a Saturday: a task finishing then ends on Friday at 17:00."""
    tasks = _xml_tasks(render(demo))
    phase = next(p for p in demo.problem.phases if p.label == "2028Q3")
    assert phase.end == dt.date(2028, 9, 30)
    summary = next(t for t in tasks if t.name == "2028Q3" and t.summary)
    assert summary.start == "2028-07-03T08:00:00"  # 2028-07-01 is a Saturday too


def test_tollgate_milestones_in_their_phase(demo) -> None:
    tasks = _xml_tasks(render(demo))
    milestones = [t for t in tasks if t.milestone]
    calendar = demo.portfolio.calendar
    gates = sorted(tollgate_phases(calendar))
    phases = phases_of(calendar)
    assert [m.name for m in milestones] == [f"Tollgate {phases[g].label}" for g in gates]
    by_outline = {t.outline: t for t in tasks}
    for gate, milestone in zip(gates, milestones, strict=True):
        moment = _expected_start(phases[gate].start).isoformat()
        assert (milestone.start, milestone.finish, milestone.duration) == (
            moment,
            moment,
            "PT0H0M0S",
        )
        assert by_outline[_parent_outline(milestone.outline)].name == phases[gate].label


def test_outline_numbers_levels_and_wbs_form_a_tree(big) -> None:
    tasks = _xml_tasks(render(big))
    by_outline = {t.outline: t for t in tasks}
    assert len(by_outline) == len(tasks)
    for task in tasks[1:]:
        parent = by_outline[_parent_outline(task.outline)]
        assert parent.summary
        assert task.level == parent.level + 1 == task.outline.count(".") + 1
        assert task.wbs == task.outline
        assert parent.start <= task.start and task.finish <= parent.finish
    for summary in (t for t in tasks if t.summary and t.uid != 0):
        children = [t for t in tasks if _parent_outline(t.outline) == summary.outline]
        assert summary.cost == sum(c.cost for c in children)


def test_phase_grouping_puts_each_initiative_under_its_start_phase(demo) -> None:
    tasks = _xml_tasks(render(demo))
    by_outline = {t.outline: t for t in tasks}
    for task in tasks:
        if KEY_FIELD in task.extended:
            item = demo.roadmap.scheduled_item(task.extended[KEY_FIELD])
            parent = by_outline[_parent_outline(task.outline)]
            assert parent.name == demo.problem.phases[item.start_phase].label


def test_category_grouping(demo) -> None:
    tasks = _xml_tasks(render_mspdi(demo, group_by="category"))
    by_outline = {t.outline: t for t in tasks}
    top = [t.name for t in tasks if t.level == 1]
    categories = {demo.portfolio.initiative(s.key).category for s in demo.roadmap.scheduled}
    assert top == [*sorted(categories, key=str.casefold), "Tollgates"]
    initiatives = [t for t in tasks if KEY_FIELD in t.extended]
    assert len(initiatives) == len(demo.roadmap.scheduled)
    for task in initiatives:
        spec = demo.portfolio.initiative(task.extended[KEY_FIELD])
        assert by_outline[_parent_outline(task.outline)].name == spec.category
    for milestone in (t for t in tasks if t.milestone):
        assert by_outline[_parent_outline(milestone.outline)].name == "Tollgates"
    # Same initiatives, same UIDs and same links whichever way they are grouped.
    by_phase = {t.uid: t for t in _xml_tasks(render(demo)) if not t.summary}
    for task in (t for t in tasks if not t.summary):
        assert by_phase[task.uid].predecessors == task.predecessors
        assert (by_phase[task.uid].start, by_phase[task.uid].finish) == (task.start, task.finish)


def test_uncategorized_initiatives_get_their_own_group() -> None:
    source = _source(
        make_portfolio([{"key": "A", "category": "zeta"}, {"key": "B"}], phases=2),
        SolverConfig(),
    )
    tasks = _xml_tasks(render_mspdi(source, group_by="category"))
    assert [t.name for t in tasks if t.level == 1] == ["zeta", "Uncategorized", "Tollgates"]


def test_initiative_missing_from_the_portfolio_is_still_exported(schema, demo) -> None:
    """A roadmap planned before an initiative left the catalog keeps its task."""
    from lxml import etree

    gone = demo.roadmap.scheduled[0].key
    rest = tuple(s for s in demo.portfolio.initiatives if s.key != gone)
    source = ExportSource(roadmap=demo.roadmap, portfolio=demo.portfolio.with_initiatives(rest))
    for group_by in ("phase", "category"):
        data = render_mspdi(source, group_by=group_by)
        assert schema.validate(etree.fromstring(data)), schema.error_log
        tasks = _xml_tasks(data)
        orphan = next(t for t in tasks if t.extended.get(KEY_FIELD) == gone)
        assert orphan.uid > len(demo.portfolio.initiatives)
        assert len({t.uid for t in tasks}) == len(tasks)


def test_uids_are_stable_across_exports_and_replans(demo) -> None:
    assert render(demo) == render(demo)
    greedy = ExportSource(
        roadmap=solve(demo.problem, SolverConfig(solver="greedy")), portfolio=demo.portfolio
    )
    first = {t.name: t.uid for t in _xml_tasks(render(demo))}
    second = {t.name: t.uid for t in _xml_tasks(render(greedy))}
    shared = set(first) & set(second)
    assert {n for n in shared if n.startswith("Tollgate")}  # milestones are compared too
    assert all(first[n] == second[n] for n in shared)


def test_infeasible_roadmap_still_gives_a_valid_file(schema, demo) -> None:
    from lxml import etree

    empty = ExportSource(
        roadmap=Roadmap(
            status="infeasible",
            objective=None,
            bound=None,
            gap=None,
            solve_seconds=0.0,
            solver="cpsat",
            conflicts=("budget",),
        ),
        portfolio=demo.portfolio,
    )
    data = render(empty)
    assert schema.validate(etree.fromstring(data)), schema.error_log
    tasks = _xml_tasks(data)
    assert tasks and all(t.summary or t.milestone for t in tasks)


def test_tricky_names_survive_the_xml(tricky) -> None:
    data = render(tricky)
    tasks = _xml_tasks(data)
    names = {t.name for t in tasks}
    assert f"A-1: {TRICKY_TITLE}" in names
    assert f"B-2: {TRICKY_OTHER}" in names
    a = next(t for t in tasks if t.extended.get(KEY_FIELD) == "A-1")
    assert a.extended[OWNER_FIELD] == TRICKY_OWNER
    assert a.extended[CATEGORY_FIELD] == TRICKY_CATEGORY
    root = ET.fromstring(data)
    assert root.findtext("p:Name", namespaces=NS) == 'Plan "Q" & <co>, ünïcode'
    category_tasks = _xml_tasks(render_mspdi(tricky, group_by="category"))
    assert TRICKY_CATEGORY in {t.name for t in category_tasks if t.summary}


def test_long_and_control_characters_are_made_safe(schema) -> None:
    from lxml import etree

    title = "x" * 600 + "\x07bell\r\nline"
    # Longer than a portfolio file may give (MAX_TITLE_LENGTH): set past the reader, as
    # a catalog written before the limit could hold it.
    portfolio = make_portfolio([{"key": "LONG", "title": "x"}], phases=2)
    long = replace(portfolio.initiatives[0], title=title)
    source = _source(portfolio.with_initiatives((long,)), SolverConfig())
    data = render(source)
    assert schema.validate(etree.fromstring(data)), schema.error_log
    name = next(t.name for t in _xml_tasks(data) if t.extended.get(KEY_FIELD) == "LONG")
    assert len(name) == 512 and name.startswith("LONG: xxx") and name.endswith("…")


def test_dispatch_and_bad_options(demo) -> None:
    assert export("mspdi", demo) == render(demo)
    with pytest.raises(ScenarioError, match="grouping"):
        render_mspdi(demo, group_by="owner")
    with pytest.raises(ScenarioError, match="currency"):
        render_mspdi(demo, currency="dollars")
    root = ET.fromstring(render_mspdi(demo, currency="eur"))
    assert root.findtext("p:CurrencyCode", namespaces=NS) == "EUR"


# --------------------------------------------------------------------------- MPXJ


@pytest.mark.parametrize("which", ["demo", "big"])
def test_mpxj_reads_back_tasks_dates_and_links(which, request, mpxj_read, tmp_path) -> None:
    source = request.getfixturevalue(which)
    project = mpxj_read(render(source), tmp_path)
    assert project.currency == "USD"
    by_key = project.by_key()
    assert set(by_key) == {s.key for s in source.roadmap.scheduled}
    uid_of = {key: task.uid for key, task in by_key.items()}
    for item in source.roadmap.scheduled:
        task = by_key[item.key]
        assert task.name == f"{item.key}: {item.title}"
        assert task.start == _expected_start(item.start)
        assert task.finish == _expected_finish(item.end)
        assert task.hours == 8 * _weekdays(item.start, item.end)
        assert task.cost == _expected_cost(source, item.key)
        assert project.tasks[task.parent].name == source.problem.phases[item.start_phase].label
    links = _expected_links(source)
    for key, task in by_key.items():
        assert {uid for uid, _ in task.predecessors} == {uid_of[d] for d in links[key]}
        assert {kind for _, kind in task.predecessors} <= {"FS"}
        for uid, _ in task.predecessors:
            assert project.tasks[uid].finish <= task.start
    gates = [t for t in project.tasks.values() if t.milestone]
    assert len(gates) == len(source.problem.tollgates)
    assert all(g.start == g.finish and g.hours == 0 for g in gates)
    spend = sum(spend_by_phase(source.problem, source.roadmap.starts))
    assert project.tasks[0].cost == spend


def test_mpxj_reads_aliases_and_tricky_names(tricky, mpxj_read, tmp_path) -> None:
    project = mpxj_read(render(tricky), tmp_path)
    assert project.aliases["Text1"] == "Owner"
    assert project.aliases["Text2"] == "Cadence"
    assert project.name == 'Plan "Q" & <co>, ünïcode'
    by_key = project.by_key()
    assert by_key["A-1"].name == f"A-1: {TRICKY_TITLE}"
    assert by_key["B-2"].name == f"B-2: {TRICKY_OTHER}"
    assert by_key["A-1"].owner == TRICKY_OWNER
    assert [uid for uid, _ in by_key["B-2"].predecessors] == [by_key["A-1"].uid]
