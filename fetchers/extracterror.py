"""What a page without article text raises, in a module of its own: a poller catches it
without importing the page extractors (lxml and the voting extractors), which only a poll
that reads a page needs."""

from __future__ import annotations


class ExtractError(Exception):
    """A page with no article text in it."""
