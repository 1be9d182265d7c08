"""The recent background jobs of a workspace as a message: one line each, newest first."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks.elements import Block, context, header, section
from bot.blocks.text import escape, mention, pack_lines
from catalog.views import JobView

_ICONS = {
    "queued": ":hourglass_flowing_sand:",
    "running": ":gear:",
    "done": ":white_check_mark:",
    "failed": ":x:",
}
_MAX_SECTIONS = 40


def job_line(job: JobView) -> str:
    """`:gear: Planning… · running, attempt 2 of 3 · <@U1> · 2026-11-22 09:12 · job 3f2a…`."""
    state = job.status
    if job.status == "running" and job.attempts > 1:
        state += f", attempt {job.attempts} of {job.max_attempts}"
    if job.finished and job.started_at and job.finished_at:
        state += f" in {(job.finished_at - job.started_at).total_seconds():.1f} s"
    if job.result_roadmap_id is not None:
        state += f", roadmap #{job.result_roadmap_id}"
    if job.status == "failed" and job.error:
        state += f": {escape(job.error[:200])}"
    when = job.created_at.strftime("%Y-%m-%d %H:%M")
    icon = _ICONS.get(job.status, "")
    return (
        f"{icon} {escape(job.title)} · {state} · {mention(job.requested_by)} · {when} "
        f"· `{job.id[:8]}`"
    )


def jobs_blocks(jobs: Sequence[JobView]) -> list[Block]:
    """The workspace's recent jobs, newest first."""
    title = "Recent jobs"
    if not jobs:
        return [header(title), section("No plans, what-ifs or exports have run yet.")]
    lines = [job_line(j) for j in jobs]
    waiting = sum(1 for j in jobs if j.status in ("queued", "running"))
    summary = f"{waiting} waiting or running" if waiting else "nothing waiting"
    return [
        header(title),
        *(section(t) for t in pack_lines(lines, max_chunks=_MAX_SECTIONS)),
        context(summary),
    ]
