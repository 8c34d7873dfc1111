"""Big sorts and sets made a step at a time give what one call gives."""

from __future__ import annotations

import random
import weakref
from pathlib import Path
from typing import Any

import pytest

from fetchers import stepwise
from fetchers.store import Store
from fetchers.stories import StoryIndex
from fetchers.storybook import stories_of
from tests.conftest import make


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Steps of 7, and the length of every sort the module makes."""
    monkeypatch.setattr(stepwise, "STEP", 7)
    sizes: list[int] = []

    def counting_sorted(items: list[object], **kw: object) -> list[object]:
        sizes.append(len(items))
        return sorted(items, **kw)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(stepwise, "sorted", counting_sorted, raising=False)
    return sizes


def test_a_stepwise_sort_is_the_same_order_as_one_sort(steps: list[int]) -> None:
    rng = random.Random(7)
    items = [(rng.randrange(5), n) for n in range(60)]  # many equal keys: stability shows
    assert stepwise.sorted_stepwise(items, lambda item: item[0]) == sorted(
        items, key=lambda item: item[0]
    )
    assert steps and max(steps) <= 7
    assert stepwise.set_stepwise([n % 13 for n in range(60)]) == set(range(13))


def test_the_stories_of_a_store_are_sorted_a_step_at_a_time(
    tmp_path: Path, steps: list[int]
) -> None:
    """Newest activity first, as one sort gives, with no sort of more than a step (a million
    stories sorted at once held a dashboard's screen still)."""
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(n) for n in range(40)])
        index = StoryIndex()
        index.members = {f"s{n}": [make(n).id] for n in range(40)}
        index.story_of = {make(n).id: f"s{n}" for n in range(40)}
        found = stories_of(index, store)
    assert len(found) == 40
    assert found == sorted(found, key=lambda s: (-s.last_seen, s.id))
    assert steps and max(steps) <= 7


def test_a_stepwise_map_is_the_same_list_as_one_map_made_a_step_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stepwise, "STEP", 7)
    sizes: list[int] = []
    real_map = map

    def counting_map(function: object, items: list[int]) -> object:
        sizes.append(len(items))
        return real_map(function, items)  # type: ignore[call-overload]

    monkeypatch.setattr(stepwise, "map", counting_map, raising=False)
    items = list(range(60))
    assert stepwise.mapped_stepwise(str, items) == [str(n) for n in items]
    assert max(sizes) <= 7 and sum(sizes) == 60
    assert stepwise.mapped_stepwise(str, []) == []


def test_a_long_slice_of_the_date_order_is_filtered_a_step_at_a_time() -> None:
    """A whole list over a million ids is filtered a step of the date order at a time (one
    call over all of them held the interpreter, and a screen's event loop, a tenth of a
    second), small steps first so a first page is found at once; the ids are those of
    one filter over the slice."""
    taken: list[int] = []

    class Order(list[str]):
        def __getitem__(self, at: Any) -> Any:
            got = super().__getitem__(at)
            if isinstance(at, slice):
                taken.append(len(got))
            return got

    order = Order(f"a{n}" for n in range(100_000))
    plain = list(order)
    wanted = {f"a{n}" for n in range(0, 100_000, 7)}
    for lo, hi, limit in [(0, 100_000, None), (10, 90_000, 3), (500, 600, None), (5, 5, None)]:
        for keep in (True, False):
            taken.clear()
            if keep:
                got = stepwise.kept_stepwise(order, lo, hi, limit, 16384, keep=wanted.__contains__)
                whole = [i for i in plain[lo:hi] if i in wanted]
            else:
                got = stepwise.kept_stepwise(order, lo, hi, limit, 16384, drop=wanted.__contains__)
                whole = [i for i in plain[lo:hi] if i not in wanted]
            assert got == whole[:limit]
            if limit is None and hi - lo > 50_000:
                assert taken[0] == 4096 and max(taken) == 16384 and sum(taken) == hi - lo
            if limit == 3:
                assert taken == [4096]


def test_a_list_emptied_a_step_at_a_time_lets_go_of_a_step_between_calls(
    steps: list[int],
) -> None:
    """The last references to many objects let go a step at a time: each step frees at most
    a step's worth, the newest first, and the list ends empty."""

    class Held:
        pass

    items = [Held() for _ in range(30)]
    alive = weakref.WeakSet(items)
    seen: list[int] = []
    stepwise.emptied_stepwise(items, lambda: seen.append(len(alive)))
    assert items == []
    assert seen == [23, 16, 9, 2, 0]
