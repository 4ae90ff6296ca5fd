"""Material requirements netting (domain/mrp.py) on worked examples, every answer computed by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from domain.mrp import (
    Buying,
    Demand,
    Lot,
    Requirements,
    Step,
    Use,
    levels,
    link_steps,
    proposal,
    requirements,
    rounded_up,
    timeline,
)
from domain.vocabulary import Cover, Supply

TODAY = date(2026, 6, 15)
G, F, INK, PRINTED, PET, ADH, CORE = 1, 2, 3, 4, 5, 6, 7  # granulate, blown film, ink, printed film, PET, glue, cores


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


def by_material(result: Requirements) -> dict[int, object]:
    return {p.material: p for p in result.materials}


def test_one_step_stock_then_purchase_orders_then_release_then_late() -> None:
    """Granulate at 0.5 kg per unit with 4 % scrap (0.52 kg). Order A: 1000 units on day 1 (520 kg);
    order B: 500 units on day 3 (260 kg). There are 300 kg usable, 100 kg waiting for release, and a
    purchase order of 400 kg due on day 2.

    A takes the 300 kg of stock and the 100 kg waiting for release; the order due on day 2 is too late
    for the remaining 120 kg, which it covers late. B on day 3 takes 260 kg of the 280 kg left on the
    order. Short: 120 kg, biting on day 1, delaying A; left after all: 20 kg. The reorder level is
    200 kg: buy 180 kg, raised to the supplier's minimum of 250 kg."""
    recipes = {10: (Step(1, "extrusion", (Use(G, D("0.5"), D("4")),)),)}
    demands = [Demand("A", 10, D(1000), day(1), position=1), Demand("B", 10, D(500), day(3), position=2)]
    lots = [
        Lot(G, D(300), Supply.STOCK, TODAY, day(10), "R-1"),
        Lot(G, D(100), Supply.PENDING, TODAY, day(10), "R-2"),
        Lot(G, D(400), Supply.ORDERED, day(2), None, "PO-1"),
    ]
    result = requirements(demands, recipes, lots, {G: Buying(D(200), D(250))}, TODAY)
    (plan,) = result.materials
    a, b = plan.needs
    assert (a.order, a.quantity, a.stock, a.pending, a.ordered, a.late, a.missing) == (
        "A", D(520), D(300), D(100), D(0), D(120), D(0),
    )  # fmt: skip
    assert (b.order, b.quantity, b.ordered, b.short) == ("B", D(260), D(260), D(0))
    assert plan.cover is Cover.SHORT
    assert (plan.needed, plan.stock, plan.pending, plan.ordered) == (D(780), D(300), D(100), D(400))
    assert (plan.short, plan.late, plan.missing, plan.left) == (D(120), D(120), D(0), D(20))
    assert plan.bites_on == day(1) and plan.delays == ("A",)
    assert plan.proposed == D(250)


def test_stock_expiring_before_a_need_does_not_cover_it() -> None:
    """Two batches of 200 kg: one expires on day 2, the other on day 30. A needs 150 kg on day 1 and takes
    them from the batch that expires first; B needs 200 kg on day 5, after the first batch's 50 kg have
    expired, and takes the other. Nothing short; what is left (the expired 50 kg) does not count."""
    recipes = {10: (Step(1, "extrusion", (Use(G, D(1)),)),)}
    demands = [Demand("A", 10, D(150), day(1)), Demand("B", 10, D(200), day(5))]
    lots = [Lot(G, D(200), Supply.STOCK, TODAY, day(30), "R-2"), Lot(G, D(200), Supply.STOCK, TODAY, day(2), "R-1")]
    (plan,) = requirements(demands, recipes, lots, {G: Buying()}, TODAY).materials
    assert [(n.order, n.stock, n.short) for n in plan.needs] == [("A", D(150), D(0)), ("B", D(200), D(0))]
    assert plan.cover is Cover.COVERED and plan.left == D(0)


def test_an_expired_batch_leaves_the_need_short() -> None:
    """The only batch (500 kg) expires on day 2; the order needs 100 kg on day 4: missing 100 kg."""
    recipes = {10: (Step(1, "extrusion", (Use(G, D(1)),)),)}
    (plan,) = requirements(
        [Demand("A", 10, D(100), day(4))],
        recipes,
        [Lot(G, D(500), Supply.STOCK, TODAY, day(2), "R-1")],
        {G: Buying()},
        TODAY,
    ).materials
    assert (plan.cover, plan.missing, plan.bites_on, plan.proposed) == (Cover.SHORT, D(100), day(4), D(100))


