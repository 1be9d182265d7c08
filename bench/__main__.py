"""`python -m bench`: solve benchmark instances with CP-SAT and greedy, print the table.

    python -m bench [--suite generated|mknap|psplib|all] [--time-limit 10] [--workers 2]
                    [--sample N] [--all-mknap] [--all-psplib] [--sizes 50x8,200x12]
                    [--worst 1000x24] [--engine auto|cpsat|cpsat+highs|highs]
                    [--instance PATTERN] [--json out.json]

The default is a quick sample (a few instances of each family). The exit status is 1
when any result broke a rule of the model or failed to run, whatever the targets say.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

from rich.console import Console

from bench.cases import DEFAULT_SIZES, OBJECTIVES, SUITES, select_cases
from bench.generate import parse_sizes
from bench.paths import DEMO_PORTFOLIO, data_dir
from bench.psplib import instance_names
from bench.report import print_report
from bench.run import Result, Settings, run_cases
from planner.config import ENGINES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--suite", choices=(*SUITES, "all"), default="all")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per CP-SAT solve")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT search workers")
    parser.add_argument("--seed", type=int, default=0, help="CP-SAT random seed")
    parser.add_argument(
        "--sample", type=int, default=3, help="instances per family (seeds per generated size)"
    )
    parser.add_argument("--all-mknap", action="store_true", help="all 30 problems of each file")
    parser.add_argument("--all-psplib", action="store_true", help="all 480 j30 instances")
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=DEFAULT_SIZES,
        help="generated sizes as NxP, comma-separated (default 50x8,200x12,1000x24)",
    )
    parser.add_argument(
        "--worst",
        type=parse_sizes,
        default=(),
        help="also the constructed worst case (bench/worst.py) of these sizes, e.g. 1000x24",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="how CP-SAT searches (planner.config.ENGINES; default auto: by size)",
    )
    parser.add_argument("--no-demo", action="store_true", help="leave out the demo portfolio")
    parser.add_argument(
        "--objective",
        choices=(*OBJECTIVES, "all"),
        default="all",
        help="what generated portfolios and the demo are planned for (default: both)",
    )
    parser.add_argument("--instance", help="only instances whose name matches this glob")
    parser.add_argument("--data", type=Path, help="benchmark instance folder (../shared/bench)")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.sample < 1:
        _parser().error("--sample must be at least 1")
    data = data_dir(args.data)
    suites = SUITES if args.suite == "all" else (args.suite,)
    cases = select_cases(
        suites=suites,
        data=data,
        sample=args.sample,
        all_mknap=args.all_mknap,
        all_psplib=args.all_psplib,
        sizes=args.sizes,
        demo=None if args.no_demo else DEMO_PORTFOLIO,
        pattern=args.instance,
        objectives=OBJECTIVES if args.objective == "all" else (args.objective,),
        worst=args.worst,
    )
    settings = Settings(
        time_limit=args.time_limit, workers=args.workers, seed=args.seed, engine=args.engine
    )
    console = Console(width=None if sys.stdout.isatty() else 220)
    progress = Console(stderr=True)
    progress.print(
        f"{len(cases)} instances, CP-SAT {settings.time_limit:g} s, {settings.workers} workers"
    )

    def report(result: Result) -> None:
        state = "ok" if result.valid else f"{len(result.errors)} error(s)"
        progress.print(
            f"  [{len(done) + 1}/{len(cases)}] {result.name}: {result.status}, "
            f"{result.seconds or 0:.1f} s, {state}",
            highlight=False,
        )
        done.append(result)

    done: list[Result] = []
    results = run_cases(cases, data=data, settings=settings, on_result=report)
    family_sizes = {"mknapcb1": 30, "mknapcb4": 30}
    if "psplib" in suites:
        family_sizes["j30"] = len(instance_names(data))
    found = print_report(console, results, family_sizes=family_sizes)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "settings": {
                        "time_limit": settings.time_limit,
                        "workers": settings.workers,
                        "seed": settings.seed,
                        "engine": settings.engine,
                        "python": platform.python_version(),
                        "machine": platform.machine(),
                    },
                    "results": [r.to_dict() for r in results],
                    "verdicts": [v.__dict__ for v in found],
                },
                indent=2,
            )
            + "\n"
        )
    return 1 if any(not r.valid for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
