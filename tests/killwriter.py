"""A store writer to kill: writes batches forever and prints each acknowledged batch.

Run as `python -m tests.killwriter DATA_DIR FIRST_SERIAL`; used by the SIGKILL test and
`bench/run.py kill`.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fetchers.healthbook import HealthBook
from fetchers.models import Article, SourceHealth
from fetchers.store import Store

BATCH = 40


def article(serial: int) -> Article:
    when = datetime(2025, 10, 20, tzinfo=UTC) + timedelta(minutes=serial)
    return Article(
        id=f"k{serial:08d}",
        source=f"Source {serial % 7}",
        title=f"Headline {serial} on tariffs and the APEC summit",
        link=f"https://kill.example/{serial}",
        published=when,
        fetched=when,  # spreads batches over several day shards
        summary="Summary " * 30,
        text=("Paragraph of full text. " * 40) if serial % 3 == 0 else None,
        tags=["korea"],
    )


def main() -> None:
    data, serial = Path(sys.argv[1]), int(sys.argv[2])
    with Store(data, writer=True) as store:
        print("ready", flush=True)
        while True:
            batch = [article(n) for n in range(serial, serial + BATCH)]
            store.add_batch(batch)
            store.set_state([batch[0].id], read=True)
            HealthBook(data).save({"S": SourceHealth("S", "https://kill.example", items=serial)})
            print(f"acked {serial + BATCH}", flush=True)  # every serial below this is stored
            serial += BATCH


if __name__ == "__main__":
    main()
