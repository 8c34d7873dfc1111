"""What a page without article text raises, in a module of its own: a poller catches it
without importing the page extractors (lxml and the voting extractors), which only a poll
that reads a page needs."""

from __future__ import annotations


class ExtractError(Exception):
    """A page with no article text in it."""


class ShellPage(ExtractError):
    """A page whose text is only a redirect's or a script shell's notice (the message says
    which); `leads` are where the article may be instead, the likeliest first."""

    def __init__(self, message: str, leads: tuple[str, ...]) -> None:
        super().__init__(message)
        self.leads = leads
