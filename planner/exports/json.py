"""JSON export: the `townhall.roadmap/1` document, pretty-printed UTF-8.

The document is described in docs/PLANNING_MODEL.md, Roadmap JSON.

The document is `Roadmap.to_dict()`; `roadmap.schema.json` beside this module is its
JSON Schema (`schema_document()` loads it) and `roadmap_from_dict` reads it back.
"""

from __future__ import annotations

import json as _json
from functools import cache
from importlib import resources
from typing import Any

from planner.exports.source import ExportSource

SCHEMA_FILE = "roadmap.schema.json"


def render(source: ExportSource) -> bytes:
    """The roadmap as indented JSON (2 spaces, non-ASCII kept as is), ending in a newline."""
    text = _json.dumps(source.roadmap.to_dict(), indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


@cache
def _schema_text() -> str:
    return resources.files("planner.exports").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def schema_document() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the `townhall.roadmap/1` document."""
    return _json.loads(_schema_text())