def test_own_film_short_is_made_by_the_orders_earlier_step() -> None:
    """A printed product: step 1 blows film from 0.05 kg granulate per metre, step 2 prints 0.06 kg of film
    per metre with 0.002 kg ink. 10,000 m on day 1 need 600 kg of film and 20 kg of ink. 240 kg of film
    are in stock, so 360 kg (60 %) must be blown: 60 % of step 1's 500 kg granulate, 300 kg. 100 kg of
    granulate are in stock: 200 kg short. The film itself is not short: the order makes it."""
    steps = (
        Step(1, "extrusion", (Use(G, D("0.05")),)),
        Step(2, "printing", (Use(F, D("0.06")), Use(INK, D("0.002")))),
    )
    recipes = {20: link_steps(steps, {F: {"extrusion"}})}
    lots = [Lot(F, D(240), Supply.STOCK, TODAY, None, "F-1"), Lot(G, D(100), Supply.STOCK, TODAY, None, "R-1")]
    buying = {F: Buying(bought=False), G: Buying(), INK: Buying()}
    plans = by_material(requirements([Demand("A", 20, D(10000), day(1))], recipes, lots, buying, TODAY))
    film, granulate, ink = plans[F], plans[G], plans[INK]
    assert (film.needed, film.stock, film.made, film.short, film.cover) == (D(600), D(240), D(360), D(0), Cover.COVERED)
    assert film.proposed == D(0)
    assert (granulate.needed, granulate.stock, granulate.missing, granulate.delays) == (D(300), D(100), D(200), ("A",))
    assert granulate.needs[0].step == 1
    assert (ink.needed, ink.missing, ink.bites_on) == (D(20), D(20), day(1))
    # the shortages first, by the day they bite; then the rest
    result = requirements([Demand("A", 20, D(10000), day(1))], recipes, lots, buying, TODAY)
    assert [p.cover for p in result.materials] == [Cover.SHORT, Cover.SHORT, Cover.COVERED]
    assert result.materials[-1].material == F


def test_a_laminate_makes_each_film_at_the_step_of_its_stage() -> None:
    """PET/PE laminate: blow PE film (extrusion), print PET (printing), laminate the printed PET to the PE.
    Going back from the laminator, printing makes the printed film and extrusion the PE film, although
    the PE film is taken two steps later."""
    steps = (
        Step(1, "extrusion", (Use(G, D("0.036")),)),
        Step(2, "printing", (Use(PET, D(1)), Use(INK, D("0.0012")))),
        Step(3, "lamination", (Use(PRINTED, D(1)), Use(F, D("0.056")), Use(ADH, D("0.0012")))),
        Step(4, "slitting", (Use(9, D(1)), Use(CORE, D("0.004")))),
    )
    made_at = {F: {"extrusion"}, PRINTED: {"printing", "uv"}, 9: {"lamination"}}
    linked = link_steps(steps, made_at)
    assert [s.makes for s in linked] == [F, PRINTED, 9, None]
    assert levels({1: linked}) == {9: 0, PRINTED: 1, F: 1, ADH: 1, PET: 2, INK: 2, G: 2}
    # A step whose stage makes nothing a later step waits for makes the nearest one still waited for.
    odd = link_steps((Step(1, "uv", (Use(G, D(1)),)), Step(2, "printing", (Use(F, D(1)),))), {F: {"extrusion"}})
    assert [s.makes for s in odd] == [F, None]
    # And one with nothing left to make makes nothing: its materials count in full.
    alone = link_steps((Step(1, "extrusion", (Use(G, D(1)),)), Step(2, "printing", (Use(INK, D(1)),))), {})
    assert [s.makes for s in alone] == [None, None]


def test_a_running_order_needs_only_what_it_has_not_taken() -> None:
    """100 units at 0.5 kg granulate: 50 kg; it took 30 kg already, and needs 20 kg now (not on its due day)."""
    recipes = {10: (Step(1, "extrusion", (Use(G, D("0.5")),)),)}
    demand = Demand("A", 10, D(100), day(-3), consumed=((G, D(30)),))
    (plan,) = requirements([demand], recipes, [], {G: Buying()}, TODAY).materials
    assert (plan.needed, plan.bites_on) == (D(20), TODAY)
    taken_all = Demand("B", 10, D(100), TODAY, consumed=((G, D(60)),))
    assert requirements([taken_all], recipes, [], {G: Buying()}, TODAY).materials == ()


def test_needs_round_up_as_the_unit_is_counted() -> None:
    """Cores at 0.004 per metre with 2 % scrap: 1,234 m need 5.03472 cores, so 6."""
    recipes = {10: (Step(1, "slitting", (Use(CORE, D("0.004"), D(2)),)),)}
    (plan,) = requirements([Demand("A", 10, D(1234), day(1))], recipes, [], {CORE: Buying(decimals=0)}, TODAY).materials
    assert plan.needed == D(6) and plan.missing == D(6)
    assert rounded_up(D("5.03472"), 0) == D("6.000") and rounded_up(D("1.0001"), 3) == D("1.001")


