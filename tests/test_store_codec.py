"""The field table drives every stored form of an article: nothing stored is left out of one."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from fetchers.models import Article, from_utc_iso, seconds_iso, utc_iso
from fetchers.query import Record
from fetchers.store import Store
from fetchers.store.codec import (
    FIELDS,
    KEPT_ELSEWHERE,
    RECORD_ONLY,
    article_of,
    doc_of,
    record_from_doc,
    record_from_row,
    row_of,
    stage,
)


def test_the_field_table_covers_every_stored_field() -> None:
    """Every Article field is in the table or kept elsewhere on purpose; every Record slot
    is a table field or a mark/place; the table names nothing else."""
    article_fields = {f.name for f in dataclasses.fields(Article)}
    on_article = {f.name for f in FIELDS if f.on_article}
    assert article_fields - set(KEPT_ELSEWHERE) == on_article
    assert {f.attribute for f in FIELDS} | set(RECORD_ONLY) == set(Record.__slots__)
    assert len({f.name for f in FIELDS}) == len(FIELDS)


SECOND = st.integers(0, 4_000_000_000).map(
    lambda s: datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=s)
)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
SET_TEXT = st.none() | TEXT.filter(bool)


@st.composite
def articles(draw: st.DrawFn) -> Article:
    return Article(
        id=draw(TEXT.filter(bool)),
        source=draw(TEXT),
        title=draw(TEXT),
        link=draw(st.none() | TEXT),
        published=draw(st.none() | SECOND),
        fetched=draw(SECOND),
        summary=draw(TEXT),
        tags=draw(st.lists(TEXT, max_size=3)),
        lang=draw(SET_TEXT),
        author=draw(SET_TEXT),
        guid=draw(SET_TEXT),
        listed=draw(st.none() | SECOND),
    )


@given(
    articles(),
    st.none()
    | st.tuples(
        st.sampled_from(["2025-10-24", "kept"]), st.integers(0, 10**9), st.integers(1, 10**6)
    ),
)
@settings(max_examples=300)
def test_an_article_comes_back_whole_through_every_stored_form(
    article: Article, ref: tuple[str, int, int] | None
) -> None:
    """Article -> document (as written to the shard) -> Record -> row (as written to the row
    cache) -> Record -> Article: a field left out of any form fails here."""
    [staged] = stage([article])
    doc = orjson.loads(orjson.dumps(staged.doc))  # exactly what a shard file holds
    if ref is not None:
        doc["text_ref"] = list(ref)
    from_doc = record_from_doc(doc)
    row = orjson.loads(orjson.dumps(row_of(from_doc)))  # exactly what a row cache holds
    from_row = record_from_row(row)
    for field in FIELDS:
        assert getattr(from_row, field.name) == getattr(from_doc, field.name), field.name
    assert from_row.text_ref == ref
    if ref is None:  # the stager's record is the one the store files at once
        for field in FIELDS:
            assert getattr(staged.record, field.name) == getattr(from_doc, field.name), field.name
    back = article_of(from_row)
    assert back == dataclasses.replace(article, text=None, revisions=[])
    assert doc_of(back, staged.doc["fetched"]) == {k: v for k, v in doc.items() if k != "text_ref"}


def test_a_store_opens_a_data_dir_written_in_the_documents_of_before(tmp_path: Path) -> None:
    """A shard and row cache written by the store before the field table (its documents
    and rows, byte for byte) open to the same articles."""
    doc = {
        "v": 1,
        "id": "a1",
        "source": "Wire",
        "title": "Talks",
        "link": "https://example.com/a1",
        "published": "2025-10-24T06:15:00Z",
        "fetched": "2025-10-24T07:00:00Z",
        "summary": "S",
        "tags": ["korea"],
        "lang": "ko",
        "author": "Kim",
        "guid": "urn:1",
        "listed": "2025-10-24T06:00:00Z",
    }
    (tmp_path / "meta.json").write_bytes(b'{"schema":1}')
    shard = tmp_path / "articles-2025-10-24.json"
    shard.write_bytes(orjson.dumps({"articles": {"1": doc}}))
    with Store(tmp_path) as viewer:
        from_doc = viewer.get("a1")
    header, row = orjson.loads((tmp_path / "rows-2025-10-24.json").read_bytes())
    assert header["v"] == 5
    assert (header["sources"], header["tags"], header["langs"]) == (["Wire"], [["korea"]], ["ko"])
    assert row == [
        "a1",
        "Wire",
        "Talks",
        "S",
        "https://example.com/a1",
        datetime(2025, 10, 24, 6, 15, tzinfo=UTC).timestamp(),
        datetime(2025, 10, 24, 7, tzinfo=UTC).timestamp(),
        ["korea"],
        "ko",
        "Kim",
        "urn:1",
        None,
        datetime(2025, 10, 24, 6, tzinfo=UTC).timestamp(),
        None,  # revised: never
        None,  # pulled: never
    ]  # the layout of the row caches (version 3 added when a headline was last revised;
    # version 4 put each row on a line of its own after a header of what it is filed under;
    # version 5 added when its feed took it down)
    with Store(tmp_path) as again:  # from the row cache this time
        assert again.get("a1") == from_doc
    # a row cache of the single-object layout before (version 3) is read no more: the shard
    # is, and the cache is written again in the layout of now
    old = {"v": 3, "shard": header["shard"], "rows": [row[:-2] + [None]]}
    (tmp_path / "rows-2025-10-24.json").write_bytes(orjson.dumps(old))
    with Store(tmp_path) as converted:
        assert converted.get("a1") == from_doc
    assert orjson.loads((tmp_path / "rows-2025-10-24.json").read_bytes())[1] == row
    assert from_doc is not None and from_doc.author == "Kim" and from_doc.tags == ["korea"]
    assert from_doc.listed == datetime(2025, 10, 24, 6, tzinfo=UTC)


def test_stored_seconds_are_written_in_the_one_utc_form_of_the_json_contract() -> None:
    """Times kept as POSIX seconds (the store's, the stories') leave in the form every JSON
    file and `--json` line uses, and read back as the same instant."""
    moment = datetime(2025, 10, 24, 6, 15, 30, 900_000, tzinfo=UTC)
    assert seconds_iso(moment.timestamp()) == "2025-10-24T06:15:30Z" == utc_iso(moment)
    assert from_utc_iso(seconds_iso(moment.timestamp())) == moment.replace(microsecond=0)
    assert seconds_iso(0.0) == "1970-01-01T00:00:00Z" and seconds_iso(None) is None


def test_a_row_cache_written_before_the_pulled_mark_is_read_not_rebuilt(tmp_path: Path) -> None:
    """Row caches of the layout before the pulled mark (4: every field but the last) are
    read as they are, the mark none: a store of a million articles rebuilt them all from
    its day files at its first open after the upgrade."""
    with Store(tmp_path, writer=True) as store:
        store.add_batch(
            [
                Article(
                    id="a1",
                    source="Wire",
                    title="Talks",
                    link="https://example.com/a1",
                    fetched=datetime(2025, 10, 24, 7, tzinfo=UTC),
                    summary="S",
                )
            ]
        )
        before = store.get("a1")
    (rows,) = tmp_path.glob("rows-*.json")
    header, row = orjson.loads(rows.read_bytes())
    assert row[-1] is None  # (pulled: the last field)
    older = b"[" + orjson.dumps({**header, "v": 4}) + b",\n" + orjson.dumps(row[:-1]) + b"]"
    rows.write_bytes(older)
    with Store(tmp_path) as viewer:
        again = viewer.get("a1")
        assert [a.id for a in viewer.query()] == ["a1"]
        (record,) = viewer.records(["a1"])
    assert again == before and record.pulled is None
    assert rows.read_bytes() == older  # read, not written again
