"""Keys are handled one after another, in the order they were typed, across focus changes.

Textual forwards each key to the widget focused when the key is dequeued, and a key that
changes focus (tab, `/`, a key that opens a screen) takes effect only once it has bubbled back
up to the app. Keys that arrive in the same terminal read (over SSH, a paste-speed typist) are
all forwarded before that happens, so "name<TAB>time" typed in one burst ends up entirely in
the name field. Here the app holds every key until the one before it has been handled: a marker
follows the key up the same path; once it reaches the app, a second marker goes through the
active screen (so a screen just opened has composed, mounted and taken focus first), and only
then is the next key forwarded, to whatever has focus by then.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from textual import events
from textual.app import App, ScreenStackError
from textual.message import Message
from textual.widgets import Input, TextArea

ReturnType = TypeVar("ReturnType")
STUCK_AFTER = 1.0  # seconds: a marker lost with a widget removed mid-way releases the next key


class KeyHandled(Message, bubble=True):
    """Follows a key up the DOM: when it reaches the app, the key has been handled."""

    def __init__(self, key: events.Key, through_screen: bool) -> None:
        super().__init__()
        self.key = key
        self.through_screen = through_screen  # the second leg: via the active screen


class OrderedKeysApp(App[ReturnType]):
    """An App that forwards a key only after the key before it has done its work."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._key_in_flight: events.Key | None = None
        self._held_keys: deque[events.Key] = deque()
        self._stuck_timer: asyncio.TimerHandle | None = None
        self._holds = 0  # actions whose screen is still on its way (see hold_keys)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._key_in_flight is not None or self._holds:
                self._held_keys.append(event)
                return
            await self._dispatch_key(event)
            return
        await super().on_event(event)

    def _escape_then_key(self, key: events.Key) -> tuple[events.Key, events.Key] | None:
        """`escape` and the key after it, for an alt+key nothing binds: a terminal sends
        alt+j as escape then j, so escape and j typed ahead in one read (over a slow link,
        while the app was busy) arrived as alt+j, and both were lost (the article stayed
        open, the list did not move)."""
        name = key.key
        rest = name.removeprefix("alt+")
        # a letter or digit only (alt+left, alt+backspace are keys of their own), and never
        # into a field being typed in, where alt+b and alt+f are words and escape leaves it
        if rest == name or len(rest) != 1 or not rest.isalnum():
            return None
        if isinstance(self.focused, (Input, TextArea)):
            return None
        try:
            if name in self.screen.active_bindings:
                return None
        except ScreenStackError:
            return None
        return events.Key("escape", "\x1b"), events.Key(rest, rest)

    async def _dispatch_key(self, key: events.Key) -> None:
        split = self._escape_then_key(key)  # (as focus is once the keys before it are done)
        if split is not None:
            key, after = split
            self._held_keys.appendleft(after)
        self._key_in_flight = key
        target = self.focused or self.screen  # where Textual forwards a key it does not bind
        await super().on_event(key)
        if self._key_in_flight is not key:
            return
        if key.is_forwarded:  # on its way up from the focused widget
            sent = target.post_message(KeyHandled(key, through_screen=False))
        else:  # handled here by a priority binding, or dropped
            sent = self.screen.post_message(KeyHandled(key, through_screen=True))
        if not sent:
            await self._release(key)
            return
        self._stuck_timer = asyncio.get_running_loop().call_later(STUCK_AFTER, self._unstick, key)

    def _unstick(self, key: events.Key) -> None:
        if self._key_in_flight is key:
            self.call_later(self._release, key)

    async def _on_key_handled(self, message: KeyHandled) -> None:
        message.stop()
        if message.key is not self._key_in_flight:
            return
        # What the key did (a focus() call, a screen pushed) may still be queued: the active
        # screen finishes mounting and the app runs those callbacks before the next key.
        if not message.through_screen:
            try:
                screen = self.screen
            except ScreenStackError:  # the app is closing: no screen left to go through
                return
            if screen.post_message(KeyHandled(message.key, through_screen=True)):
                return
        await self._release(message.key)

    async def _release(self, key: events.Key) -> None:
        if self._key_in_flight is not key:
            return
        self._key_in_flight = None
        if self._stuck_timer is not None:
            self._stuck_timer.cancel()
            self._stuck_timer = None
        if self._held_keys and not self._holds:
            await self._dispatch_key(self._held_keys.popleft())

    def hold_keys(self, longest: float = 3.0) -> Callable[[], None]:
        """For an action whose screen opens later (after a worker): the keys typed after it
        wait for that screen. Call the returned function once the screen is pushed, or when
        none will be; after `longest` seconds the keys go on regardless."""
        self._holds += 1
        done = False

        def release() -> None:
            nonlocal done
            if done:
                return
            done = True
            timer.cancel()
            self._holds -= 1
            if self._holds or self._key_in_flight is not None or not self._held_keys:
                return
            # Through the screen just pushed, so it has mounted and taken focus first.
            probe = events.Key("", None)
            self._key_in_flight = probe
            if not self.screen.post_message(KeyHandled(probe, through_screen=True)):
                self.call_later(self._release, probe)

        timer = asyncio.get_running_loop().call_later(longest, release)
        return release
