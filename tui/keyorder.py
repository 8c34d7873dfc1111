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
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from textual import events
from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual._xterm_parser import XTermParser
from textual.app import App, ScreenStackError
from textual.drivers import web_driver
from textual.keys import REPLACED_KEYS, key_to_character
from textual.message import Message
from textual.widgets import Input, TextArea

ReturnType = TypeVar("ReturnType")
STUCK_AFTER = 1.0  # seconds: a marker lost with a widget removed mid-way releases the next key
ESCAPE = "\x1b"
WORD_MOVES = {"b": "ctrl+left", "f": "ctrl+right"}  # alt+b and alt+f in a text field
# what Textual reads escape and a key as, where that is the alt key too: escape then b or f
# as macOS terminals' option and an arrow (a word move), escape then backspace as a word
# deleted, escape then tab as shift+tab (the Linux console's); a binding given the alt key in
# [keys] never fired (`AltOrKey`)
READ_AS = {
    "\x1bb": "alt+b",
    "\x1bf": "alt+f",
    "\x1b\x7f": "alt+backspace",
    "\x1b\t": "alt+tab",
}
# the text fields where an alt+key is taken as escape then the key: the filter prompt, which
# escape closes keeping nothing typed to lose (a form's escape cancels the form)
SPLIT_IN = frozenset({"filter-input"})


class AltOrKey(events.Key):
    """A key Textual reads escape and a key as (escape then b: ctrl+left) that a terminal
    also sends for an alt key (alt+b): `alt` names that key. OrderedKeysApp takes it as the
    alt key where a binding in force has that key, else as Textual reads it (a plain Key
    either way: a subclass's handler is not `on_key`)."""

    def __init__(self, key: str, character: str | None, alt: str) -> None:
        super().__init__(key, character)
        self.alt = alt


class TypedAheadParser(XTermParser):
    """Textual's terminal parser, but escape and a character that arrive together are
    alt+character for every character. Textual drops the escape before a symbol (escape then
    `/` was `/`), and reads escape and a digit, `-`, `=`, b or f as the characters and word
    moves macOS terminals send for option keys (escape then 1 was ¡): the escape typed ahead
    was lost. OrderedKeysApp takes an alt+character nothing binds as the two keys."""

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        if (
            len(sequence) == 2
            and sequence[0] == ESCAPE
            and sequence[1].isprintable()  # (escape then backspace or tab stays Textual's)
            # a character Textual reads it as (escape then 1 as "¡"); not a key: escape then
            # b or f stays ctrl+left or ctrl+right, what macOS terminals send for option and
            # an arrow (read as escape then b, the article closed and b paged up)
            and isinstance(ANSI_SEQUENCES_KEYS.get(sequence), str)
        ):
            sequence, alt = sequence[1], True
        both = READ_AS.get(sequence)
        for key in super()._sequence_to_key_events(sequence, alt):
            if both is not None and not key.key.startswith("alt+"):
                yield AltOrKey(key.key, key.character, both)
                continue
            typed = key.character
            if alt and not key.key.startswith("alt+") and typed and typed.isprintable():
                key = events.Key(f"alt+{key.key}", typed)
            yield key


def use_typed_ahead_parser() -> None:
    """Make Textual's terminal and web drivers read keys with TypedAheadParser (they build
    their parser by this name in their input thread)."""
    try:
        from textual.drivers import linux_driver
    except ImportError:  # (no termios: not a POSIX terminal)
        pass
    else:
        linux_driver.XTermParser = TypedAheadParser  # type: ignore[misc]
    web_driver.XTermParser = TypedAheadParser  # type: ignore[misc]


def _character_of(key: events.Key, name: str) -> str | None:
    """The printable character a key's name less its alt types alone, or None: alt+left,
    alt+backspace and alt+ctrl+x are keys of their own."""
    if name.startswith("shift+") and len(name) == 7:  # alt+shift+j: J
        name = name[-1].upper()
    if "+" in name:  # another modifier ("plus" is the + key)
        return None
    if key.character is not None and len(key.character) == 1:  # as the terminal sent it
        typed: str | None = key.character
    else:  # a key pressed in a test carries no character
        typed = key_to_character(REPLACED_KEYS.get(name, name))
    return typed if typed is not None and typed.isprintable() else None


class KeyHandled(Message, bubble=True):
    """Follows a key up the DOM: when it reaches the app, the key has been handled."""

    def __init__(self, key: events.Key, through_screen: bool) -> None:
        super().__init__()
        self.key = key
        self.through_screen = through_screen  # the second leg: via the active screen


class OrderedKeysApp(App[ReturnType]):
    """An App that forwards a key only after the key before it has done its work."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        use_typed_ahead_parser()
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

    def _as_bound(self, key: events.Key) -> events.Key:
        """An `AltOrKey` as its alt key where a binding in force has that key ([keys] gave
        alt+b to a binding: escape then b is that key, not a word move), else as is."""
        if not isinstance(key, AltOrKey):
            return key
        try:
            bound = key.alt in self.screen.active_bindings
        except ScreenStackError:
            bound = False
        if not bound:
            return events.Key(key.key, key.character)
        base = key.alt.removeprefix("alt+")
        return events.Key(key.alt, base if len(base) == 1 else None)

    def _as_typed(self, key: events.Key) -> list[events.Key] | None:
        """The keys an alt+key nothing binds was typed as: escape, then the key. A terminal
        sends alt+j as escape then j, so escape and a key typed ahead in one read (over a
        slow link, while the app was busy) arrive as alt+key, and both were lost: the
        article stayed open, the list did not move, the filter prompt took the j. In a text
        field alt+b and alt+f stay word moves (what macOS terminals send for option+arrow)."""
        name = key.key
        rest = name.removeprefix("alt+")
        if rest == name:
            return None
        typed = _character_of(key, rest)
        if typed is None:
            return None
        try:
            if name in self.screen.active_bindings:  # an alt binding given in [keys]
                return None
        except ScreenStackError:
            return None
        focused = self.focused
        if isinstance(focused, (Input, TextArea)):
            if typed in WORD_MOVES:
                return [events.Key(WORD_MOVES[typed], None)]
            if focused.id not in SPLIT_IN:  # a form's field: escape cancels the form, and an
                return None  # alt+letter (iTerm's option as escape+) lost what was typed

        plain = typed if typed.isalnum() else rest  # Textual's name for the key typed alone
        return [events.Key("escape", "\x1b"), events.Key(plain, typed)]

    async def _dispatch_key(self, key: events.Key) -> None:
        key = self._as_bound(key)  # (as focus is once the keys before it are done)
        typed = self._as_typed(key)
        if typed is not None:
            key, *after = typed
            self._held_keys.extendleft(reversed(after))
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
