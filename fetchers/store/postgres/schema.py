"""The tables of the PostgreSQL store and their migrations.

`MIGRATIONS[n]` brings a database from version n to n + 1 (a statement, or a function given
the migrating cursor for a step SQL cannot say alone); `schema_version` holds the version
a database is at. A store applies what is missing when it opens (under a transaction-level
advisory lock, so two processes opening at once migrate once) and refuses a database that a
newer wirewatch left at a version this one does not know.

An article's columns follow the codec's field table (`fetchers.store.codec.FIELDS`), every
field one column (`COLUMNS`); `text_ref`, where a TinyDB store finds a full text, is the
`text` column itself here.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable
from typing import Any

from fetchers.models import BACKLOG_AFTER
from fetchers.query import (
    ACCENT_MARKS,
    INVISIBLE_CHARS,
    accented_letters,
    lowered,
    name_key,
)
from fetchers.store.errors import StoreError
from fetchers.store.postgres.words import PLACES_EXACT_SQL, RUN
from fetchers.webaddress import TRACKING

OLDEST_SERVER = 130000  # server_version_num: xid8 and pg_snapshot came with PostgreSQL 13
MIGRATE_LOCK = 0x77697265  # the advisory lock taken while migrating ("wire")
WRITER_LOCK = 0x77697277  # the advisory lock every poller holds for its life ("wirw"): shared
# by the pollers that share the sources, taken alone by a writer that polls only by itself
ALERT_RULES_LOCK = 0x77697261  # held by a change of the alert rules until it commits ("wira")
STORIES_LOCK = 0x77697273  # held for its life by the one poller that groups the stories ("wirs")

# codec field -> the column that keeps it (tests check that every field has one)
COLUMNS = {
    "id": "id",
    "source": "source",
    "title": "title",
    "summary": "summary",
    "link": "link",
    "published": "published",
    "fetched": "fetched",
    "tags": "tags",
    "lang": "lang",
    "author": "author",
    "guid": "guid",
    "text_ref": "text",
    "listed": "listed",
    "revised": "revised",
    "pulled": "pulled",
}

# Each row's transaction (`arrived`): a write's rows are new to a look that did not see it
# committed. No row is written to add it.
_ARRIVED = """
    ALTER TABLE articles ADD COLUMN IF NOT EXISTS arrived xid8;
    ALTER TABLE articles ALTER COLUMN arrived SET DEFAULT pg_current_xact_id();
    CREATE INDEX IF NOT EXISTS articles_arrived ON articles (arrived) WHERE arrived IS NOT NULL;
"""

# the tracking parameters' names as a SQL list, and as the alternatives of a pattern (the
# rows the migration rewrites): both from the one set `untracked` takes out
_TRACKING_SQL = ", ".join(f"'{name}'" for name in sorted(TRACKING))
_TRACKING_RE = "|".join(sorted(TRACKING))


def _reword_case_folded(cur: Any) -> None:
    """Words are case-folded (`fetchers.query.lowered`: "Straße" is "strasse", Turkish's
    dotless "ı" an "i", every "ς" a "σ"): the rows holding a letter folded so, or written in
    capitals a letter folded so lower-cases to, are given their words again by the pollers in
    the background, as in 14 -> 15. The letters are Python's, so they are listed here."""
    letters = [
        char
        for char in map(chr, range(0x80, 0x10000))
        if char != "\u0130" and lowered(char) != char.lower()
    ]
    cur.execute(
        "UPDATE articles SET pairs = NULL, pairs_too_long = false"
        " WHERE (pairs IS NOT NULL OR pairs_too_long)"
        " AND concat_ws(' ', title, summary, text) ~ %s",
        ("[" + "".join([*letters, "\u03a3"]) + "]",),
    )


def _reword_compatibility_forms(cur: Any) -> None:
    """Words are folded in their compatibility form (`fetchers.query.lowered`: "ＡＰＥＣ" is
    "apec", "Ｇ７" "g7", a letter and a combining accent the accented letter, Korean's jamo a
    syllable): the rows holding a character of a word that has another form, or one that a
    letter may be written apart in, are given their words again by the pollers in the
    background, as in 14 -> 15. The characters are Python's, so they are listed here (as
    ranges)."""
    chars: set[int] = set()
    for char in map(chr, range(0x80, 0x30000)):  # (no character past these has another form)
        if not unicodedata.is_normalized("NFKC", char) and RUN.search(char + lowered(char)):
            chars.add(ord(char))
        chars.update(map(ord, unicodedata.normalize("NFD", char)[1:]))
    chars.difference_update(range(0xD800, 0xE000))  # (no text holds a lone surrogate)
    cur.execute(
        "UPDATE articles SET pairs = NULL, pairs_too_long = false"
        " WHERE (pairs IS NOT NULL OR pairs_too_long)"
        " AND concat_ws(' ', title, summary, text) ~ %s",
        ("[" + _ranges(chars) + "]",),
    )


