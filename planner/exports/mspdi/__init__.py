"""MS Project XML (MSPDI, the Project 2007 `pj12` schema) export of a roadmap.

The file holds a project summary task (UID 0), a summary task per phase (the phase the
initiatives start in) or per category, a task per scheduled initiative with the dates of
its build phases, finish-to-start links for dependencies, a milestone per tollgate, cost
and the owner, cadence, key and category as aliased extended attributes. Elements follow
the schema's order; text is built as an element tree, never by concatenation.

Working time is the standard calendar: Monday to Friday, 08:00–12:00 and 13:00–17:00, so a
working day is 8 hours. A phase that starts or ends on a weekend is trimmed to its working
days. Costs are written in hundredths of the currency unit, as MS Project and MPXJ read them.

The parts: `planner.exports.mspdi.worktime` (working time), `.tasks` (the task tree),
`.document` (the XML).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from planner.errors import ScenarioError
from planner.exports.mspdi.document import project_element
from planner.exports.mspdi.tasks import EXTENDED_FIELDS, ExtendedField, plan_tasks
from planner.exports.source import ExportSource

GROUPINGS = ("phase", "category")


def render(source: ExportSource) -> bytes:
    """The roadmap as MSPDI with a summary task per phase."""
    return render_mspdi(source, group_by="phase")


def render_mspdi(source: ExportSource, *, group_by: str = "phase", currency: str = "USD") -> bytes:
    """The roadmap as MSPDI (UTF-8), grouped under a summary task per phase or per category.

    `currency` is the ISO 4217 code written as the project's currency.
    """
    if group_by not in GROUPINGS:
        raise ScenarioError(
            f"unknown MS Project grouping '{group_by}' (known: {', '.join(GROUPINGS)})"
        )
    code = currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ScenarioError(f"'{currency}' is not a three-letter ISO 4217 currency code")
    tasks = plan_tasks(source, group_by=group_by)
    root = project_element(source, tasks, currency=code)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


__all__ = ["EXTENDED_FIELDS", "GROUPINGS", "ExtendedField", "render", "render_mspdi"]
