"""The benchmark table, and each family's figures against the planner targets in
bench/README.md."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import mean

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bench.run import Result

COLUMNS = (
    "instance",
    "size",
    "status",
    "CP-SAT",
    "bound",
    "gap",
    "reference",
    "vs ref",
    "greedy",
    "CP/greedy",
    "seconds",
    "to 1% s",
    "engine",
    "build s",
    "peak MB",
    "check",
)

_TITLES = {
    "generated": "Generated portfolios (realized value; `strategic` families: strategic "
    "score × live phases; to 1% s: time to a plan within 1% of the final bound; engine: "
    "the one that ran; build s and peak MB measured in a fresh process per instance: "
    "Problem + CP-SAT model build time, peak RSS; reference = best-known value, "
    "bench/known.py; vs ref = shortfall)",
    "mknap": "Multidimensional knapsack, OR-Library (value; reference = best-known value; "
    "vs ref = shortfall)",
    "psplib": "PSPLIB j30 (makespans, lower is better; bound = lower bound; reference = "
    "optimal makespan; vs ref = excess; CP/greedy = greedy makespan ÷ CP-SAT makespan)",
}


@dataclass(frozen=True)
class Verdict:
    """One family's figures in a sentence; `met` is None when the family has no target."""

    suite: str
    family: str
    text: str
    met: bool | None


# --------------------------------------------------------------------------- table


def _int(value: int | None, scale: int = 1) -> str:
    """A figure; one in 1/`scale` units (a strategic score) with two decimals."""
    if value is None:
        return "—"
    return f"{value:,}" if scale == 1 else f"{value / scale:,.2f}"


