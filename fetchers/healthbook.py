"""Source health: what the last polls of each source did, with its HTTP validators, kept in
`sources.json` in the data dir. The writer's poller keeps it; every front end reads it."""

from __future__ import annotations

from pathlib import Path

import orjson

from fetchers.atomic import atomic_write_bytes
from fetchers.models import SourceHealth
from fetchers.store.errors import StoreWriteError

FILE = "sources.json"


class HealthBook:
    """The health of a data dir's sources. `folder=None` keeps it in memory only (a poller
    run without a data dir of its own)."""

    def __init__(self, folder: Path | None) -> None:
        self.path = Path(folder) / FILE if folder is not None else None

    def load(self) -> dict[str, SourceHealth]:
        """The health as saved; empty when there is none or it cannot be read, without the
        sources whose record does not read (their next poll records them afresh)."""
        if self.path is None:
            return {}
        try:
            data = orjson.loads(self.path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        if not isinstance(data, dict):
            return {}
        out: dict[str, SourceHealth] = {}
        for name, rec in data.items():
            if not isinstance(rec, dict) or "name" not in rec:
                continue
            try:
                out[name] = SourceHealth.from_record(rec)
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
        return out

    def save(self, health: dict[str, SourceHealth]) -> None:
        """(The writer.) Replace the saved health; StoreWriteError when the disk refuses."""
        if self.path is None:
            return
        try:
            atomic_write_bytes(
                self.path, orjson.dumps({n: h.to_record() for n, h in health.items()})
            )
        except OSError as exc:
            raise StoreWriteError(
                f"{self.path.parent}: cannot save source health ({exc.strerror or exc})", []
            ) from exc