def _ranges(chars: set[int]) -> str:
    """Characters as the ranges of a bracket expression ("a-z"), each run of them one."""
    ranges: list[str] = []
    for _, run in itertools.groupby(enumerate(sorted(chars)), lambda pair: pair[1] - pair[0]):
        codes = [code for _, code in run]
        ranges.append(chr(codes[0]) + (f"-{chr(codes[-1])}" if len(codes) > 1 else ""))
    return "".join(ranges)


def _reword_unaccented(cur: Any) -> None:
    """Words lose the accents readers leave out (`fetchers.query.unaccented`: "Café" is
    "cafe", "Łódź" "lodz", "Αθήνα" "αθηνα", "Ёлку" "елку", a pointed Arabic or Hebrew word
    the word): the rows holding an accented letter, in any case or form, or a mark folding
    may take out are given their words again by the pollers in the background, as in
    14 -> 15. The letters are Python's, so they are listed here (as ranges)."""
    letters = accented_letters()
    chars = {
        code
        for code in range(0x80, 0x30000)
        if not letters.isdisjoint(unicodedata.normalize("NFKC", chr(code)).lower())
    }
    chars.difference_update(range(0xD800, 0xE000))  # (no text holds a lone surrogate)
    cur.execute(
        "UPDATE articles SET pairs = NULL, pairs_too_long = false"
        " WHERE (pairs IS NOT NULL OR pairs_too_long)"
        " AND concat_ws(' ', title, summary, text) ~ %s",
        ("[" + _ranges(chars) + ACCENT_MARKS + "]",),
    )


def _reword_invisible(cur: Any) -> None:
    """Words lose the characters that show nothing inside them (`fetchers.query.visible`:
    "Wash\u200bington" is "washington", a joiner no script needs is nothing): the rows
    holding one are given their words again by the pollers in the background, as in
    14 -> 15."""
    cur.execute(
        "UPDATE articles SET pairs = NULL, pairs_too_long = false"
        " WHERE (pairs IS NOT NULL OR pairs_too_long)"
        " AND concat_ws(' ', title, summary, text) ~ %s",
        ("[" + INVISIBLE_CHARS + "\u200c\u200d]",),
    )


def _fold_name_keys(cur: Any) -> None:
    """Each article's source and tag keys made as `name_key` makes them (they were Python's
    lower(): "İzmir Haber" was not found by source:"İZMİR HABER", nor "O’Reilly" by
    source:O'Reilly). The database cannot fold so itself: each distinct name is folded here
    and the rows whose keys differ are given the new ones."""
    cur.execute("SELECT DISTINCT source FROM articles")
    sources = [row[0] for row in cur.fetchall()]
    cur.execute(
        "UPDATE articles a SET source_key = m.key"
        " FROM unnest(%s::text[], %s::text[]) AS m(source, key)"
        " WHERE a.source = m.source AND a.source_key <> m.key",
        (sources, [name_key(source) for source in sources]),
    )
    cur.execute("SELECT DISTINCT t FROM articles, unnest(tags) AS t WHERE t IS NOT NULL")
    tags = [row[0] for row in cur.fetchall()]
    if not tags:
        return
    cur.execute("CREATE TEMP TABLE wirewatch_tag_keys (tag text PRIMARY KEY, key text NOT NULL)")
    cur.execute(
        "INSERT INTO wirewatch_tag_keys SELECT * FROM unnest(%s::text[], %s::text[])",
        (tags, [name_key(tag) for tag in tags]),
    )
    # (a NULL among the tags, written by hand, keeps none: as `_columns` would write it)
    cur.execute(
        "UPDATE articles a SET tag_keys = f.keys FROM ("
        " SELECT b.id, ARRAY(SELECT m.key FROM unnest(b.tags) WITH ORDINALITY AS u(tag, n)"
        " JOIN wirewatch_tag_keys m ON m.tag = u.tag ORDER BY u.n) AS keys"
        " FROM articles b WHERE cardinality(b.tags) > 0) f"
        " WHERE a.id = f.id AND a.tag_keys IS DISTINCT FROM f.keys"
    )
    cur.execute("DROP TABLE wirewatch_tag_keys")


