"""Heuristic schedules for resource-constrained project scheduling (RCPSP).

Used to keep a scheduling benchmark's horizon small: any feasible schedule's makespan
bounds the optimum. Activities are indexed 0…n−1 and must be numbered topologically
(every predecessor before its successors, as PSPLIB numbers them).

`good_schedule` combines three classic pieces:

- the serial schedule-generation scheme (`serial_schedule`): activities in a
  precedence-feasible order, each at its earliest precedence- and resource-feasible
  start;
- orders from priority rules (latest finish, latest start, slack, most successors,
  rank-positional weight) and from regret-biased random sampling on latest finish
  times, seeded, so the result is the same on every run;
- forward-backward improvement (double justification): schedule everything as late as
  possible in order of decreasing finish, then as early as possible in order of
  increasing start, while the makespan shrinks.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Network:
    """An RCPSP: durations, per-period requests, capacities, and successor lists."""

    durations: tuple[int, ...]
    requests: tuple[tuple[int, ...], ...]  # requests[j][k]: units of resource k per period
    capacities: tuple[int, ...]
    successors: tuple[tuple[int, ...], ...]

    @property
    def size(self) -> int:
        return len(self.durations)

    def predecessors(self) -> tuple[tuple[int, ...], ...]:
        preds: list[list[int]] = [[] for _ in self.durations]
        for j, succ in enumerate(self.successors):
            for s in succ:
                preds[s].append(j)
        return tuple(tuple(p) for p in preds)

    def reversed(self) -> Network:
        """The same project with every precedence turned around."""
        return Network(self.durations, self.requests, self.capacities, self.predecessors())


def serial_schedule(net: Network, order: Sequence[int]) -> list[int]:
    """Start times from the serial scheme; `order` must list predecessors first."""
    preds = net.predecessors()
    limit = sum(net.durations) + 1
    free = [[cap] * limit for cap in net.capacities]
    start = [0] * net.size
    for j in order:
        d = net.durations[j]
        t = max((start[p] + net.durations[p] for p in preds[j]), default=0)
        needs = [(free[k], r) for k, r in enumerate(net.requests[j]) if r]
        if d and needs:
            u = t
            while u < t + d:  # find d consecutive periods from t with room
                if all(room[u] >= r for room, r in needs):
                    u += 1
                else:
                    t = u = u + 1
            for room, r in needs:
                for u in range(t, t + d):
                    room[u] -= r
        start[j] = t
    return start


def makespan(net: Network, start: Sequence[int]) -> int:
    return max(s + d for s, d in zip(start, net.durations, strict=True))


def _justify(net: Network, start: list[int]) -> list[int]:
    """Forward-backward improvement until the makespan stops shrinking."""
    back = net.reversed()
    best = start
    while True:
        end = makespan(net, best)
        finish = [s + d for s, d in zip(best, net.durations, strict=True)]
        order = sorted(range(net.size), key=lambda j: (-finish[j], -j))
        late = serial_schedule(back, order)  # in reversed time
        span = makespan(back, late)
        right = [span - late[j] - net.durations[j] for j in range(net.size)]
        order = sorted(range(net.size), key=lambda j: (right[j], j))
        left = serial_schedule(net, order)
        if makespan(net, left) >= end:
            return best
        best = left


def _latest_finish(net: Network) -> list[int]:
    preds = net.predecessors()
    early = [0] * net.size
    for j in range(net.size):
        early[j] = max((early[p] + net.durations[p] for p in preds[j]), default=0)
    horizon = max(e + d for e, d in zip(early, net.durations, strict=True))
    late = [horizon] * net.size
    for j in reversed(range(net.size)):
        late[j] = min((late[s] - net.durations[s] for s in net.successors[j]), default=horizon)
    return late


def critical_path(net: Network) -> int:
    """The makespan without resource limits: a lower bound on any schedule's."""
    preds = net.predecessors()
    early = [0] * net.size
    for j in range(net.size):
        early[j] = max((early[p] + net.durations[p] for p in preds[j]), default=0)
    return max(e + d for e, d in zip(early, net.durations, strict=True))


def _order(net: Network, pick: Callable[[list[int]], int]) -> list[int]:
    """A precedence-feasible order: `pick` chooses among the eligible activities."""
    preds = net.predecessors()
    waiting = [len(p) for p in preds]
    eligible = [j for j in range(net.size) if not waiting[j]]
    order = []
    while eligible:
        j = pick(eligible)
        eligible.remove(j)
        order.append(j)
        for s in net.successors[j]:
            waiting[s] -= 1
            if not waiting[s]:
                eligible.append(s)
    return order


def _rule_orders(net: Network, lft: list[int]) -> list[list[int]]:
    durations = net.durations
    below: list[set[int]] = [set() for _ in range(net.size)]
    for j in reversed(range(net.size)):
        for s in net.successors[j]:
            below[j] |= below[s] | {s}
    preds = net.predecessors()
    early = [0] * net.size
    for j in range(net.size):
        early[j] = max((early[p] + durations[p] for p in preds[j]), default=0)
    rules: list[Callable[[int], tuple[int, int]]] = [
        lambda j: (lft[j], j),
        lambda j: (lft[j] - durations[j], j),
        lambda j: (lft[j] - durations[j] - early[j], j),
        lambda j: (-len(below[j]), j),
        lambda j: (-(durations[j] + sum(durations[s] for s in net.successors[j])), j),
    ]
    return [_order(net, lambda eligible, rule=rule: min(eligible, key=rule)) for rule in rules]


def good_schedule(net: Network, *, seed: int = 0, samples: int = 40) -> list[int]:
    """The shortest schedule found (module docstring); stops early at the critical path."""
    lft = _latest_finish(net)
    floor = critical_path(net)
    rng = random.Random(seed)

    def biased(eligible: list[int]) -> int:
        worst = max(lft[j] for j in eligible)
        weights = [(worst - lft[j] + 1) ** 2 for j in eligible]
        return rng.choices(eligible, weights=weights)[0]

    best: list[int] | None = None
    orders = _rule_orders(net, lft)
    for attempt in range(len(orders) + samples):
        order = orders[attempt] if attempt < len(orders) else _order(net, biased)
        start = _justify(net, serial_schedule(net, order))
        if best is None or makespan(net, start) < makespan(net, best):
            best = start
        if makespan(net, best) == floor:
            break
    assert best is not None
    return best
