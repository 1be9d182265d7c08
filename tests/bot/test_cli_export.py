"""`townhall export`, run through the real console-script entry point."""

from __future__ import annotations

import csv
import io
import json
import struct
from importlib.util import find_spec

import pytest

from planner.exports import FORMATS
from tests.bot.test_cli import DEMO, cli  # noqa: F401  (the fixture)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def looks_right(fmt: str, data: bytes) -> None:
    """The file is what its format says, read by the simplest independent check."""
    assert data, fmt
    if fmt == "png":
        assert data[:8] == PNG_SIGNATURE
        width, _ = struct.unpack(">II", data[16:24])
        assert width >= 1000
    elif fmt == "json":
        doc = json.loads(data)
        assert doc["schema"] == "townhall.roadmap/1" and doc["scheduled"]
    elif fmt == "xlsx":
        assert data[:4] == b"PK\x03\x04"
    elif fmt == "mspdi":
        text = data.decode("utf-8").lstrip("\ufeff")
        assert text.startswith("<?xml") and "<Project" in text
    elif fmt == "ics":
        assert data.decode("utf-8").startswith("BEGIN:VCALENDAR")
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert len(rows) >= 2 and len(rows[0]) >= 2
    else:
        pytest.fail(f"no check for the {fmt} format")


def available() -> list[str]:
    return [name for name, f in FORMATS.items() if find_spec(f.module) is not None]


def test_every_format_of_the_latest_plan(cli):  # noqa: F811
    cli("demo")
    cli("plan", "--solver", "greedy")
    assert {"png", "json"} <= set(available())
    for fmt in available():
        target = cli.tmp / f"roadmap.{FORMATS[fmt].extension}"
        proc = cli("export", fmt, "--out", str(target))
        assert "latest roadmap #" in proc.stdout, proc.stdout
        looks_right(fmt, target.read_bytes())


def test_a_roadmap_file_with_its_portfolio_needs_no_plan_in_the_workspace(cli):  # noqa: F811
    planned = cli("plan", str(DEMO), "--solver", "greedy", "--format", "json").stdout
    roadmap = cli.tmp / "plan.json"
    roadmap.write_text(planned)
    out = cli.tmp / "gantt.png"
    cli("export", "PNG", "--roadmap", str(roadmap), "--portfolio", str(DEMO), "--out", str(out))
    looks_right("png", out.read_bytes())
    again = cli.tmp / "again.json"
    cli("export", "json", "--roadmap", str(roadmap), "--portfolio", str(DEMO), "-o", str(again))
    assert json.loads(again.read_text())["scheduled"] == json.loads(planned)["scheduled"]


def test_published_is_the_default_and_can_be_asked_for(cli):  # noqa: F811
    cli("demo")
    missing = cli("export", "json", "--roadmap", "published", "--out", "x.json", ok=False)
    assert "no published roadmap" in missing.stderr and "townhall plan" in missing.stderr
    cli("plan", "--solver", "greedy")
    out = cli.tmp / "latest.json"
    proc = cli("export", "json", "--roadmap", "latest", "--out", str(out))
    assert "latest roadmap #" in proc.stdout and out.stat().st_size > 0


def test_clear_errors_without_traceback(cli):  # noqa: F811
    cli("demo")
    nothing = cli("export", "png", "--out", "g.png", ok=False)
    assert nothing.returncode != 0
    assert "no roadmap" in nothing.stderr and "run `townhall plan` first" in nothing.stderr
    unknown = cli("export", "docx", "--out", "r.docx", ok=False)
    assert "unknown export format 'docx'" in unknown.stderr
    assert all(name in unknown.stderr for name in FORMATS)
    absent = cli("export", "json", "--roadmap", "nope.json", "--out", "r.json", ok=False)
    assert "cannot read roadmap nope.json: no such file" in absent.stderr
    broken = cli.tmp / "broken.json"
    broken.write_text("{not json")
    bad = cli("export", "json", "--roadmap", str(broken), "--out", "r.json", ok=False)
    assert "not JSON" in bad.stderr
    broken.write_text(json.dumps({"schema": "something/else"}))
    wrong = cli("export", "json", "--roadmap", str(broken), "--out", "r.json", ok=False)
    assert "not a townhall.roadmap/1 document" in wrong.stderr
    for proc in (nothing, unknown, absent, bad, wrong):
        assert "Traceback" not in proc.stderr + proc.stdout
    assert not (cli.tmp / "g.png").exists() and not (cli.tmp / "r.json").exists()


def test_a_format_by_its_alias_and_the_help_names_every_alias(cli):  # noqa: F811
    if find_spec(FORMATS["xlsx"].module) is None or find_spec("openpyxl") is None:
        pytest.skip("openpyxl is not installed")
    cli("demo")
    cli("plan", "--solver", "greedy")
    proc = cli("export", "excel", "--out", "x.xlsx")
    assert "Wrote Excel workbook of the latest roadmap #" in proc.stdout, proc.stdout
    looks_right("xlsx", (cli.tmp / "x.xlsx").read_bytes())
    shown = cli("export", "--help").stdout
    assert all(word in shown for f in FORMATS.values() for word in (f.name, *f.aliases))
