"""Every database connection cut (`pg_terminate_backend`), as a PostgreSQL restart or a
failover does: the web processes and the workers carry on without anyone restarting them."""

from __future__ import annotations

from sqlalchemy import make_url, text

from catalog.db import make_engine
from tests.cluster import Cluster, cluster, wait_until
from tests.faults.support import answer_text, answers, running_job

#: Initiatives of the generated portfolio, so that a solve lasts its time limit.
BIG = 40


def terminate_connections(c: Cluster) -> int:
    """Cut every connection to the cluster's database and wait until their server processes
    are gone; how many there were. (pg_terminate_backend only signals them: a query in the
    instant before one exits still succeeds, so a pool's pre-ping could pass on a dying
    connection — that race is what retrying a failed transaction once is for.)"""
    name = make_url(c.database_url).database
    admin = make_engine(
        make_url(c.database_url).set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as connection:
            pids = (
                connection.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
                .scalars()
                .all()
            )
            for pid in pids:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

            def gone() -> bool:
                alive = connection.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
                    {"pids": list(pids)},
                ).scalar_one()
                return alive == 0

            wait_until(gone, timeout=10, what="the terminated connections to end")
            return len(pids)
    finally:
        admin.dispose()


def test_commands_and_jobs_work_after_every_connection_is_cut() -> None:
    with cluster(workers=2, lease_seconds=3.0, big_initiatives=BIG) as c:
        assert c.big is not None
        c.slack.command("plan").send(c.events_url)
        c.wait_jobs_finished(timeout=30, count=1)
        for _ in range(2):  # the web processes have pooled connections
            c.slack.command("list").send(c.events_url)
        # answered, so no command is in flight when the connections are cut (one would
        # fail: retrying a transaction cut mid-way is not pre-ping's job)
        wait_until(lambda: len(answers(c)) >= 2, timeout=20, what="the first answers")

        assert terminate_connections(c) >= 3  # web processes, workers' sweeps, this process
        seen = len(answers(c))
        for _ in range(4):  # through both web processes, whichever the kernel picks
            assert c.slack.command("list").send(c.events_url).status == 200
        wait_until(lambda: len(answers(c, after=seen)) >= 4, timeout=20, what="four answers")
        for answer in answers(c, after=seen):
            assert "Single sign-on" in answer_text(answer), answer_text(answer)

        c.slack.command("plan").send(c.events_url)
        c.wait_jobs_finished(timeout=30, count=2)

        # cut again while a worker solves: its lease renewals, its result and its
        # delivery go through new connections
        c.big.command("plan time=5s").send(c.events_url)
        running = running_job(c)
        assert terminate_connections(c) >= 1
        jobs = c.wait_jobs_finished(timeout=40, count=3)
        assert [(j.status, j.attempts) for j in jobs] == [("done", 1)] * 3
        assert jobs[2].id == running.id
        assert list(c.results_per_job().values()) == [1, 1, 1]
        assert all(p.poll() is None for p in [*c.webs, *c.workers]), "a process died"
