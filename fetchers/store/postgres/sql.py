"""A query of the query language as a SQL condition on the articles (joined with the marks).

Each clause (an OR of terms) becomes SQL when every term in it can: source:, tag:, lang:,
is:, since: and before: exactly (`Plan.exact`), story: and outlets: exactly from the stories
the grouping poller saved (`stories`, `story_members`), a word or phrase as a full-text match
that holds for at least every article the word test finds (its own test then decides, on
the rows the database gives). A negated word cannot be narrowed: its clause is left to the
terms' own tests, over rows read newest first in batches until the limit is reached. A
clause said exactly is never tested again in Python (`Plan.exact_clauses`).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any

from fetchers.query import INVISIBLE_CHARS, OUTLETS, STORY_FIELDS, Query, Term, written_otherwise
from fetchers.store.postgres.words import RUN, pair_query, phrase_query, prefix_query


@dataclass(slots=True)
class Plan:
    """The SQL condition (`where`, with its `params`) and whether it says all the query
    says (then no row needs the Python test)."""

    where: str = "TRUE"
    params: list[Any] = field(default_factory=list)
    exact: bool = True
    wants_text: bool = False  # some word term is tested: the full text is read with the row
    narrowed: bool = False  # the words index narrows it: the candidates are few
    exact_clauses: set[int] = field(default_factory=set)  # clauses the SQL says whole
    # story: and outlets: said by the stories the database keeps: where a clause is tested
    # in Python, its story terms are to be answered by them too (`Query.with_stories`)
    said_stories: bool = False


def _like(needle: str) -> str:
    """A LIKE pattern holding for every text that holds `needle` as the query language finds
    it: an apostrophe stands for any one character (the text may write it "’": `folded`)."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "%" + escaped.replace("'", "_") + "%"


_NEAR_AND_BODY = ("a.title", "a.summary", "a.text")


def _otherwise(needle: str) -> str:
    """A regular expression (for `~`) finding any character past ASCII that a text may write
    where the folded `needle` has one of its own (`written_otherwise`: "Ａ" for "a", the
    Kelvin sign for "k", "ß" for "s", "é" or an accent written apart for "e", a jamo for a
    syllable), or a character that shows nothing, which folding takes out of a word
    (`visible`: "Wash\u200bington" holds washington): a text holding none of them holds the
    needle as written wherever it holds it folded, ASCII letters aside."""
    chars = dict.fromkeys(other for char in needle for other in written_otherwise(char))
    return "[" + "".join(chars) + INVISIBLE_CHARS + "\u200c\u200d]"


def _held(columns: tuple[str, ...], test: str, pattern: str, needle: str) -> tuple[str, list[Any]]:
    """A condition holding for every row where one of `columns` passes `test` (a condition on
    the column `{}` taking `pattern`) or holds a character written otherwise than `needle`
    has it (`_otherwise`)."""
    otherwise = _otherwise(needle)
    parts: list[str] = []
    params: list[Any] = []
    for column in columns:
        parts.append(f"{test.format(column)} OR {column} ~ %s")
        params += [pattern, otherwise]
    return "(" + " OR ".join(parts) + ")", params


def _any_case_like(needle: str) -> str:
    """`_like`, each letter ILIKE may not fold standing for any one character: a database of
    the C locale folds ASCII letters only, so "élection" missed "ÉLECTION" there."""
    loose = "".join(
        "\x00" if not char.isascii() and char.upper() != char.lower() else char for char in needle
    )
    return _like(loose).replace("\x00", "_")


def _written(columns: tuple[str, ...], needle: str) -> tuple[str, list[Any]] | None:
    """A condition holding for every row where one of `columns` holds `needle` as the query
    language finds it (folded, at the start of a word): the needle itself, ASCII letters
    folded, or a character folded to one of its own (`_otherwise`: "Ａ" for "a", "ß" for
    "ss"). Only for an ASCII needle on one line (the title and summary the query language
    joins with a line break): then ASCII folding finds all Python's lower() does. None when
    the words index says as much (a single word of letters or digits) or the needle is not
    such."""
    if not needle.isascii() or "\n" in needle or RUN.fullmatch(needle):
        return None
    return _held(columns, '{} COLLATE "C" ILIKE %s', _like(needle), needle)


