"""What a config read again did to its sources, as the dashboard's notice says it."""

from __future__ import annotations

from fetchers.models import Source
from fetchers.sourcechanges import SourceChanges, said_briefly, source_changes


def _at(name: str, n: int, **settings: object) -> Source:
    return Source(name=name, url=f"https://feeds.example/{n}.xml", **settings)  # type: ignore[arg-type]


def test_sources_are_told_by_address_a_rename_is_no_source_added() -> None:
    before = [_at("Harbor Times World", 0), _at("Civic Ledger", 1), _at("Atlas", 2)]
    after = [_at("Harbor Times World (renamed)", 0), _at("Atlas", 2, interval=60.0)]
    assert source_changes(before, after) == SourceChanges(
        removed=["Civic Ledger"],
        renamed=[("Harbor Times World", "Harbor Times World (renamed)")],
        changed=["Atlas"],
    )


def test_two_names_swapped_are_two_renames_and_a_new_address_a_change() -> None:
    before = [_at("A", 0), _at("B", 1), _at("C", 2)]
    after = [_at("B", 0), _at("A", 1), _at("C", 3), _at("D", 4)]
    assert source_changes(before, after) == SourceChanges(
        added=["D"], renamed=[("A", "B"), ("B", "A")], changed=["C"]
    )


def test_three_hundred_renames_are_said_in_a_line_with_a_count() -> None:
    """300 renames were 300 names "added", a notice taller than the terminal."""
    before = [_at(f"The Observer Desk — Health and Science {n}", n) for n in range(300)]
    after = [_at(f"The Observer Desk — Health (renamed) {n}", n) for n in range(300)]
    lines = said_briefly(source_changes(before, after))
    assert len(lines) == 1 and len(lines[0]) < 160, lines
    assert lines[0].startswith(
        "300 renamed: The Observer Desk —…Science 0 → The Observer Desk —…renamed) 0, "
    )
    assert lines[0].endswith(" and 298 more")
    assert said_briefly(source_changes(before, before)) == []
