"""Idempotency keys: the first claim of a key wins, in any thread or process."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import select

from catalog import services
from catalog.models import IdempotencyKey
from catalog.services import idempotency
from catalog.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def _claim(uow: UowFactory, key: str, **kw: object) -> bool:
    with uow() as u:
        return services.claim_key(u, key, **kw)


def _keys(uow: UowFactory) -> list[str]:
    with uow() as u:
        return sorted(u.session.scalars(select(IdempotencyKey.key)))


def test_the_first_claim_wins_and_a_second_finds_it_taken(uow: UowFactory) -> None:
    assert _claim(uow, "T1:command:111.222.abc") is True
    assert _claim(uow, "T1:command:111.222.abc") is False
    assert _keys(uow) == ["T1:command:111.222.abc"]


def test_keys_are_scoped_by_workspace(uow: UowFactory) -> None:
    assert _claim(uow, "T1:view:V1") is True
    assert _claim(uow, "T2:view:V1") is True


def test_a_released_key_can_be_claimed_again(uow: UowFactory) -> None:
    assert _claim(uow, "T1:view:V1")
    with uow() as u:
        services.release_key(u, "T1:view:V1")
    assert _claim(uow, "T1:view:V1") is True
    with uow() as u:
        services.release_key(u, "T1:view:never-claimed")  # releasing nothing is fine


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("", "non-empty"),
        ("   ", "non-empty"),
        ("no-scope", "<team_id>:<kind>:<id>"),
        (":view:V1", "<team_id>:<kind>:<id>"),
        ("T1:" + "x" * 200, "at most 200"),
    ],
)
def test_unusable_keys_are_refused_with_the_reason(uow: UowFactory, key: str, says: str) -> None:
    with pytest.raises(ValueError, match="idempotency key") as info:
        _claim(uow, key)
    assert says in str(info.value)


def test_forget_before_deletes_only_older_keys(uow: UowFactory) -> None:
    now = dt.datetime.now(dt.UTC)
    _claim(uow, "T1:command:old", now=now - dt.timedelta(days=2))
    _claim(uow, "T1:command:new", now=now)
    with uow() as u:
        assert services.forget_keys_before(u, now - dt.timedelta(days=1)) == 1
    assert _keys(uow) == ["T1:command:new"]
    with pytest.raises(ValueError, match="timezone-aware"), uow() as u:
        services.forget_keys_before(u, dt.datetime(2026, 1, 1))


def test_a_claim_now_and_then_forgets_keys_older_than_a_day(
    uow: UowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = dt.datetime.now(dt.UTC)
    _claim(uow, "T1:command:ancient", now=now - idempotency.KEEP - dt.timedelta(minutes=1))
    _claim(uow, "T1:command:recent", now=now - dt.timedelta(hours=1))

    class Lucky:
        def randrange(self, n: int) -> int:
            assert n == idempotency.SWEEP_ODDS
            return 0

    monkeypatch.setattr(idempotency, "_random", Lucky())
    assert _claim(uow, "T1:command:fresh", now=now)
    assert _keys(uow) == ["T1:command:fresh", "T1:command:recent"]


def _race(uow: UowFactory, key: str, threads: int) -> tuple[list[bool], list[BaseException]]:
    """`threads` threads claim `key`, released at once by a barrier."""
    barrier = threading.Barrier(threads)
    results: list[bool] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def contend() -> None:
        barrier.wait()
        try:
            won = _claim(uow, key)
        except BaseException as exc:  # reported by the caller, not lost in the thread
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(won)

    workers = [threading.Thread(target=contend) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=30)
    return results, errors


def test_simultaneous_claims_of_one_key_let_exactly_one_through(uow: UowFactory) -> None:
    threads = 8
    for round_ in range(5):
        results, errors = _race(uow, f"T1:command:race-{round_}", threads)
        assert errors == []
        assert sorted(results) == [False] * (threads - 1) + [True]
