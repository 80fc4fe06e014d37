"""The express lane's bookkeeping (store/lanes.py): what a template's last run says, and who may enter.

The query processes themselves are in test_query_processes.py; nothing here is timed, a wait is
ended by another thread's `leave` or by its own bound.
"""

from __future__ import annotations

import math
import threading

import pytest

from oms_ld.store.lanes import EXPRESS, REGULAR, Admission, Costs

from ..polling import LIMIT, wait_until


def test_a_template_is_slow_until_a_run_of_it_is_recorded() -> None:
    costs = Costs(slots=16)
    assert costs.seconds(7) == math.inf
    costs.record(7, 0.001)
    assert costs.seconds(7) == 0.001
    costs.record(7, math.inf)  # stopped at its limit
    assert costs.seconds(7) == math.inf


def test_a_template_whose_slot_is_taken_counts_as_never_seen() -> None:
    costs = Costs(slots=16)
    costs.record(3, 0.001)
    costs.record(3 + 16, 0.002)  # the same slot: the older one is forgotten, not taken for the newer
    assert (costs.seconds(3), costs.seconds(19)) == (math.inf, 0.002)
    costs.record(-5, 0.003)  # hashes may be negative
    assert costs.seconds(-5) == 0.003


@pytest.mark.parametrize(("free", "quick", "lane"), [
    ({REGULAR: 1, EXPRESS: 1}, True, EXPRESS),  # a quick query keeps the regular process for the others
    ({REGULAR: 1, EXPRESS: 0}, True, REGULAR),
    ({REGULAR: 1, EXPRESS: 1}, False, REGULAR),
    ({REGULAR: 0, EXPRESS: 1}, False, None),  # never the express lane for a slow or unknown one
    ({REGULAR: 0, EXPRESS: 0}, True, None),
])  # fmt: skip
def test_which_lane_a_query_enters(free: dict[str, int], quick: bool, lane: str | None) -> None:
    admission = Admission(free[REGULAR], free[EXPRESS], queue=0, wait=0.0)
    assert admission.enter(quick) == lane
    if lane is not None:
        assert admission.free[lane] == free[lane] - 1
        admission.leave(lane)
        assert admission.free == free


def test_a_quick_query_waits_for_the_express_process_even_when_the_queue_is_full() -> None:
    admission = Admission(1, 1, queue=1, wait=LIMIT)
    assert (admission.enter(False), admission.enter(True)) == (REGULAR, EXPRESS)
    got: list[tuple[str, str | None]] = []
    slow = threading.Thread(target=lambda: got.append(("slow", admission.enter(False))))
    slow.start()
    wait_until(lambda: admission.waiting == 1, "the slow query waiting")
    assert admission.enter(False) is None  # the queue of one is full: the next slow query is refused at once
    quick = threading.Thread(target=lambda: got.append(("quick", admission.enter(True))))
    quick.start()
    wait_until(lambda: admission.waiting_quick == 1, "the quick query waiting, though the queue is full")
    admission.leave(EXPRESS)
    quick.join(LIMIT)
    assert got == [("quick", EXPRESS)] and admission.waiting == 1  # the slow one waits on for REGULAR
    admission.leave(REGULAR)
    slow.join(LIMIT)
    assert got[1:] == [("slow", REGULAR)] and (admission.waiting, admission.waiting_quick) == (0, 0)


def test_a_slow_query_waits_for_a_regular_process_not_the_express_one() -> None:
    admission = Admission(1, 1, queue=1, wait=LIMIT)
    assert admission.enter(False) == REGULAR
    got: list[str | None] = []
    waiter = threading.Thread(target=lambda: got.append(admission.enter(False)))
    waiter.start()
    wait_until(lambda: admission.waiting == 1, "the slow query waiting")
    assert admission.enter(True) == EXPRESS
    admission.leave(EXPRESS)  # it wakes, and waits on
    assert got == [] and admission.waiting == 1
    admission.leave(REGULAR)
    waiter.join(LIMIT)
    assert got == [REGULAR]


def test_without_an_express_lane_a_quick_query_counts_against_the_queue() -> None:
    admission = Admission(1, 0, queue=0, wait=LIMIT)
    assert admission.enter(True) == REGULAR
    assert admission.enter(True) is None  # refused at once, as a slow one would be


def test_a_wait_ends_at_its_bound_refused() -> None:
    admission = Admission(1, 0, queue=1, wait=0.01)
    assert admission.enter(False) == REGULAR
    assert admission.enter(False) is None and admission.waiting == 0
