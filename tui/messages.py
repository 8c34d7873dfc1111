"""Messages that carry work results from workers to the app, which alone touches widgets."""

from __future__ import annotations

from textual.message import Message

from fetchers.models import PollResult


class PollerReady(Message):
    """The network stack is imported and the parser process runs: polling can start."""


class StoreLoaded(Message):
    """Every shard is loaded (the first paint came from the newest ones)."""


class StoreOpened(Message):
    """The store is open; `writer` says whether this app polls or views a poller's store."""

    def __init__(self, writer: bool, problems: list[str]) -> None:
        super().__init__()
        self.writer = writer
        self.problems = problems


class ArticlesAdded(Message):
    """New articles are in the store (from a poll here or another process's write)."""

    def __init__(self, ids: list[str]) -> None:
        super().__init__()
        self.ids = ids


class PollFinished(Message):
    """One poll cycle finished; carries every source's result for the status line."""

    def __init__(self, results: list[PollResult]) -> None:
        super().__init__()
        self.results = results


class QueryDone(Message):
    """The ids matching the active filter, newest first, and how many are stored in all."""

    def __init__(self, generation: int, ids: list[str], total: int) -> None:
        super().__init__()
        self.generation = generation
        self.ids = ids
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, QueryDone)


class ArticleLoaded(Message):
    """The text of the article shown in the article pane."""

    def __init__(self, article_id: str, text: str | None, reason: str = "") -> None:
        super().__init__()
        self.article_id = article_id
        self.text = text
        self.reason = reason  # why there is no text: "HTTP 404 Not Found"
