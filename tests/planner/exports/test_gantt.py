"""The Gantt picture, decoded: a real PNG, wide enough for Slack's preview, paginated."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from matplotlib.image import imread

from bench.generate import generate_portfolio
from planner.config import SolverConfig
from planner.exports import FORMATS, ExportSource, export
from planner.exports.frontier_chart import frontier_png
from planner.exports.gantt import gantt_png, page_count
from planner.frontier import FrontierPoint
from planner.portfolio import load_portfolio
from planner.problem import build_problem
from planner.solve import solve

DEMO = Path(__file__).resolve().parents[3] / "catalog" / "data" / "demo.yaml"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the signature."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def demo_source() -> ExportSource:
    portfolio = load_portfolio(DEMO)
    roadmap = solve(build_problem(portfolio), SolverConfig(time_limit=10.0))
    return ExportSource(roadmap=roadmap, portfolio=portfolio)


@pytest.fixture(scope="module")
def big_source() -> ExportSource:
    portfolio = generate_portfolio(200, 12, seed=1)
    roadmap = solve(build_problem(portfolio), SolverConfig(solver="greedy"))
    return ExportSource(roadmap=roadmap, portfolio=portfolio)


def test_demo_gantt_is_a_png_at_least_1000_px_wide(demo_source):
    data = export("png", demo_source)
    width, height = png_size(data)
    assert width >= 1000 and 300 <= height <= 2000
    pixels = imread(io.BytesIO(data), format="png")
    assert pixels.shape[:2] == (height, width)
    assert FORMATS["png"].module == "planner.exports.gantt"


def test_demo_fits_one_page(demo_source):
    assert page_count(demo_source) == 1
    assert export("png", demo_source) == gantt_png(demo_source, page=0)


def test_a_200_initiative_roadmap_is_split_into_readable_pages(big_source):
    scheduled = len(big_source.roadmap.scheduled)
    assert scheduled > 40
    pages = page_count(big_source, per_page=40)
    assert pages == -(-scheduled // 40) and pages >= 2
    heights = []
    for page in range(pages):
        width, height = png_size(gantt_png(big_source, page=page, per_page=40))
        assert width >= 1000
        heights.append(height)
    # a row keeps its height: a full page is taller than the short last one
    assert heights[0] > heights[-1] or scheduled % 40 == 0
    with pytest.raises(ValueError, match="page"):
        gantt_png(big_source, page=pages)


def test_more_rows_per_page_make_a_taller_picture(big_source):
    _, short = png_size(gantt_png(big_source, per_page=10))
    _, tall = png_size(gantt_png(big_source, per_page=60))
    assert tall > short


def test_an_empty_roadmap_still_draws(demo_source):
    from dataclasses import replace

    empty = replace(demo_source.roadmap, scheduled=(), objective=0)
    data = gantt_png(ExportSource(roadmap=empty, portfolio=demo_source.portfolio))
    assert png_size(data)[0] >= 1000


def test_names_with_markup_and_non_ascii_letters_draw(demo_source):
    from dataclasses import replace

    odd = tuple(
        replace(s, title=f'“Ærø & <Søren>”, "quoted" $x$ $\\nosuchmacro{{$ \n {s.title}')
        for s in demo_source.roadmap.scheduled
    )
    roadmap = replace(demo_source.roadmap, scheduled=odd, name="R&D <Ünïcode>")
    data = gantt_png(ExportSource(roadmap=roadmap, portfolio=demo_source.portfolio))
    assert png_size(data)[0] >= 1000


def test_frontier_chart_is_a_png_with_the_current_budget_marked():
    points = [
        FrontierPoint(100_000, 50_000, 50_000, "optimal", 1, 90_000),
        FrontierPoint(400_000, 300_000, 320_000, "feasible", 4, 390_000),
        FrontierPoint(800_000, None, None, "infeasible", 0, None),
        FrontierPoint(900_000, 610_000, 610_000, "optimal", 7, 880_000),
    ]
    data = frontier_png(points, title="What if $\\bad{$ budget-20%", current_budget=500_000)
    width, height = png_size(data)
    assert width >= 1000 and height >= 400
    plain = frontier_png(points, title="What if")
    assert plain != data  # the budget marker changed the picture
    assert png_size(frontier_png([], title="Nothing fits"))[0] >= 1000