def _pct(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _check(result: Result) -> Text:
    if not result.valid:
        first = result.errors[0]
        more = f" (+{len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
        return Text(f"ERROR: {first}{more}", style="bold red")
    notes = []
    if not result.planned:
        notes.append(f"no roadmap: CP-SAT {result.status}")
    if result.greedy_missing:
        notes.append(f"greedy: no plan ({result.greedy_missing} mandatory left out)")
    if notes:
        return Text("; ".join(notes), style="yellow")
    return Text("ok", style="green")


def row(result: Result) -> list[str | Text]:
    """The table cells of a result (psplib in makespans)."""
    size = f"{result.items} × {result.phases}" if result.items else "—"
    digits = 3 if result.suite == "mknap" else 2
    if result.scheduling:
        shown = (result.makespan, result.makespan_bound, result.greedy_makespan)
    else:
        shown = (result.value, result.bound, result.greedy_value)
    return [
        result.name,
        size,
        result.status,
        _int(shown[0], result.scale),
        _int(shown[1], result.scale),
        _pct(result.shown_gap, digits),
        _int(result.reference),
        _pct(result.reference_gap, digits),
        _int(shown[2], result.scale),
        _num(result.ratio, 3),
        _num(result.seconds),
        _num(result.to_1pct),
        result.engine or "—",
        _num(result.build_seconds),
        _num(result.peak_mb, 0),
        _check(result),
    ]


def table(suite: str, results: Sequence[Result]) -> Table:
    out = Table(title=_TITLES.get(suite, suite), title_justify="left")
    for name in COLUMNS:
        out.add_column(name, justify="left" if name in ("instance", "status", "check") else "right")
    for result in results:
        out.add_row(*row(result))
    return out


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class GapTarget:
    """A generated size's target: the most gap to the bound at each time limit, and the
    most peak memory (None: no limit)."""

    gaps: tuple[tuple[float, float], ...]  # (time limit in s, most gap)
    peak_mb: float | None = None


#: bench/README.md, Planner targets.
GAP_TARGETS = {
    "200x12": GapTarget(gaps=((10.0, 0.005),)),
    "1000x24": GapTarget(gaps=((10.0, 0.03), (60.0, 0.01))),
    "2000x24": GapTarget(gaps=((60.0, 0.03),), peak_mb=2048.0),
}


def _memory(peak_mb: float | None) -> str:
    return "" if peak_mb is None else f", peak memory < {peak_mb / 1024:g} GB"


def _generated(family: str, results: list[Result]) -> Verdict:
    solved = [r for r in results if r.value is not None]
    errors = sum(1 for r in results if not r.valid)
    gaps = [r.gap for r in solved if r.gap is not None]
    ratios = [r.ratio for r in solved if r.ratio is not None]
    parts = [f"{family} ({len(results)} instance{'s' if len(results) != 1 else ''})"]
    if family in ("demo", "demo strategic"):
        r = results[0]
        met = r.status == "optimal" and r.valid and (r.seconds or 0) < 1.0
        parts.append(f"{r.status} in {_num(r.seconds)} s (target: proved optimal in < 1 s)")
        return Verdict("generated", family, ": ".join(parts), met)
    figures = []
    if gaps:
        figures.append(f"gap to bound mean {_pct(mean(gaps))}, worst {_pct(max(gaps))}")
    if ratios:
        gains = [x - 1 for x in ratios]
        figures.append(f"CP-SAT over greedy mean {_pct(mean(gains))}, worst {_pct(min(gains))}")
    known = [
        (r.reference_gap or 0.0, r.bound, r.reference) for r in solved if r.reference and r.bound
    ]
    if known:
        short = [gap for gap, _, _ in known]
        at_bound = [(bound - reference) / bound for _, bound, reference in known]
        figures.append(
            f"short of the best known mean {_pct(mean(short))}, worst {_pct(max(short))}"
            f"; the best known at this bound: gap mean {_pct(mean(at_bound))}, worst "
            f"{_pct(max(at_bound))} ({len(known)} with one)"
        )
    builds = [r.build_seconds for r in results if r.build_seconds is not None]
    peaks = [r.peak_mb for r in results if r.peak_mb is not None]
    if builds:
        figures.append(f"build max {_num(max(builds))} s")
    if peaks:
        figures.append(f"peak memory max {_num(max(peaks), 0)} MB")
    figures.append(f"valid {len(results) - errors}/{len(results)}")
    if len(solved) < len(results):
        figures.append(f"no roadmap on {len(results) - len(solved)}")
    unbounded = sum(1 for r in solved if r.bound is None)
    if unbounded:
        figures.append(f"no CP-SAT bound on {unbounded} (the greedy plan was kept)")
    met: bool | None = None
    target = GAP_TARGETS.get(family)
    if target is not None:
        limits = {r.time_limit for r in results}
        wanted = dict(target.gaps)
        if len(limits) == 1 and (limit := limits.pop()) in wanted:
            most = wanted[limit]
            memory = target.peak_mb
            met = (
                len(solved) == len(results)
                and len(gaps) == len(solved)
                and max(gaps) <= most
                and (memory is None or (bool(peaks) and max(peaks) < memory))
            )
            figures.append(f"target at {limit:g} s: gap ≤ {_pct(most, 1)}" + _memory(memory))
        else:
            settings = ", ".join(f"gap ≤ {_pct(g, 1)} at {t:g} s" for t, g in target.gaps)
            figures.append(f"targets ({settings}) not at these settings")
    to_1pct = [r.to_1pct for r in results if r.to_1pct is not None]
    if to_1pct and len(to_1pct) == len(results):
        figures.insert(1, f"within 1% after {_num(max(to_1pct))} s at worst")
    elif results:
        figures.insert(1, f"within 1% on {len(to_1pct)} of {len(results)}")
    if errors:
        met = False
        figures.append(f"{errors} with errors")
    return Verdict("generated", family, f"{parts[0]}: " + "; ".join(figures), met)


_MKNAP_TARGETS = {"mknapcb1": 0.0005, "mknapcb4": 0.003}


def _mknap(family: str, results: list[Result], total: int) -> Verdict:
    # a problem without a CP-SAT solution counts as a 100% shortfall
    gaps = [r.reference_gap if r.reference_gap is not None else 1.0 for r in results]
    proved = sum(1 for r in results if r.status == "optimal")
    errors = sum(1 for r in results if not r.valid)
    target = _MKNAP_TARGETS.get(family)
    text = (
        f"{family} ({len(results)} of {total}): mean gap to best-known {_pct(mean(gaps), 3)}, "
        f"worst {_pct(max(gaps), 3)}, proved optimal {proved}"
    )
    unsolved = sum(1 for r in results if r.value is None)
    if unsolved:
        text += f", no roadmap on {unsolved} (counted as 100%)"
    met = None
    if target is not None:
        met = mean(gaps) <= target and not errors
        text += f" (target: mean ≤ {_pct(target, 2)})"
    if errors:
        text += f"; {errors} with errors"
    return Verdict("mknap", family, text, met)


def _psplib(family: str, results: list[Result], total: int) -> Verdict:
    hits = sum(1 for r in results if r.makespan is not None and r.makespan == r.reference)
    share = hits / len(results)
    errors = sum(1 for r in results if not r.valid)
    excess = [r.reference_gap for r in results if r.reference_gap is not None]
    text = (
        f"{family} ({len(results)} of {total}): optimal makespan on {hits} "
        f"({_pct(share, 1)}), mean excess where solved {_pct(mean(excess)) if excess else '—'} "
        "(target: optimal on ≥ 95%)"
    )
    unsolved = sum(1 for r in results if r.makespan is None)
    if unsolved:
        text += f"; no roadmap on {unsolved}"
    no_greedy = sum(1 for r in results if r.greedy_missing)
    if no_greedy:
        text += f"; greedy found no plan within the horizon on {no_greedy}"
    if errors:
        text += f"; {errors} with errors"
    return Verdict("psplib", family, text, share >= 0.95 and not errors)


def verdicts(results: Sequence[Result], *, family_sizes: dict[str, int]) -> list[Verdict]:
    """One verdict per family, in the order the families were run."""
    families: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        families.setdefault((r.suite, r.family), []).append(r)
    out = []
    for (suite, family), group in families.items():
        total = family_sizes.get(family, len(group))
        if suite == "generated":
            out.append(_generated(family, group))
        elif suite == "mknap":
            out.append(_mknap(family, group, total))
        else:
            out.append(_psplib(family, group, total))
    return out


def print_report(
    console: Console,
    results: Sequence[Result],
    *,
    family_sizes: dict[str, int],
) -> list[Verdict]:
    """Print a table per suite, the errors in full, and the verdicts; return the verdicts."""
    suites: dict[str, list[Result]] = {}
    for r in results:
        suites.setdefault(r.suite, []).append(r)
    found = verdicts(results, family_sizes=family_sizes)
    for suite, group in suites.items():
        console.print(table(suite, group))
        for r in group:
            for error in r.errors[:10]:
                console.print(Text(f"  {r.name}: {error}", style="red"))
            if len(r.errors) > 10:
                console.print(Text(f"  {r.name}: … {len(r.errors) - 10} more", style="red"))
        for v in found:
            if v.suite == suite:
                mark = {True: "[green]MET[/]", False: "[bold red]MISSED[/]", None: "[dim]—[/]"}
                console.print(f"{mark[v.met]} {v.text}")
        console.print()
    return found