# a fetched time in POSIX seconds, in a migration that reads them: one that does not read as
# a time (a row edited by hand) is none, as `Record.fetched` reads it
_SECONDS_FUNCTION = """
    CREATE FUNCTION pg_temp.wirewatch_seconds(t text) RETURNS double precision
        LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
            RETURN extract(epoch FROM t::timestamptz);
        EXCEPTION WHEN others THEN
            RETURN NULL;
        END $$;"""


def _last_seen_anew(rows: str, alias: str, column: str, ahead: str = "") -> str:
    """The SQL of a migration that gives the stories kept their last activity anew: `column`
    of their row in `rows` (a FROM item of one row a story, named by its `story` column;
    `alias`: its name in the update), where that is not NULL. `rows` and `ahead` (a WITH
    clause before the update) may read a fetched time by `pg_temp.wirewatch_seconds`, which
    the migration makes and drops. 13 -> 14 and 26 -> 27 are both made by it, so that the
    two cannot drift apart."""
    latest = f"{alias}.{column}"
    return f"""{_SECONDS_FUNCTION}{ahead}
    UPDATE stories s SET last_seen = {latest}, record = jsonb_set(s.record, '{{last_seen}}',
        to_jsonb({latest}))
    FROM {rows} {alias}
    WHERE s.id = {alias}.story AND {latest} IS NOT NULL;
    DROP FUNCTION pg_temp.wirewatch_seconds(text);
    """


