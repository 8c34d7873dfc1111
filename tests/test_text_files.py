"""The full-text files of a data dir keep to the texts the articles point at: a page revised
at every poll left a whole text behind each time, all day, in a file that only grew. Every
text kept (the current one and the earlier ones) reads back right after the files are
rewritten, in the writer, in a viewer opened before, in `show --json`, and after a kill at
any step of the rewrite."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fetchers.models import Article
from fetchers.query import parse_query
from fetchers.store import Store, texts
from tests.pollers import ROOT
from tui.cli import main

DAY = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)
IDENT = "Live-1"
KEPT = texts.MAX_TEXT_REVISIONS + 1  # the current text and the earlier ones kept
BODY = "Rescue teams reached the flooded districts overnight and more are on their way. " * 3750


def page_article() -> Article:
    return Article(
        id=IDENT,
        source="Live page",
        title="Floods: live updates",
        link="https://example.org/live",
        published=DAY,
        fetched=DAY,
        summary="The latest on the floods.",
    )


def page_text(poll: int, body: str = BODY) -> str:
    """The page's text at one poll: each says which (`edition0NN`), then the same body."""
    return f"Live updates edition{poll:03d}. {body}"


def seen_at(poll: int) -> datetime:
    return DAY + timedelta(seconds=2 * poll)


def text_bytes(data: Path) -> int:
    return sum(path.stat().st_size for path in data.glob("text-*.jsonl"))


def assert_kept_texts(store: Store, last: int) -> None:
    """The current text is the page at poll `last`, the earlier ones those of the polls
    before it, oldest first, each with the time it was fetched."""
    assert store.text(IDENT) == page_text(last)
    earlier = store.text_revisions(IDENT)
    polls = range(last - texts.MAX_TEXT_REVISIONS, last)
    assert [entry["text"] for entry in earlier] == [page_text(n) for n in polls]
    assert [entry["seen"] for entry in earlier] == [
        seen_at(n).strftime("%Y-%m-%dT%H:%M:%SZ") for n in polls
    ]