def _term(term: Term, stories: bool = True) -> tuple[str, list[Any], bool] | None:
    """(condition, params, exact) of one term, or None when SQL cannot narrow it (`story:`
    and `outlets:` without `stories`: none are saved, a grouping in memory answers them)."""
    name, value = term.field, term.value
    if name in (None, "title"):
        if term.negated:
            return None
        tsquery = prefix_query(value)
        if tsquery is not None:
            # the index gives the rows with every word of a phrase, anywhere in the article;
            # where a row keeps its words' exact places, those say whether the words stand
            # one after the other (read before any text); the phrase itself, as written,
            # narrows them to the few that say it
            words = "a.words @@ to_tsquery('simple', %s)"
            params: list[Any] = [tsquery]
            phrase = phrase_query(value)
            places = "(NOT a.places_exact OR a.words @@ to_tsquery('simple', %s))"
            pairs = pair_query(value)
            if pairs is not None:
                # a row with pairs answers from them: the pairs index gives the few rows
                # holding the phrase's pairs (its words, tested first where rows are walked,
                # are no index condition here, or the planner would read the words index
                # too; with more than two words, their places say whether the pairs stand
                # one after the other); a row without pairs, as before
                in_pairs = f"({words}) IS TRUE AND a.pairs @@ %s::tsquery"
                without = f"a.pairs IS NULL AND {words}"
                params = [tsquery, pairs]
                if phrase is not None and len(RUN.findall(value.lower())) > 2:
                    in_pairs += f" AND {places}"
                    params.append(phrase)
                params.append(tsquery)
                if phrase is not None:
                    without += f" AND {places}"
                    params.append(phrase)
                words = f"(({in_pairs}) OR ({without}))"
            elif phrase is not None:
                words += f" AND {places}"
                params.append(phrase)
            written = _written(("a.title",) if name == "title" else _NEAR_AND_BODY, value)
            if written is None:
                return f"({words})", params, False
            return f"({words} AND {written[0]})", [*params, *written[1]], False
        # (the rows it gives are tested in Python)
        columns = ("a.title",) if name == "title" else _NEAR_AND_BODY
        return (*_held(columns, "{} ILIKE %s", _any_case_like(value), value), False)
    if name in STORY_FIELDS and not stories:  # the stories grouped in memory decide it
        return _decided(term)
    condition: str
    params = []
    if name == "source":
        condition, params = "a.source_key = %s", [value]
    elif name == "tag":
        condition, params = "a.tag_keys @> ARRAY[%s]::text[]", [value]
    elif name == "lang":
        condition, params = "a.lang_key = %s", [value.split("-")[0]]
        if "-" in value:  # lang:en-us: a region's; the key (no region) narrows, the test decides
            return None if term.negated else (condition, params, False)
    elif name == "is":
        condition = {
            "unread": "r.id IS NULL",
            "read": "r.id IS NOT NULL",
            "starred": "coalesce(m.starred, false)",
        }[value]
    elif name in ("since", "before") and term.bound is not None:
        condition = "a.at >= %s" if name == "since" else "a.at < %s"
        params = [term.bound]
    elif name == "story" and stories:
        condition, params = "a.id IN (SELECT x.id FROM story_members x WHERE x.story = %s)", [value]
    elif name == "outlets" and stories:
        condition, params = _outlets(value)
    else:
        return None
    if term.negated:
        condition = f"NOT ({condition})"
    return condition, params, True


def _decided(term: Term) -> tuple[str, list[Any], bool] | None:
    """`story:` or `outlets:` as the stories grouped in memory decide it (`Term.decided`,
    negation included): the articles it holds for, or those it fails for, as a list the
    server looks each row up in, not a test of every row in Python."""
    if term.decided is None:
        return None
    verdicts = term.decided()
    if verdicts.rest is False and not verdicts.fail:
        return "a.id = ANY(%s)", [list(verdicts.hold)], True
    if verdicts.rest is True and not verdicts.hold:
        return "NOT (a.id = ANY(%s))", [list(verdicts.fail)], True
    return None


# how many outlets carry a saved story (an index of stories keeps it: `stories_outlets`)
# (its outlets where an aggregator credits them, else its sources: `Story.outlets`)
OUTLETS_SQL = "jsonb_array_length(coalesce(y.record -> 'outlets', y.record -> 'sources'))"


_COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
            "=": operator.eq}  # fmt: skip


def _outlets(value: str) -> tuple[str, list[Any]]:
    """`outlets:VALUE` (checked by the query's parser) as the saved stories answer it: an
    article in no story (or in one of one outlet) is one outlet's, so a count that holds
    for one names the stories it fails for, and any other the stories it holds for."""
    match = OUTLETS.fullmatch(value)
    assert match is not None
    op, number = match.group(1) or "=", int(match.group(2))
    count = f"({OUTLETS_SQL} {op} %s)"
    if _COMPARE[op](1, number):  # an anti-join: NOT IN over many members is a scan each
        held = "SELECT 1 FROM story_members x JOIN stories y ON y.id = x.story"
        return f"NOT EXISTS ({held} WHERE x.id = a.id AND NOT {count})", [number]
    members = "SELECT x.id FROM story_members x JOIN stories y ON y.id = x.story"
    return f"a.id IN ({members} WHERE {count})", [number]


def plan(query: Query | None, stories: bool = True) -> Plan:
    """The SQL that narrows `query`; every clause it cannot say is left to the terms.
    `stories`: whether the database keeps stories to say `story:` and `outlets:` with."""
    out = Plan()
    if query is None or query.is_empty:
        return out
    out.said_stories = stories and query.asks_stories
    conditions: list[str] = []
    for number, clause in enumerate(query.clauses):
        if any(term.field in (None, "title") for term in clause):
            out.wants_text = True
        parts: list[str] = []
        params: list[Any] = []
        exact = True
        for term in clause:
            said = _term(term, stories)
            if said is None:
                break
            condition, more, term_exact = said
            parts.append(condition)
            params += more
            exact = exact and term_exact
        else:
            conditions.append(parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")")
            out.narrowed = out.narrowed or any("@@" in part for part in parts)
            out.params += params
            out.exact = out.exact and exact
            if exact:
                out.exact_clauses.add(number)
            continue
        out.exact = False
    if conditions:
        out.where = " AND ".join(conditions)
    return out
