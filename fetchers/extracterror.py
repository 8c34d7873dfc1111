"""What a page without article text raises, in a module of its own: a poller catches it
without importing the page extractors (lxml and the voting extractors), which only a poll
that reads a page needs."""

from __future__ import annotations


class ExtractError(Exception):
    """A page with no article text in it."""


class ShellPage(ExtractError):
    """A page whose text is only a redirect's or a script shell's notice (the message says
    which); `leads` are where the article may be instead, the likeliest first."""

    def __init__(self, message: str, leads: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.leads = leads

    def __reduce__(self) -> tuple[type[ShellPage], tuple[str, tuple[str, ...]]]:
        """Whole through a pickle: the parser process raises it for a page source, and an
        exception that cannot be made again there broke the process pool for good."""
        return (type(self), (str(self), self.leads))