MIGRATIONS: tuple[str | Callable[[Any], None], ...] = (
    # 0 -> 1: articles, marks, the writer's heartbeat
    """
    CREATE TABLE articles (
        seq bigserial NOT NULL UNIQUE,      -- the order articles were stored in
        id text PRIMARY KEY,
        source text NOT NULL,
        source_key text NOT NULL,           -- lower(source): source: and counts
        title text NOT NULL,
        summary text NOT NULL,
        link text,
        published double precision,         -- POSIX seconds
        fetched text,                       -- ISO 8601, as the stager stamped it
        tags text[] NOT NULL DEFAULT '{}',
        tag_keys text[] NOT NULL DEFAULT '{}',  -- lower-cased tags: tag:
        lang text,
        lang_key text NOT NULL DEFAULT '',  -- lower-cased language without region: lang:
        author text,
        guid text,
        listed double precision,            -- POSIX seconds
        revised text,                       -- ISO 8601: when the source last changed it
        day text NOT NULL,                  -- the UTC day of the fetch: retention
        at double precision NOT NULL,       -- published, else listed, else fetched: the order
        text text,                          -- the full text
        revisions jsonb NOT NULL DEFAULT '[]',
        edits integer NOT NULL DEFAULT 0,   -- texts attached and revisions since stored
        words tsvector NOT NULL             -- title (A), summary (B), full text (C)
    );
    CREATE UNIQUE INDEX articles_source_link ON articles (source, link) WHERE link <> '';
    CREATE INDEX articles_newest ON articles (at DESC, seq);
    CREATE INDEX articles_source ON articles (source_key, at DESC, seq);
    CREATE INDEX articles_tags ON articles USING gin (tag_keys);
    CREATE INDEX articles_words ON articles USING gin (words);
    CREATE INDEX articles_day ON articles (day);
    CREATE TABLE marks (
        id text PRIMARY KEY,
        read boolean NOT NULL DEFAULT false,
        starred boolean NOT NULL DEFAULT false
    );
    CREATE TABLE writer (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        pid integer,
        host text,
        beat timestamptz
    );
    """,
    # 1 -> 2: several pollers sharing the sources, and alerts fired once across them
    """
    CREATE TABLE pollers (
        id text PRIMARY KEY,                -- host:pid:token, one per polling process
        host text NOT NULL,
        pid integer NOT NULL,
        beat timestamptz NOT NULL,          -- last renewal: older than its lease, it is gone
        stopped boolean NOT NULL DEFAULT false  -- it stopped at `beat` (viewers say when)
    );
    CREATE TABLE leases (
        source text PRIMARY KEY,            -- a source's name, as the configs give it
        holder text,                        -- the poller that polls it (pollers.id), or none
        until timestamptz                   -- the lease ends then unless its holder renews it
    );
    CREATE INDEX leases_holder ON leases (holder);
    CREATE TABLE alerts_fired (
        rule text NOT NULL,                 -- the rule's key
        what text NOT NULL,                 -- the article's id, or the hour a term spiked
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (rule, what)
    );
    DROP TABLE writer;
    """,
    # 2 -> 3: each reader's read marks (stars stay the desk's); the read marks set before
    # go to the reader whose wirewatch upgrades the database
    """
    CREATE TABLE reads (
        reader text NOT NULL,
        id text NOT NULL,
        PRIMARY KEY (reader, id)
    );
    CREATE INDEX reads_id ON reads (id);
    INSERT INTO reads (reader, id)
        SELECT coalesce(current_setting('wirewatch.reader', true), ''), id FROM marks WHERE read;
    UPDATE marks SET read = false WHERE read;
    DELETE FROM marks WHERE NOT starred;
    """,
    # 3 -> 4: the sources' health, shared by the pollers and seen by every host
    """
    CREATE TABLE health (
        source text PRIMARY KEY,
        record jsonb NOT NULL,              -- SourceHealth.to_record()
        saved timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    """,
    # 4 -> 5: the events added in the app and the alert history, the desk's on every host
    """
    CREATE TABLE events (
        id text PRIMARY KEY,
        record jsonb NOT NULL,              -- as events.json keeps one
        added bigserial NOT NULL            -- the order they were added in
    );
    CREATE TABLE alert_history (
        seq bigserial PRIMARY KEY,          -- only grows: a dashboard's mark
        at timestamptz NOT NULL,
        record jsonb NOT NULL               -- AlertEntry.to_record() without its seq
    );
    """,
    # 5 -> 6: earlier full texts of an article (a different text was fetched), and when the
    # one it has now was
    """
    -- text_seen: when the text it has was fetched (ISO 8601)
    ALTER TABLE articles ADD COLUMN IF NOT EXISTS text_seen text;
    ALTER TABLE articles ADD COLUMN IF NOT EXISTS text_revisions jsonb NOT NULL DEFAULT '[]';
    """,
    # 6 -> 7: the alert rules added in the app and the config rules muted there, the desk's
    """
    CREATE TABLE alert_rules (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        record jsonb NOT NULL               -- {"rules": [...], "muted": [...]}, as alerts.json
    );
    """,
    # 7 -> 8: whether a row's words keep the exact places of its words (a phrase is then
    # decided there without reading the text). The rows stored before are exact unless their
    # words say otherwise (the added column's true is not written into each row; the few
    # rows that are not are); rows written later say it themselves (false unless told).
    # Their words were made of the lower-cased text: at most 3x its length. Every row's words
    # are looked through once: at a million articles, two to three minutes.
    """
    ALTER TABLE articles ADD COLUMN IF NOT EXISTS places_exact boolean NOT NULL DEFAULT true;
    ALTER TABLE articles ALTER COLUMN places_exact SET DEFAULT false;
    UPDATE articles SET places_exact = false WHERE NOT """
    + PLACES_EXACT_SQL.format(
        text_length="coalesce(length(text), 0)",
        words="words",
        length="3 * (length(title) + length(summary) + coalesce(length(text), 0))",
    )
    + """;
    """,
    # 8 -> 9: the stories the poller that groups them keeps, for every host to read (a
    # story's record as `fetchers.story.Story.to_record` gives it, its articles among it)
    """
    CREATE TABLE stories (
        id text PRIMARY KEY,
        last_seen double precision NOT NULL,  -- POSIX seconds: newest activity first
        record jsonb NOT NULL
    );
    CREATE INDEX stories_newest ON stories (last_seen DESC, id);
    CREATE TABLE story_members (
        id text PRIMARY KEY,                -- an article's id
        story text NOT NULL,                -- the story it is in (stories.id)
        place integer NOT NULL              -- the order it joined in
    );
    CREATE INDEX story_members_story ON story_members (story);
    """,
    # 9 -> 10: each two words of an article that stand one after the other (a phrase finds
    # its rows by them, never reading the words of a row that holds its words apart). The
    # rows stored before have none (NULL: their words decide, found through the index of
    # the rows without pairs, made by the next step); no row is written.
    """
    ALTER TABLE articles ADD COLUMN IF NOT EXISTS pairs tsvector;
    CREATE INDEX IF NOT EXISTS articles_pairs ON articles USING gin (pairs);
    """,
    # 10 -> 11: whether a row's words are too long to keep pairs (`PAIRS_TEXT`: it keeps none
    # by design), so that the rows still to be given pairs, which the pollers fill in the
    # background, are told from them (the added column's false is not written into each row).
    # The index of the rows without pairs (a phrase reads them by it) is made again with
    # that first, so the pollers take the rows still to fill from it in the order stored.
    """
    ALTER TABLE articles ADD COLUMN IF NOT EXISTS pairs_too_long boolean NOT NULL DEFAULT false;
    DROP INDEX IF EXISTS articles_without_pairs;
    CREATE INDEX articles_without_pairs ON articles (pairs_too_long, seq) WHERE pairs IS NULL;
    """,
    # 11 -> 12: the transaction that stored each row, so that pollers write side by side and a
    # viewer still misses none: it asks for the rows whose transaction its last look did not
    # see committed (`PostgresStore.stored_since`), whatever order their seq numbers commit
    # in. The rows stored before have none (NULL: every look saw them); no row is written.
    _ARRIVED,
    # 12 -> 13: the stories by how many outlets carry them (`outlets:` answered by the
    # database, not by a dashboard's stories: `fetchers.store.postgres.sql.OUTLETS_SQL`)
    """
    CREATE INDEX IF NOT EXISTS stories_outlets
        ON stories ((jsonb_array_length(record -> 'sources')));
    """,
    # 13 -> 14: a story's last activity is when its articles were reported, never later than
    # when they were fetched (`fetchers.story.last_seen`), not the later of the two: the
    # stories kept are given it from their articles (a story whose articles are all gone
    # keeps its own until the poller that groups them forgets it). A fetched time that does
    # not read as one (a row edited by hand) counts as none, as `Record.fetched` reads it.
    _last_seen_anew(
        """(
        SELECT sm.story, max(least(coalesce(a.published, a.epoch), a.epoch)) AS seen
        FROM story_members sm JOIN (
            SELECT id, published, pg_temp.wirewatch_seconds(fetched) AS epoch FROM articles
        ) a ON a.id = sm.id
        GROUP BY sm.story
    )""",
        "m",
        "seen",
    ),
    # 14 -> 15: a word of one script meeting one of another is two words ("한미FTA": 한미 and
    # fta, `fetchers.query.WORD`); the rows holding Hangul, kana, a CJK ideograph or Thai
    # anywhere are given their words again by the pollers in the background (as rows stored
    # before pairs were: `backfill`, which gives a row too long for pairs its words alone);
    # the others are as they were
    """
    UPDATE articles SET pairs = NULL, pairs_too_long = false
    WHERE (pairs IS NOT NULL OR pairs_too_long)
        AND concat_ws(' ', title, summary, text) ~ ('[\\u1100-\\u11ff\\u3130-\\u318f'
            '\\ua960-\\ua97f\\uac00-\\ud7ff\\u0e00-\\u0e7f\\u3040-\\u30ff'
            '\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]');
    """,
    # 15 -> 16: two articles of a source may share a link (a live page's updates, each with a
    # guid of its own, all link to the page: the second was dropped by the unique index); the
    # same item under a new guid is told apart before it is written (`KnownArticles.knows`)
    """
    DROP INDEX IF EXISTS articles_source_link;
    CREATE INDEX articles_source_link ON articles (source, link) WHERE link <> '';
    """,
    # 16 -> 17: Turkish's capital dotted "İ" is lower-cased to "i" (`fetchers.query.lowered`:
    # "İstanbul" was the words "i" and "stanbul"); the rows holding one are given their words
    # again by the pollers in the background, as in 14 -> 15
    """
    UPDATE articles SET pairs = NULL, pairs_too_long = false
    WHERE (pairs IS NOT NULL OR pairs_too_long)
        AND strpos(concat_ws(' ', title, summary, text), U&'\\0130') > 0;
    """,
    # 17 -> 18: an article's link is stored without its tracking parameters (`utm_*`,
    # `fbclid`, ...: `fetchers.webaddress.untracked`), which a feed may stamp anew at each
    # fetch: those stored before lose them, so an item given a new guid and a new campaign at
    # each fetch is the stored one (its link compared as stored); `wirewatch_untracked` is
    # what they are taken out by, as the Python function takes them
    f"""
    CREATE OR REPLACE FUNCTION wirewatch_untracked(link text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN strpos(link, '?') = 0 THEN link ELSE (
            SELECT split_part(link, '?', 1)
                || CASE WHEN kept = '' THEN '' ELSE '?' || kept END
                || CASE WHEN strpos(rest, '#') = 0 THEN ''
                    ELSE substr(rest, strpos(rest, '#')) END
            FROM (
                SELECT rest, array_to_string(ARRAY(
                    SELECT parameter FROM unnest(string_to_array(
                        CASE WHEN strpos(rest, '#') = 0 THEN rest
                            ELSE substr(rest, 1, strpos(rest, '#') - 1) END, '&'))
                        WITH ORDINALITY AS p(parameter, n)
                    WHERE NOT (lower(split_part(parameter, '=', 1)) LIKE 'utm\\_%'
                        OR lower(split_part(parameter, '=', 1)) IN ({_TRACKING_SQL}))
                    ORDER BY n), '&') AS kept
                FROM (SELECT substr(link, strpos(link, '?') + 1) AS rest) r
            ) q
        ) END
    $$;
    UPDATE articles SET link = wirewatch_untracked(link)
    WHERE link ~* '[?&](utm_|{_TRACKING_RE})';
    """,
    # 18 -> 19: source and tag keys folded as `fetchers.query.name_key` folds names
    _fold_name_keys,
    # 19 -> 20: a story's outlets are those an aggregator credits where it keeps them
    # (`fetchers.story.Story.outlets`), else its sources: the index of `outlets:` counts so
    """
    DROP INDEX IF EXISTS stories_outlets;
    CREATE INDEX stories_outlets
        ON stories ((jsonb_array_length(coalesce(record -> 'outlets', record -> 'sources'))));
    """,
    # 20 -> 21: words case-folded ("Straße" is "strasse", "ı" an "i")
    _reword_case_folded,
    # 21 -> 22: source and tag keys with Turkish's dotless "ı" an "i", as words have it
    _fold_name_keys,
    # 22 -> 23: words in their compatibility form ("ＡＰＥＣ" is "apec", "e" and an accent "é")
    _reword_compatibility_forms,
    # 23 -> 24: equal times are listed by the day they were fetched, then in the order stored,
    # as a data dir lists them (`store._ORDER`): the indexes of the date order say so too, so
    # that a page of the newest still reads only its rows
    """
    DROP INDEX IF EXISTS articles_newest;
    CREATE INDEX articles_newest ON articles (at DESC, day, seq);
    DROP INDEX IF EXISTS articles_source;
    CREATE INDEX articles_source ON articles (source_key, at DESC, day, seq);
    """,
    # 24 -> 25: words without the characters that show nothing ("Wash\u200bington")
    _reword_invisible,
    # 25 -> 26: words without the accents readers leave out ("Café" is "cafe", "Ёлку" "елку")
    _reword_unaccented,
    # 26 -> 27: the undated items of a source's first poll say no time, and are no story's
    # last activity but where they are all it has (`fetchers.story.UndatedBacklog`: an
    # undated article whose source had nothing fetched in the day before it was fetched): the
    # stories kept that hold one are given it anew from their articles, as 13 -> 14 did (what
    # a story says of its first report is made anew when it next changes)
    _last_seen_anew(
        "last",
        "l",
        "at",
        ahead=f"""
    WITH polls AS (
        SELECT source, epoch,
            epoch - lag(epoch) OVER (PARTITION BY source ORDER BY epoch) AS after
        FROM (SELECT DISTINCT source, pg_temp.wirewatch_seconds(fetched) AS epoch
            FROM articles) f
        WHERE epoch IS NOT NULL
    ), members AS (
        SELECT sm.story, a.published, a.epoch, a.source
        FROM story_members sm JOIN (
            SELECT id, source, published, pg_temp.wirewatch_seconds(fetched) AS epoch
            FROM articles
        ) a ON a.id = sm.id
    ), seen AS (
        SELECT m.story,
            least(coalesce(m.published, m.epoch), m.epoch) AS at,
            m.published IS NULL AND p.epoch IS NOT NULL
                AND (p.after IS NULL OR p.after >= {BACKLOG_AFTER}) AS untimed
        FROM members m LEFT JOIN polls p ON p.source = m.source AND p.epoch = m.epoch
    ), last AS (
        SELECT story, coalesce(max(at) FILTER (WHERE NOT untimed), max(at)) AS at
        FROM seen GROUP BY story HAVING bool_or(untimed)
    )""",
    ),
    # 27 -> 28: the days filed after the real one (a `--now` ahead, a clock that ran ahead),
    # each with the real day retention first found it so: dropped retention_days after it
    """
    CREATE TABLE IF NOT EXISTS days_ahead (
        day text PRIMARY KEY,               -- articles.day
        since text NOT NULL                 -- the real UTC day retention first found it ahead
    );
    """,
    # 28 -> 29: source and tag keys with every dash a hyphen ("Frontier Review — Markets" is
    # found by source:"Frontier Review - Markets") and without accents (tag:economie finds
    # "Économie"), as `name_key` folds them now
    _fold_name_keys,
    # 29 -> 30: the articles one poller's retention dropped of a source another holds, each
    # with the real day it dropped them, until the holder takes them into its health
    """
    CREATE TABLE IF NOT EXISTS drops (
        source text NOT NULL,               -- articles.source
        id text NOT NULL,                   -- the article's id
        day text NOT NULL,                  -- the real UTC day retention dropped it
        PRIMARY KEY (source, id)
    );
    """,
    # 30 -> 31: when an article's feed was first seen to have taken it down (POSIX seconds;
    # NULL: it stands), set by the poller, taken off when the feed lists it again
    "ALTER TABLE articles ADD COLUMN IF NOT EXISTS pulled double precision;",
)
READER = "wirewatch.reader"  # the session setting that names the reader of a connection
VERSION = len(MIGRATIONS)


