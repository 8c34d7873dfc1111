"""A key that deletes asks to be pressed again: the same key means "show the diff" on the
dashboard, and pressed there from habit in a list it removed a record at once."""

from __future__ import annotations

import time
from collections.abc import Callable

AGAIN_WITHIN = 3.0  # seconds the second press may come after the first


class PressedTwice:
    """Whether a removal is confirmed: the key pressed a second time within `AGAIN_WITHIN`
    seconds, on the same thing (moving to another row starts over)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._armed: tuple[str, float] | None = None

    def confirmed(self, what: str) -> bool:
        """True at the second press on `what` in time (and it starts over); False at the
        first, which the caller answers by saying what a second press does."""
        now, armed = self._clock(), self._armed
        if armed is not None and armed[0] == what and now - armed[1] <= AGAIN_WITHIN:
            self._armed = None
            return True
        self._armed = (what, now)
        return False
