"""An open-loop load generator for signed slash commands.

Open loop: request i is due at `start + i / rate` whatever happened to the ones before it,
so a slow server does not slow the sender down and hide its own latency (the "coordinated
omission" of closed-loop load tests). A scheduler thread hands each due request to a pool
of sender threads; every sender keeps one HTTP/1.1 keep-alive connection to the server,
so the generator spends its CPU on requests and not on TCP handshakes. Each request is
signed when it is due (a Slack signature covers the timestamp, so it cannot be made in
advance); an HMAC-SHA256 over a few hundred bytes costs microseconds.

Latency is timed from the moment the request is written to its connection until the
whole response is read; `lag` is how late the request left compared with its schedule
(large lags mean the generator, not the server, was the bottleneck).
"""

from __future__ import annotations

import http.client
import math
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

#: Seconds a request may take before it counts as a timeout error.
REQUEST_TIMEOUT = 10.0


@dataclass
class Sample:
    """One request: what was sent, when it was due, how long its answer took, or why not."""

    text: str
    due: float  # perf_counter seconds
    lag: float = 0.0  # seconds it left after `due`
    seconds: float | None = None  # request written → response read
    status: int | None = None
    error: str = ""
    reopened: bool = False  # sent again on a new connection: the kept-alive one was stale

    @property
    def ok(self) -> bool:
        return not self.error and self.seconds is not None


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of a non-empty sequence."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


#: Makes the (body, headers) of a signed request for a command text, signed now.
Signer = Callable[[str], tuple[bytes, dict[str, str]]]


#: A kept-alive connection idle longer than this is closed and a new one opened: gunicorn
#: closes idle connections after 2 s (its `keepalive`), and a request written onto a
#: connection the server is closing at that moment would fail for the client's reasons.
IDLE_SECONDS = 1.0
#: Errors that mean a reused connection had been closed by the server before the request
#: reached it; such a request is sent once more on a new connection (as urllib3 does).
STALE = (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected)


class _Sender:
    """One keep-alive connection, reopened when idle too long or after any error."""

    def __init__(self, host: str, port: int, path: str) -> None:
        self.host, self.port, self.path = host, port, path
        self.connection: http.client.HTTPConnection | None = None
        self.used = 0.0
        self.reopened = 0  # requests sent again after a stale connection

    def send(self, body: bytes, headers: dict[str, str]) -> tuple[int, float]:
        """POST and read the answer: (status, seconds from the first write to the end)."""
        began = time.perf_counter()
        if self.connection is not None and began - self.used > IDLE_SECONDS:
            self.close()
        reused = self.connection is not None
        try:
            status = self._exchange(body, headers)
        except STALE:
            if not reused:
                raise
            self.reopened += 1
            status = self._exchange(body, headers)
        self.used = time.perf_counter()
        return status, self.used - began

    def _exchange(self, body: bytes, headers: dict[str, str]) -> int:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                self.host, self.port, timeout=REQUEST_TIMEOUT
            )
        try:
            self.connection.request("POST", self.path, body=body, headers=headers)
            response = self.connection.getresponse()
            response.read()
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def run_open_loop(
    url: str,
    texts: Sequence[str],
    sign: Signer,
    *,
    rate: float,
    senders: int = 64,
    on_sent: Callable[[Sample], None] | None = None,
) -> list[Sample]:
    """Send `texts[i]` at `start + i / rate` to `url` (POST, loopback http); return one
    Sample per text, in order, once every answer is in (each bounded by REQUEST_TIMEOUT).

    `senders` threads each keep a connection; if all are busy a due request waits for the
    first free one, which shows up as its `lag`."""
    if rate <= 0:
        raise ValueError(f"rate must be a positive number of requests per second, not {rate}")
    if senders < 1:
        raise ValueError(f"senders must be at least 1, not {senders}")
    split = urlsplit(url)
    if split.scheme != "http" or split.hostname is None:
        raise ValueError(f"url must be http://host:port/path, not {url!r}")
    path = split.path or "/"
    start = time.perf_counter() + 0.05
    samples = [Sample(text, due=start + i / rate) for i, text in enumerate(texts)]
    due: queue.SimpleQueue[Sample | None] = queue.SimpleQueue()

    def work() -> None:
        sender = _Sender(split.hostname or "127.0.0.1", split.port or 80, path)
        try:
            while (sample := due.get()) is not None:
                sample.lag = time.perf_counter() - sample.due
                body, headers = sign(sample.text)
                reopened = sender.reopened
                try:
                    sample.status, sample.seconds = sender.send(body, headers)
                except TimeoutError:
                    sample.error = "timeout"
                except OSError as exc:
                    sample.error = f"{type(exc).__name__}: {exc}"
                except http.client.HTTPException as exc:
                    sample.error = f"{type(exc).__name__}: {exc}"
                else:
                    if sample.status != 200:
                        sample.error = f"HTTP {sample.status}"
                sample.reopened = sender.reopened > reopened
                if on_sent is not None:
                    on_sent(sample)
        finally:
            sender.close()

    threads = [
        threading.Thread(target=work, name=f"load-send-{i}", daemon=True) for i in range(senders)
    ]
    for thread in threads:
        thread.start()
    for sample in samples:
        pause = sample.due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        due.put(sample)
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT + 5)
    return samples


@dataclass(frozen=True)
class Summary:
    """Latency figures of a set of samples (milliseconds), errors and the rate achieved."""

    count: int
    ok: int
    errors: int
    p50: float | None
    p90: float | None
    p99: float | None
    max: float | None
    rate: float  # requests answered per second over the span they were due in
    lag_p99: float | None  # generator lateness, ms


def summarize(samples: Sequence[Sample], *, seconds: float | None = None) -> Summary:
    """p50/p90/p99/max over the answered requests; `seconds` is the span the samples were
    due in (by default the first due to the last answer)."""
    timed = [1000 * s.seconds for s in samples if s.ok and s.seconds is not None]
    lags = [1000 * s.lag for s in samples if s.seconds is not None or s.error]
    if seconds is None and samples:
        ends = [s.due + s.lag + (s.seconds or 0.0) for s in samples]
        seconds = max(ends) - min(s.due for s in samples)
    rate = len(timed) / seconds if seconds else 0.0

    def pct(share: float) -> float | None:
        return percentile(timed, share) if timed else None

    return Summary(
        count=len(samples),
        ok=len(timed),
        errors=sum(1 for s in samples if s.error or s.seconds is None),
        p50=pct(0.5),
        p90=pct(0.9),
        p99=pct(0.99),
        max=max(timed) if timed else None,
        rate=rate,
        lag_p99=percentile(lags, 0.99) if lags else None,
    )