def forget_foreign_arrivals(connection: Any) -> bool:
    """(A writer as it starts, on an autocommit connection.) A database restored from a dump
    into another server keeps each row's transaction as the server it came from numbered
    it: rows this server has not yet reached would look new to every look as its numbers
    pass theirs. Such rows (one is enough: no row this server committed is numbered beyond
    what it has begun) lose their transaction, as the rows of a database from before it
    was kept (the column made anew, no row written). True when there were any."""
    foreign = (
        "SELECT EXISTS (SELECT 1 FROM articles"
        " WHERE arrived >= pg_snapshot_xmax(pg_current_snapshot()))"
    )
    row = connection.execute(foreign).fetchone()
    if not (row and row[0]):
        return False
    with connection.transaction(), connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
        row = cur.execute(foreign).fetchone()
        if not (row and row[0]):
            return False  # another writer did it
        cur.execute("ALTER TABLE articles DROP COLUMN arrived")
        cur.execute(_ARRIVED)
    return True


def newer_than_known(where: str, version: int) -> StoreError:
    """What a wirewatch says of a database a newer one upgraded (to `version`): it refuses it,
    whether it finds it so as it starts or as it connects again while it runs."""
    return StoreError(
        f"{where} was written by a newer wirewatch (schema {version}, this one knows"
        f" {VERSION}); upgrade wirewatch"
    )


def migrate(connection: Any, where: str) -> None:
    """Bring the database to VERSION (an autocommit connection); StoreError for one that a
    newer wirewatch wrote."""
    with connection.transaction(), connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
        cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
        cur.execute("SELECT max(version) FROM schema_version")
        row = cur.fetchone()
        version = int(row[0]) if row and row[0] is not None else 0
        if version > VERSION:
            raise newer_than_known(where, version)
        if version < VERSION:
            cur.execute("SELECT current_setting('server_version_num')::integer")
            server = cur.fetchone()
            if server and int(server[0]) < OLDEST_SERVER:
                raise StoreError(
                    f"{where}: wirewatch needs PostgreSQL 13 or later (each row keeps the"
                    f" transaction that stored it); this server is version {server[0]}"
                )
        for step in range(version, VERSION):
            migration = MIGRATIONS[step]
            if callable(migration):
                migration(cur)
            else:
                cur.execute(migration)
        if version < VERSION:
            cur.execute("DELETE FROM schema_version")
            cur.execute("INSERT INTO schema_version VALUES (%s)", (VERSION,))
