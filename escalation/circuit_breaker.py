"""A circuit breaker: after a neighbour fails, stop asking it for a while.

A cache that hangs costs each request its client timeout. Once a call has failed the breaker is
*open* for `retry_after` seconds: callers skip the neighbour and do without it. When the window
has passed the next call goes through again; if that one fails too, the window starts again.
So a process pays at most one failed attempt per window, however many requests it serves.

The state is per process (each gunicorn worker learns of the outage by its own one attempt);
it is a plain number read and written whole, so threads need no lock: at worst two threads of
one process both try at the end of a window.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class CircuitBreaker:
    clock: Callable[[], float] = time.monotonic
    _open_until: float = field(default=float("-inf"), init=False)

    @property
    def closed(self) -> bool:
        """Whether to call the neighbour: no failure, or its window has passed."""
        return self.clock() >= self._open_until

    def record_failure(self, *, retry_after: float) -> None:
        """The neighbour failed: skip it for the next `retry_after` seconds."""
        self._open_until = self.clock() + retry_after

    def reset(self) -> None:
        self._open_until = float("-inf")