def test_the_proposal_buys_the_missing_part_up_to_the_reorder_level_less_the_drafts() -> None:
    assert proposal(D(130), D(0), Buying(D(0), D(100), 3, D(50))) == D(100)  # 80, but at least 100
    assert proposal(D("80.2"), D(0), Buying(decimals=0)) == D(81)
    assert proposal(D(0), D(300), Buying(D(1000))) == D(700)  # back up to the reorder level
    assert proposal(D(0), D(300), Buying(D(1000), drafted=D(700))) == D(0)
    assert proposal(D(50), D(0), Buying(bought=False)) == D(0)  # only the plant makes it


def test_a_material_below_its_reorder_level_is_listed_without_needs() -> None:
    """No order needs the cores, but 800 are left of a reorder level of 2,000: buy 1,200. A material with no
    stock at all and a level of 500 is listed too; one above its level is not."""
    lots = [Lot(CORE, D(800), Supply.STOCK, TODAY, None, "C-1"), Lot(G, D(900), Supply.STOCK, TODAY, None, "R-1")]
    buying = {CORE: Buying(D(2000), decimals=0), ADH: Buying(D(500)), G: Buying(D(500))}
    plans = by_material(requirements([], {}, lots, buying, TODAY))
    assert set(plans) == {CORE, ADH}
    assert (plans[CORE].cover, plans[CORE].proposed, plans[CORE].bites_on) == (Cover.REORDER, D(1200), None)
    assert plans[ADH].proposed == D(500)


def test_covered_only_if_released() -> None:
    """300 kg needed, nothing usable, 500 kg waiting for release: covered if released, 200 kg left."""
    recipes = {10: (Step(1, "extrusion", (Use(G, D(1)),)),)}
    lots = [Lot(G, D(500), Supply.PENDING, TODAY, None, "R-9")]
    (plan,) = requirements([Demand("A", 10, D(300), day(2))], recipes, lots, {G: Buying()}, TODAY).materials
    assert (plan.cover, plan.needs[0].pending, plan.left, plan.proposed) == (Cover.RELEASE, D(300), D(200), D(0))


def test_the_plan_sequence_decides_who_gets_stock_first_on_one_day() -> None:
    """Two orders on the same day, 100 kg in stock, 80 kg each: the one the plan runs first gets it all;
    moving the other ahead on the board gives the stock to it instead."""
    recipes = {10: (Step(1, "extrusion", (Use(G, D(1)),)),)}
    lots = [Lot(G, D(100), Supply.STOCK, TODAY, None, "R-1")]
    first = [Demand("A", 10, D(80), day(1), position=1), Demand("B", 10, D(80), day(1), position=2)]
    (plan,) = requirements(first, recipes, lots, {G: Buying()}, TODAY).materials
    assert plan.delays == ("B",)
    swapped = [Demand("A", 10, D(80), day(1), position=2), Demand("B", 10, D(80), day(1), position=1)]
    (plan,) = requirements(swapped, recipes, lots, {G: Buying()}, TODAY).materials
    assert plan.delays == ("A",)


def test_orders_without_a_recipe_are_named_and_the_worst_come_first() -> None:
    recipes = {10: (Step(1, "extrusion", (Use(G, D(1)),)),), 11: (Step(1, "printing", (Use(INK, D(1)),)),)}
    demands = [Demand("A", 10, D(10), day(5)), Demand("B", 11, D(10), day(2)), Demand("C", 99, D(5), day(1))]
    lots = [Lot(PET, D(10), Supply.STOCK, TODAY, None, "P-1")]
    result = requirements(demands, recipes, lots, {G: Buying(), INK: Buying(), PET: Buying(D(50))}, TODAY)
    assert result.without_recipe == ("C",)
    assert [(p.material, p.cover, p.bites_on) for p in result.materials] == [
        (INK, Cover.SHORT, day(2)),
        (G, Cover.SHORT, day(5)),
        (PET, Cover.REORDER, None),
    ]


def test_the_time_phased_view_runs_a_balance() -> None:
    """Stock 300 today; a purchase order of 400 on day 2; needs of 520 on day 1 and 260 on day 3."""
    recipes = {10: (Step(1, "extrusion", (Use(G, D("0.52")),)),)}
    demands = [Demand("A", 10, D(1000), day(1)), Demand("B", 10, D(500), day(3))]
    lots = [Lot(G, D(300), Supply.STOCK, TODAY, None, "R-1"), Lot(G, D(400), Supply.ORDERED, day(2), None, "PO-7")]
    (plan,) = requirements(demands, recipes, lots, {G: Buying()}, TODAY).materials
    phases = timeline(plan, TODAY)
    assert [(p.on, p.supply, p.reference, p.change, p.balance, p.short) for p in phases] == [
        (TODAY, Supply.STOCK, "1", D(300), D(300), D(0)),
        (day(1), None, "A", D(-520), D(-220), D(220)),
        (day(2), Supply.ORDERED, "PO-7", D(400), D(180), D(0)),
        (day(3), None, "B", D(-260), D(-80), D(80)),
    ]