def test_a_page_revised_at_every_poll_keeps_its_text_files_to_the_texts_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    polls = 67
    with Store(data, writer=True) as store:
        store.add_batch([page_article()])
        for poll in range(polls):
            store.set_texts([(IDENT, page_text(poll))], seen_at(poll))
            if poll == 10:
                viewer = Store(data)  # a dashboard beside the poller
                assert viewer.text(IDENT) == page_text(10)
        last = polls - 1
        assert_kept_texts(store, last)
        assert store.query_ids(parse_query(f"edition{last:03d}", DAY)) == [IDENT]
        assert store.query_ids(parse_query("edition010", DAY)) == []
        # the viewer has not read the store again: the text it was shown still reads (or
        # the newest), never another poll's nor none
        assert viewer.text(IDENT) in (page_text(10), page_text(last))
        viewer.reload()
        assert_kept_texts(viewer, last)
        viewer.close()
        monkeypatch.setattr(texts, "RETIRED_GRACE", 0.0, raising=False)  # (a test cannot wait)
    referenced = KEPT * len(page_text(0).encode())
    assert text_bytes(data) < 2 * referenced + 1_500_000  # it was 3.2 times that and growing
    with Store(data) as reopened:
        assert_kept_texts(reopened, last)
    config = tmp_path / "wirewatch.toml"
    config.write_text('[[sources]]\nname = "Live page"\nurl = "https://example.org/live"\n')
    assert main(["--config", str(config), "--data-dir", str(data), "show", IDENT, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["text"] == page_text(last)
    assert [entry["text"] for entry in shown["text_revisions"]] == [
        page_text(n) for n in range(last - texts.MAX_TEXT_REVISIONS, last)
    ]
    with Store(data, writer=True) as store:  # the day goes with every text file of it
        assert store.apply_retention(30, DAY + timedelta(days=40)) == 1
    assert not list(data.glob("text-*"))


def test_a_disk_that_refuses_the_rewrite_keeps_every_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    data = tmp_path / "data"
    with Store(data, writer=True) as store:
        store.add_batch([page_article()])
        with monkeypatch.context() as full:
            full.setattr(texts, "atomic_write_chunks", refused, raising=False)
            for poll in range(60):  # each stored, the rewrite refused again and again
                assert store.set_texts([(IDENT, page_text(poll))], seen_at(poll)) == 1
            assert_kept_texts(store, 59)
        assert [path.name for path in data.glob("text-*")] == ["text-2026-12-06.jsonl"]
        monkeypatch.setattr(texts, "RETIRED_GRACE", 0.0, raising=False)
        store.set_texts([(IDENT, page_text(60))], seen_at(60))  # room again
        assert_kept_texts(store, 60)
    assert text_bytes(data) < 2 * KEPT * len(page_text(0).encode()) + 1_500_000
    with Store(data, writer=True) as reopened:
        assert_kept_texts(reopened, 60)


# A writer storing a text at every poll, killed (SIGKILL) at one step of the first rewrite of
# its text files (argv: DATA STEP): "copying" as the new file is being written, "written"
# once it is whole on disk, "pointed" once the shard points at it, "retired" once the old
# file is retired. It prints each poll whose text was stored.
KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from typing import Any
from fetchers.store import Store, texts
from tests.test_text_files import page_article, page_text, seen_at, IDENT

data, step = Path(sys.argv[1]), sys.argv[2]

def kill():
    os.kill(os.getpid(), signal.SIGKILL)

if step == "copying":
    write = texts.atomic_write_chunks
    def copying(path, chunks, mode=None):
        def then_killed():
            for number, chunk in enumerate(chunks):
                if number == 3:
                    kill()
                yield chunk
        write(path, then_killed(), mode)
    texts.atomic_write_chunks = copying
elif step == "written":
    rewrite = texts.TextFiles.rewrite
    def written(self, *args):
        rewrite(self, *args)
        kill()
    texts.TextFiles.rewrite = written
elif step == "pointed":
    def pointed(self, *args):
        kill()
    texts.TextFiles.adopt = pointed
elif step == "retired":
    adopt = texts.TextFiles.adopt
    def retired(self, *args):
        adopt(self, *args)
        kill()
    texts.TextFiles.adopt = retired

with Store(data, writer=True) as store:
    store.add_batch([page_article()])
    for poll in range(200):
        store.set_texts([(IDENT, page_text(poll))], seen_at(poll))
        print(poll, flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("step", ["copying", "written", "pointed", "retired"])
def test_a_writer_killed_while_it_rewrites_the_text_files_loses_no_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    data = tmp_path / "data"
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(data), step],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr  # killed at that step
    stored = [int(line) for line in proc.stdout.split()]
    # the text of the poll it was killed in was stored before its files were rewritten
    last = stored[-1] + 1
    with Store(data, writer=True) as store:
        assert not store.problems, store.problems
        assert_kept_texts(store, last)
        assert store.query_ids(parse_query(f"edition{last:03d}", DAY)) == [IDENT]
        for poll in range(last + 1, last + 30):  # and it goes on: the next rewrites hold too
            store.set_texts([(IDENT, page_text(poll))], seen_at(poll))
        last = poll
        assert_kept_texts(store, last)
        monkeypatch.setattr(texts, "RETIRED_GRACE", 0.0)
    assert not list(data.glob(".*.tmp"))
    assert text_bytes(data) < 2 * KEPT * len(page_text(0).encode()) + 1_500_000
    with Store(data) as viewer:
        assert_kept_texts(viewer, last)


def test_a_ref_moved_while_texts_are_read_reads_the_file_it_was_taken_for(
    tmp_path: Path,
) -> None:
    """The search thread reads the texts of live records outside the store's lock: a
    rewrite that moved a record's ref to the new file between the two looks at it (the
    file picked by the old ref, the offset of the new) gave the article no text, and the
    search index lost its words. Each ref is read once."""
    from fetchers.store.texts import TextFiles

    files = TextFiles(tmp_path)
    old_holder: dict[str, Any] = {"id": "a"}
    new_holder: dict[str, Any] = {"id": "a"}
    files.append("2025-10-24", [({"id": "pad"}, "padding " * 50), (old_holder, "the text")])
    files.append("2025-10-24~1", [(new_holder, "the text")])
    old, new = tuple(old_holder["text_ref"]), tuple(new_holder["text_ref"])
    assert old[1] != new[1]

    class Moving:
        """A record whose ref a rewrite moves once the file is chosen by it."""

        id = "a"
        looks = 0

        @property
        def text_ref(self) -> tuple[Any, ...]:
            self.looks += 1
            return old if self.looks <= 2 else new

    ((_, text),) = files.with_texts([Moving()], {})  # type: ignore[list-item]
    assert text == "the text"


def test_texts_a_copy_cut_short_are_said_missing_and_wanted_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A copy of a data dir taken while its writer appended texts and wrote the day after
    them: the day points past the end of its text file. `show` says the text is missing
    (it printed the summary as if there were none), and the writer wants the text again
    (it counted it as had, and never fetched it)."""
    data = tmp_path / "data"
    first = page_article()
    second = Article(
        id="Live-2",
        source=first.source,
        title="Floods: the rescue",
        link="https://example.org/rescue",
        published=DAY,
        fetched=DAY,
        summary="Rescuers reach the districts.",
    )
    with Store(data, writer=True) as store:
        store.add_batch([first, second])
        store.set_texts([(IDENT, "The first full text.")], DAY)
        store.set_texts([("Live-2", "The second full text.")], DAY)
    [text_file] = data.glob("text-*.jsonl")
    lines = text_file.read_bytes().splitlines(keepends=True)
    text_file.write_bytes(b"".join(lines[:-1]))  # the copy holds the first text only
    config = tmp_path / "wirewatch.toml"
    config.write_text('[[sources]]\nname = "Live page"\nurl = "https://example.org/live"\n')
    where = ["--config", str(config), "--data-dir", str(data)]
    capsys.readouterr()
    main([*where, "show", "Live-2", "--json"])
    shown, err = capsys.readouterr()
    assert "1 full text(s) missing" in err
    assert json.loads(shown)["text"] != "The second full text."
    for rows in (True, False):  # read from the row cache, then from the day itself
        if not rows:
            for cache in data.glob("rows-*"):
                cache.unlink()
        with Store(data, writer=True, lean=True) as writer:
            wanted = writer.wanting_text(first.source, 10, set())
            assert [ident for ident, _ in wanted] == ["Live-2"]
            assert any("1 full text(s) missing" in p for p in writer.problems)
            assert writer.text(IDENT) == "The first full text."
    with Store(data, writer=True) as writer:
        writer.set_texts([("Live-2", "The second full text.")], DAY)
    with Store(data) as viewer:
        assert viewer.text("Live-2") == "The second full text."
        assert not any("missing" in p for p in viewer.problems)
