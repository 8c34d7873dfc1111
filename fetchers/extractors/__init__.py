"""The parts of article-text extraction: blocks, the extractors that vote on them, the vote,
site furniture and page metadata (fetchers.extract puts them together)."""

from __future__ import annotations


class ExtractError(Exception):
    """A page with no article text in it. (Here rather than in fetchers.extract, so that a
    poller can name it without loading the extractors and lxml: a refresh of feeds never
    needs them.)"""
