"""Remembering which modal submissions took effect, so a double submission counts once.

Slack may deliver the same view submission twice (a double click, a retry after a slow
answer). The first submission of a view claims it; a failed one (inline errors) gives the
claim back so the corrected view can be submitted again. Claims are kept in this process
(`townhall serve` runs one process with threads), the oldest forgotten first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

#: Claims remembered at most; a view is submitted within minutes, so this is plenty.
REMEMBERED = 10_000


class Submissions:
    """The set of claimed submissions (e.g. `(team_id, view_id)`), bounded in size."""

    def __init__(self, *, size: int = REMEMBERED) -> None:
        self._size = size
        self._claimed: OrderedDict[Hashable, None] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, key: Hashable) -> bool:
        """Claim `key`; False when it was claimed already (a duplicate)."""
        with self._lock:
            if key in self._claimed:
                return False
            self._claimed[key] = None
            while len(self._claimed) > self._size:
                self._claimed.popitem(last=False)
            return True

    def release(self, key: Hashable) -> None:
        """Give a claim back (the submission did not take effect)."""
        with self._lock:
            self._claimed.pop(key, None)
