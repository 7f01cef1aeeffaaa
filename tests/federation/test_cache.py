"""`WeighedLRU`: bounded by the weight of its entries (estimated bytes), least recently used out first."""

from __future__ import annotations

from gateway.federation.cache import ENTRY_BYTES, WeighedLRU


def test_it_evicts_the_least_recently_used_until_within_its_budget() -> None:
    cache: WeighedLRU[str, int] = WeighedLRU(budget=3 * (100 + ENTRY_BYTES))
    for key in "abc":
        cache.put(key, ord(key), 100)
    assert cache.get("a") == ord("a")  # now the most recently used
    cache.put("d", 4, 100)
    assert "b" not in cache and {"a", "c", "d"} <= {k for k in "abcd" if k in cache}
    assert cache.weight == 3 * (100 + ENTRY_BYTES) <= cache.budget
    cache.put("e", 5, 250)  # heavy: two go
    assert cache.weight <= cache.budget and "e" in cache and len(cache) == 2


def test_an_entry_heavier_than_the_budget_is_not_kept() -> None:
    cache: WeighedLRU[str, int] = WeighedLRU(budget=1000)
    cache.put("small", 1, 10)
    cache.put("huge", 2, 10_000)
    assert "huge" not in cache and cache.get("small") == 1


def test_replacing_an_entry_reweighs_it_and_entries_are_bounded_too() -> None:
    cache: WeighedLRU[int, int] = WeighedLRU(budget=10**9, max_entries=2)
    cache.put(1, 1, 500)
    cache.put(1, 1, 10)
    assert cache.weight == 10 + ENTRY_BYTES
    cache.put(2, 2, 10)
    cache.put(3, 3, 10)
    assert len(cache) == 2 and 1 not in cache
