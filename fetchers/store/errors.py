"""What the store raises: every caller catches these, whatever keeps the articles."""

from __future__ import annotations


class StoreError(Exception):
    """The store cannot be used as asked."""


class StoreWriteError(StoreError):
    """The disk refused a write (full, read-only). What was stored before is intact; `stored`
    holds the ids this write did store before it failed."""

    def __init__(self, message: str, stored: list[str]) -> None:
        super().__init__(message)
        self.stored = stored


class StoreLocked(StoreError):
    """Another process is the writer."""
