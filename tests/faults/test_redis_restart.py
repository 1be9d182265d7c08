"""Redis stopped and started again, empty: commands that need no queue keep answering, a
plan asked for meanwhile says it waits for the queue, then runs once the queue is back."""

from __future__ import annotations

import time

from tests.cluster import cluster, wait_until
from tests.faults.support import answer_text, answers, worker_pid

#: Initiatives of the generated portfolio, so that a solve lasts its time limit.
BIG = 40


def test_redis_down_then_back_empty_the_job_asked_meanwhile_runs_once() -> None:
    with cluster(private_redis=True, workers=2, lease_seconds=3.0, big_initiatives=BIG) as c:
        assert c.big is not None
        c.slack.command("plan").send(c.events_url)
        [before] = c.wait_jobs_finished(timeout=30)

        c.stop_redis()
        seen = len(answers(c))
        for text, expected in (("list", "Single sign-on"), ("help", "plan")):
            reply = c.slack.command(text).send(c.events_url)
            assert reply.status == 200, f"/roadmap {text} with Redis down answered {reply.status}"
            wait_until(
                lambda seen=seen: len(answers(c, after=seen)) >= 1,
                timeout=15,
                what=f"the {text} answer",
            )
            [answer] = answers(c, after=seen)
            assert expected in answer_text(answer), answer_text(answer)
            seen += 1

        assert c.slack.command("plan").send(c.events_url).status == 200
        wait_until(lambda: len(c.jobs()) == 2, timeout=15, what="the second job's row")
        during = c.jobs()[1]
        ts = during.delivery["ts"]
        wait_until(
            lambda: bool(
                c.fake.calls(
                    "chat.update",
                    where=lambda call: (
                        call.body.get("ts") == ts
                        and "job queue is unavailable" in call.body.get("text", "")
                    ),
                )
            ),
            timeout=15,
            what="the placeholder to say the queue is unavailable",
        )
        time.sleep(3)  # the workers' sweeps find the job, and the queue still away
        assert c.jobs()[1].status == "queued"
        assert [p.poll() for p in c.workers] == [None, None], "a worker died with Redis away"

        c.start_redis()  # empty: the job's submission was never there
        finished = c.wait_jobs_finished(timeout=40, count=2)
        assert [(j.id, j.status, j.attempts) for j in finished] == [
            (before.id, "done", 1),
            (during.id, "done", 1),
        ]
        assert c.results_per_job() == {before.id: 1, during.id: 1}

        # both workers listen again: two long solves at once run on the two of them
        for _ in range(2):
            c.big.command("plan time=3s").send(c.events_url)
        after = c.wait_jobs_finished(timeout=40, count=4)[2:]
        assert {worker_pid(j) for j in after} == set(c.pids()["worker"])
        assert list(c.results_per_job().values()) == [1, 1, 1, 1]
