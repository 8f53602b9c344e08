"""The Hamming index returns exactly what brute force returns, in query-then-entry order, on
random and adversarial banks, across adds and withdrawals; bad input is refused clearly."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reclaim.bank._mih_plan import substring_starts, table_radii
from reclaim.bank.index import DELTA_MIN_ROWS, HammingIndex, SearchResult, brute_force_search

DISTANCES = [0, 1, 15, 31, 32, 63, 64, 100, 256]
# None: the plan chosen for the bank's size. The others make small banks use several tables of
# mixed lengths, with many entries per bucket.
PLANS = [None, (16,) * 16, (10,) * 4 + (12,) * 18]


def flip_bits(hashes: npt.NDArray[np.uint8], counts: npt.ArrayLike, rng: np.random.Generator) -> None:
    """Flip ``counts[i]`` distinct random bits of row i, in place."""
    for row, count in enumerate(np.broadcast_to(counts, hashes.shape[:1])):
        for bit in rng.choice(256, int(count), replace=False):
            hashes[row, bit // 8] ^= np.uint8(1 << (bit % 8))


def make_bank(kind: str, size: int, rng: np.random.Generator) -> npt.NDArray[np.uint8]:
    if kind == "random":
        return rng.integers(0, 256, (size, 32), dtype=np.uint8)
    if kind == "clustered":
        # Many near-copies of a few photos: buckets hold most of the bank.
        centres = rng.integers(0, 256, (3, 32), dtype=np.uint8)
        bank = centres[rng.integers(0, 3, size)]
        flip_bits(bank, rng.integers(0, 6, size), rng)
        return bank
    if kind == "duplicates":
        return rng.integers(0, 256, (2, 32), dtype=np.uint8)[rng.integers(0, 2, size)]
    # extremes: all-zero and all-one hashes, and one bit away from them.
    bank = np.where(rng.integers(0, 2, (size, 1)) == 1, 255, 0).astype(np.uint8) * np.ones((1, 32), np.uint8)
    flip_bits(bank, rng.integers(0, 2, size), rng)
    return bank


def make_queries(bank: npt.NDArray[np.uint8], size: int, rng: np.random.Generator) -> npt.NDArray[np.uint8]:
    """Bank rows with 0 to 70 bits flipped, random hashes, and the all-zero and all-one hashes."""
    near = bank[rng.integers(0, len(bank), size)] if len(bank) else np.empty((0, 32), np.uint8)
    flip_bits(near, rng.integers(0, 71, len(near)), rng)
    extremes = np.array([[0] * 32, [255] * 32], dtype=np.uint8)
    return np.concatenate([near, rng.integers(0, 256, (size // 2, 32), dtype=np.uint8), extremes])


def reference(
    bank: npt.NDArray[np.uint8],
    queries: npt.NDArray[np.uint8],
    max_distance: int,
    live: npt.NDArray[np.bool_],
) -> SearchResult:
    query_rows, entry_rows, distances = brute_force_search(bank, queries, max_distance)
    keep = live[entry_rows]
    return query_rows[keep], entry_rows[keep], distances[keep]


def assert_same(found: SearchResult, expected: SearchResult) -> None:
    for got, want, name in zip(found, expected, ["query rows", "entry rows", "distances"], strict=True):
        np.testing.assert_array_equal(got, want, err_msg=name)
    assert [array.dtype for array in found] == [np.int64, np.int64, np.int32]


@settings(max_examples=40, deadline=None)
@given(
    kind=st.sampled_from(["random", "clustered", "duplicates", "extremes"]),
    size=st.integers(0, 300),
    query_count=st.integers(0, 30),
    max_distance=st.sampled_from(DISTANCES),
    plan=st.sampled_from(PLANS),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_strategy_equals_brute_force(
    *, kind: str, size: int, query_count: int, max_distance: int, plan: tuple[int, ...] | None, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    bank = make_bank(kind, size, rng)
    queries = make_queries(bank, query_count, rng)
    index = HammingIndex(bank, threads=2, substring_bits=plan)
    expected = reference(bank, queries, max_distance, np.ones(size, np.bool_))
    for strategy in ("auto", "tables", "scan"):
        if strategy == "tables" and max_distance > 100 and plan is not None:
            continue  # correct, but enumerating every key of 16-bit tables takes seconds
        assert_same(index.search(queries, max_distance, strategy=strategy), expected)


@pytest.mark.parametrize("max_distance", DISTANCES)
def test_a_bank_of_thousands_equals_brute_force_at_each_distance(max_distance: int) -> None:
    rng = np.random.default_rng(max_distance)
    bank = np.concatenate([make_bank("random", 3000, rng), make_bank("clustered", 1000, rng)])
    queries = make_queries(bank, 150, rng)
    index = HammingIndex(bank, threads=2)
    expected = reference(bank, queries, max_distance, np.ones(len(bank), np.bool_))
    assert_same(index.search(queries, max_distance), expected)
    assert_same(index.search(queries, max_distance, strategy="scan"), expected)
    if max_distance <= 64:
        assert_same(index.search(queries, max_distance, strategy="tables"), expected)


@pytest.mark.parametrize(("size", "max_distance"), [(300, 31), (20_000, 31), (20_000, 15), (20_000, 40)])
def test_pairs_at_the_pigeonhole_limit_are_found_by_their_only_table(size: int, max_distance: int) -> None:
    """Flip radius + 1 bits in every substring but one, which gets radius bits: the pair is at
    exactly max_distance and only that one table can find it. Random pairs almost never are."""
    rng = np.random.default_rng(size + max_distance)
    bank = make_bank("random", size, rng)
    index = HammingIndex(bank, threads=1)
    lengths = index.substring_bits
    radii = table_radii(lengths, max_distance)
    queries = bank[: len(lengths)].copy()
    for only, query in enumerate(queries):
        for table, (start, bits, radius) in enumerate(
            zip(substring_starts(lengths), lengths, radii, strict=True)
        ):
            flips = radius if table == only else radius + 1
            for bit in start + rng.choice(bits, max(flips, 0), replace=False):
                query[bit // 8] ^= np.uint8(1 << (bit % 8))  # bit i is bit i % 8 of byte i // 8
    found = index.search(queries, max_distance, strategy="tables")
    assert_same(found, reference(bank, queries, max_distance, np.ones(size, np.bool_)))
    pairs = set(zip(found[0].tolist(), found[1].tolist(), found[2].tolist(), strict=True))
    reachable = [table for table in range(len(lengths)) if radii[table] >= 0]
    assert {(table, table, max_distance) for table in reachable} <= pairs


def test_results_are_ordered_by_query_then_entry_and_each_pair_is_reported_once() -> None:
    bank = np.zeros((5, 32), np.uint8)
    bank[3, 0] = 1
    queries = np.zeros((2, 32), np.uint8)
    queries[0, 31] = 3
    index = HammingIndex(bank, substring_bits=(16,) * 16)
    query_rows, entry_rows, distances = index.search(queries, 3, strategy="tables")
    assert query_rows.tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    assert entry_rows.tolist() == [0, 1, 2, 3, 4] * 2
    assert distances.tolist() == [2, 2, 2, 3, 2, 0, 0, 0, 1, 0]


def test_empty_bank_and_empty_queries_give_empty_results() -> None:
    empty = np.empty((0, 32), np.uint8)
    some = np.random.default_rng(0).integers(0, 256, (4, 32), dtype=np.uint8)
    for bank, queries in [(empty, some), (some, empty), (empty, empty), (some, np.empty(0, np.uint8))]:
        index = HammingIndex(bank)
        for strategy in ("auto", "tables", "scan"):
            found = index.search(queries, 31, strategy=strategy)
            assert [array.size for array in found] == [0, 0, 0]
            assert [array.dtype for array in found] == [np.int64, np.int64, np.int32]


def test_added_rows_are_found_and_earlier_rows_keep_their_numbers() -> None:
    rng = np.random.default_rng(7)
    bank = make_bank("random", 500, rng)
    index = HammingIndex(bank, threads=1)
    before = index.search(bank[:50], 31)
    batches = [
        make_bank("clustered", 10, rng),
        make_bank("random", 1, rng),
        make_bank("random", DELTA_MIN_ROWS, rng),
    ]
    for batch in batches:
        first = len(bank)
        rows = index.add(batch)
        bank = np.concatenate([bank, batch])
        assert rows.tolist() == list(range(first, len(bank)))
        assert len(index) == index.row_count == len(bank)
        queries = make_queries(bank, 60, rng)
        for strategy in ("auto", "tables"):
            assert_same(
                index.search(queries, 31, strategy=strategy),
                reference(bank, queries, 31, np.ones(len(bank), bool)),
            )
    # The last batch passed the delta limit, so the tables were rebuilt; row numbers did not move.
    after = index.search(bank[:50], 31)
    assert_same((after[0], after[1][after[1] < 500], after[2][after[1] < 500]), before)


def test_withdrawn_rows_are_never_returned_again() -> None:
    rng = np.random.default_rng(11)
    bank = make_bank("clustered", 2000, rng)
    live = np.ones(len(bank), np.bool_)
    index = HammingIndex(bank, threads=2)
    queries = make_queries(bank, 80, rng)
    withdrawn = rng.choice(len(bank), 300, replace=False)
    index.remove(withdrawn)
    index.remove(withdrawn[:10])  # withdrawing twice is harmless
    live[withdrawn] = False
    assert len(index) == int(live.sum())
    for strategy in ("auto", "tables", "scan"):
        assert_same(index.search(queries, 31, strategy=strategy), reference(bank, queries, 31, live))
    # Withdraw most of the bank: the tables are rebuilt without those rows.
    more = np.flatnonzero(live)[: int(live.sum()) * 3 // 4]
    index.remove(more)
    live[more] = False
    added = index.add(bank[:5])
    bank = np.concatenate([bank, bank[:5]])
    live = np.concatenate([live, np.ones(5, np.bool_)])
    assert added.tolist() == [2000, 2001, 2002, 2003, 2004]
    for strategy in ("auto", "tables", "scan"):
        found = index.search(queries, 31, strategy=strategy)
        assert not np.isin(found[1], np.flatnonzero(~live)).any()
        assert_same(found, reference(bank, queries, 31, live))


def test_bad_input_is_refused_with_a_clear_message() -> None:
    good = np.zeros((3, 32), np.uint8)
    index = HammingIndex(good)
    for bad, message in [
        (np.zeros((3, 31), np.uint8), r"shape \(N, 32\)"),
        (np.zeros((3, 32, 1), np.uint8), r"shape \(N, 32\)"),
        (np.zeros((3, 32), np.int64), "uint8"),
        (np.zeros((3, 32), np.float32), "uint8"),
        ([[0] * 32], "numpy uint8 array"),
    ]:
        with pytest.raises(ValueError, match=message):
            HammingIndex(bad)
        with pytest.raises(ValueError, match=message):
            index.search(bad)
        with pytest.raises(ValueError, match=message):
            index.add(bad)
    for distance in [-1, 257, 1.5, True, "31"]:
        with pytest.raises(ValueError, match="max_distance"):
            index.search(good, distance)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="strategy"):
        index.search(good, 31, strategy="fast")  # type: ignore[arg-type]
    for rows in [[3], [-1], [0.5]]:
        with pytest.raises(ValueError, match="rows"):
            index.remove(rows)
    for plan in [(16,) * 15, (7,) * 32 + (32,), (32,) * 8]:
        with pytest.raises(ValueError, match="substring_bits"):
            HammingIndex(good, substring_bits=plan)
    with pytest.raises(ValueError, match="threads"):
        HammingIndex(good, threads=0)
    assert len(index) == 3  # nothing above changed the index


def test_importing_the_index_and_the_cli_does_not_load_numba() -> None:
    code = "import sys, reclaim.bank.index, reclaim.cli.main; sys.exit('numba' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_small_bank_is_searched_without_loading_numba() -> None:
    code = (
        "import sys, numpy as np\n"
        "from reclaim.bank.index import HammingIndex\n"
        "bank = np.random.default_rng(1).integers(0, 256, (2000, 32), dtype=np.uint8)\n"
        "index = HammingIndex(bank)\n"
        "index.remove([5])\n"
        "q, e, d = index.search(bank[:10], 31)\n"
        "assert 5 not in e.tolist() and q.tolist() == [0, 1, 2, 3, 4, 6, 7, 8, 9], (q, e)\n"
        "sys.exit('numba' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_large_batch_on_a_small_bank_goes_to_the_kernels_with_the_same_pairs() -> None:
    # `bulk match` searches a thousand views per stored row at once: numpy's ~10 ns a pair would
    # make that the whole job, so past NUMPY_SCAN_PAIRS the compiled kernels answer instead.
    code = (
        "import sys, numpy as np\n"
        "from reclaim.bank.index import HammingIndex, NUMPY_SCAN_PAIRS, brute_force_search\n"
        "rng = np.random.default_rng(2)\n"
        "bank = rng.integers(0, 256, (2000, 32), dtype=np.uint8)\n"
        "queries = bank[rng.integers(0, 2000, NUMPY_SCAN_PAIRS // 2000 + 1)].copy()\n"
        "queries[:, :4] ^= rng.integers(0, 256, (len(queries), 4), dtype=np.uint8)\n"
        "found = HammingIndex(bank).search(queries, 31)\n"
        "expected = brute_force_search(bank, queries, 31)\n"
        "assert all(np.array_equal(a, b) for a, b in zip(found, expected)), 'pairs differ'\n"
        "assert found[0].size > len(queries) // 2\n"
        "sys.exit(0 if 'numba' in sys.modules else 3)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
