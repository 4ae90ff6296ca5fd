"""Material requirements: what the open orders need, by when, against what there is and what is coming.

    requirements(demands, recipes, lots, buying, today) -> Requirements

- `demands`: the open orders (`Demand`): how much is still to make, the day its materials must be
  there (a queued order's estimated start, a running order's today, a backlog order's due date),
  and for a running order what it has taken already.
- `recipes`: each product's steps in the order the film passes them (`Step`), each with the
  materials it takes per unit of the product (`Use`, scrap allowance included). The last step is
  the order's own run; an earlier one makes (`makes`) one of the plant's own materials a later step
  takes — printed film for the laminator, blown film for the press (`link_steps` finds which).
- `lots`: what covers needs (`Lot`): usable stock and stock waiting for release (both there today,
  good until their expiry), and what is still open on sent purchase orders (there on its due day).
- `buying`: per material its reorder level, the minimum a purchase order of it must be, how finely
  its unit is counted, what already sits on draft purchase orders, and whether it is bought at all.

Netting goes material by material, deepest last (each material after every material whose making
takes it), and within a material need by need in the order they fall due. A need takes, among what
has arrived by its day and has not expired by then, usable stock first, then purchase orders, then
stock waiting for release — each time what expires first. What no lot covers in time is covered late
by a purchase order arriving after the day (the order waits for it), else missing. A missing part
of one of the plant's own materials is made by the order's own earlier step that makes it: that
share of the step's materials becomes needs of them, on the same day, for the same order (the plant
keeps no separate schedule for its chain's earlier steps). An order's output goes to its customer
and is never counted as covering another order's need.

A material is short when a need of it is not covered in time, and the day it bites is the first
such need's; the orders it would delay are those needs' orders. It is covered only if released when
stock waiting for release covers a need in time; below its reorder level when what is left after
every need is less than the level. The proposed purchase buys what is missing (late purchase orders
still come, so they are not bought again) and brings what is left back up to the reorder level, less
what is drafted already, rounded up as the unit is counted and up to the minimum order quantity.

Quantities are exact decimals; each need is rounded up as its material's unit is counted, as the
consumption form proposes it. Nothing here reads a database or a clock.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_CEILING, Decimal
from functools import cached_property

from domain.vocabulary import QUANTITY_SCALE, Cover, Supply

ZERO = Decimal("0.000")
HUNDRED = Decimal(100)
TAKEN_IN_ORDER = (Supply.STOCK, Supply.ORDERED, Supply.PENDING)


@dataclass(frozen=True)
class Use:
    """A material a step takes per unit of the product, and the scrap allowed on top (percent)."""

    material: int
    per_unit: Decimal
    scrap_percent: Decimal = ZERO

    @cached_property
    def gross(self) -> Decimal:
        """Per unit of the product, scrap included (worked out once: every order of the product asks for it)."""
        return self.per_unit * (1 + self.scrap_percent / HUNDRED)


@dataclass(frozen=True)
class Step:
    number: int
    stage: str
    uses: tuple[Use, ...]
    makes: int | None = None  # the plant's own material it makes for a later step (None: the order's own run)


@dataclass(frozen=True)
class Demand:
    """An open order as requirements see it."""

    order: str
    product: int
    quantity: Decimal  # ordered
    needed_on: date  # its materials must be there by then
    position: int = 0  # needs falling due on one day are served in this order (the plan's sequence)
    consumed: tuple[tuple[int, Decimal], ...] = ()  # (material, quantity) its own run took already


@dataclass(frozen=True)
class Lot:
    """Something that covers needs of one material."""

    material: int
    quantity: Decimal
    supply: Supply
    available_on: date  # stock: today; a purchase order line: its due day
    expires_on: date | None = None
    reference: str = ""  # the batch's or purchase order's number


@dataclass(frozen=True)
class Buying:
    """What buying a material must respect."""

    reorder_level: Decimal = ZERO
    minimum_order: Decimal = ZERO  # of its supplier, for this material
    decimals: int = QUANTITY_SCALE  # how finely its unit is counted
    drafted: Decimal = ZERO  # on draft purchase orders already
    bought: bool = True  # False: only the plant makes it; nothing is proposed


@dataclass(frozen=True)
class Need:
    """One order's need of one material, and what covers it."""

    material: int
    order: str
    needed_on: date
    quantity: Decimal
    step: int  # the recipe step that takes it
    stock: Decimal = ZERO
    ordered: Decimal = ZERO  # by purchase orders arriving in time
    pending: Decimal = ZERO  # by stock once it is released
    made: Decimal = ZERO  # by the order's own earlier step (the plant's own materials)
    late: Decimal = ZERO  # by a purchase order arriving after the day
    missing: Decimal = ZERO

    @property
    def short(self) -> Decimal:
        """Not there in time."""
        return self.late + self.missing


@dataclass(frozen=True)
class MaterialPlan:
    material: int
    cover: Cover
    needed: Decimal
    stock: Decimal  # usable now
    pending: Decimal  # waiting for release
    ordered: Decimal  # open on sent purchase orders
    made: Decimal  # to be made by the orders' own earlier steps
    short: Decimal  # not there in time
    missing: Decimal  # covered by nothing, not even late
    late: Decimal  # covered only by purchase orders arriving after the need
    left: Decimal  # what is left after every need
    bites_on: date | None
    delays: tuple[str, ...]  # the orders whose needs are short, the first to fall due first
    proposed: Decimal
    needs: tuple[Need, ...]  # in the order they fall due
    lots: tuple[Lot, ...]


@dataclass(frozen=True)
class Requirements:
    materials: tuple[MaterialPlan, ...]  # the worst first: shortages by the day they bite
    without_recipe: tuple[str, ...] = ()  # open orders whose product has no recipe: nothing known of their needs


@dataclass(frozen=True)
class Phase:
    """A line of a material's time-phased view: something arrives or is needed, and what is left."""

    on: date
    supply: Supply | None  # None: a need
    reference: str  # the order, the purchase order, or how many batches
    change: Decimal
    balance: Decimal
    short: Decimal = ZERO


# ---------------------------------------------------------------- recipes


def link_steps(steps: Sequence[Step], made_at: Mapping[int, Iterable[str]]) -> tuple[Step, ...]:
    """The steps with each earlier step's `makes` filled in.

    `made_at`: the plant's own materials and the stages that make them (the stages of the products
    whose output they are). Going back from the last step, each step makes the own material a later
    step takes that its stage makes, the nearest later step's first; a step whose stage makes none of
    them makes the one the nearest later step still waits for. A step left with nothing to make makes
    nothing, and its materials count in full.
    """
    stages = {material: frozenset(found) for material, found in made_at.items()}
    waiting: list[tuple[int, int]] = []  # (index of the step that takes it, material), own materials not yet made
    linked = list(steps)
    for k in range(len(steps) - 1, -1, -1):
        step = steps[k]
        if k < len(steps) - 1 and waiting:
            fitting = [w for w in waiting if step.stage in stages.get(w[1], frozenset())]
            chosen = min(fitting or waiting)
            waiting.remove(chosen)
            linked[k] = replace(step, makes=chosen[1])
        else:
            linked[k] = replace(step, makes=None)
        waiting.extend((k, use.material) for use in step.uses if use.material in stages)
    return tuple(linked)


def levels(recipes: Mapping[int, Sequence[Step]]) -> dict[int, int]:
    """Each material's depth: one more than that of every own material whose making takes it.

    Netting a material only after all of those makes every need of it known before it is netted.
    A recipe that makes a material out of itself, directly or round about, stops deepening it.
    """
    edges = {
        (step.makes, use.material)
        for steps in recipes.values()
        for step in steps
        if step.makes is not None
        for use in step.uses
        if use.material != step.makes
    }
    depth: dict[int, int] = defaultdict(int)
    for _ in range(len({m for edge in edges for m in edge}) + 1):
        changed = False
        for parent, child in edges:
            if depth[child] < depth[parent] + 1:
                depth[child] = depth[parent] + 1
                changed = True
        if not changed:
            break
    return dict(depth)


# ---------------------------------------------------------------- netting


_STEPS = {places: Decimal(1).scaleb(-places) for places in range(QUANTITY_SCALE + 1)}
_SCALE = _STEPS[QUANTITY_SCALE]


def rounded_up(value: Decimal, decimals: int) -> Decimal:
    """As the unit is counted, never less (no order runs short by a gram); kept to the database's scale."""
    step = _STEPS.get(decimals) or Decimal(1).scaleb(-decimals)
    return value.quantize(step, rounding=ROUND_CEILING).quantize(_SCALE)


@dataclass
class _Want:
    """A need being netted: how much, and what netting it explodes into if the plant makes the material."""

    material: int
    demand: Demand
    needed_on: date
    quantity: Decimal
    full: Decimal  # the need for the whole ordered quantity: the share left over is the share of the step to run
    recipe: tuple[Step, ...]
    step: int  # index of the step that takes it


@dataclass
class _Held:
    """A lot and what is still untaken of it."""

    lot: Lot
    left: Decimal
    order: tuple[date, date, str] = field(default=(date.min, date.min, ""))

    def __lt__(self, other: _Held) -> bool:
        return self.order < other.order


def requirements(
    demands: Iterable[Demand],
    recipes: Mapping[int, Sequence[Step]],
    lots: Iterable[Lot],
    buying: Mapping[int, Buying],
    today: date,
) -> Requirements:
    steps_of = {product: tuple(steps) for product, steps in recipes.items() if steps}
    depth = levels(steps_of)
    wants, without = _own_runs(demands, steps_of, buying, today)
    held: dict[int, list[Lot]] = defaultdict(list)
    for lot in lots:
        if lot.quantity > 0:
            held[lot.material].append(lot)
    plans: list[MaterialPlan] = []
    netted: set[int] = set()
    queue = [(depth.get(m, 0), m) for m in wants]
    heapq.heapify(queue)
    queued = set(wants)
    while queue:
        _level, material = heapq.heappop(queue)
        netted.add(material)
        needs, made, left = _net(wants.pop(material), held.get(material, []), today)
        for want, share in made:
            for child in _explode(want, share, buying):
                if child.material in netted:
                    continue  # a recipe that makes a material out of itself: the loop stops here
                wants[child.material].append(child)
                if child.material not in queued:
                    queued.add(child.material)
                    heapq.heappush(queue, (depth.get(child.material, 0), child.material))
        plans.append(_material(material, needs, held.get(material, []), left, buying.get(material, Buying())))
    plans += _below_reorder(held, buying, netted)
    plans.sort(key=lambda p: (p.cover.rank, p.bites_on or date.max, -p.short, p.material))
    return Requirements(tuple(plans), tuple(without))


def _own_runs(
    demands: Iterable[Demand], recipes: Mapping[int, tuple[Step, ...]], buying: Mapping[int, Buying], today: date
) -> tuple[dict[int, list[_Want]], list[str]]:
    """Each order's own run's needs, less what it took already; and the orders whose product has no recipe."""
    wants: dict[int, list[_Want]] = defaultdict(list)
    without: list[str] = []
    for d in demands:
        recipe = recipes.get(d.product)
        if recipe is None:
            without.append(d.order)
            continue
        when = max(d.needed_on, today)
        taken = dict(d.consumed)
        own = len(recipe) - 1
        for use in recipe[own].uses:
            full = d.quantity * use.gross
            left = full - taken.get(use.material, ZERO)
            if left > 0:
                quantity = rounded_up(left, _decimals(buying, use.material))
                wants[use.material].append(_Want(use.material, d, when, quantity, full, recipe, own))
    return wants, without


def _below_reorder(held: Mapping[int, list[Lot]], buying: Mapping[int, Buying], netted: set[int]) -> list[MaterialPlan]:
    """The bought materials no order needs whose stock and what is coming lie below their reorder level."""
    plans = []
    for material, rules in buying.items():
        if material in netted or not rules.bought or rules.reorder_level <= 0:
            continue
        found = held.get(material, [])
        alone = _material(material, [], found, sum((lot.quantity for lot in found), ZERO), rules)
        if alone.cover is Cover.REORDER:
            plans.append(alone)
    return plans


def _decimals(buying: Mapping[int, Buying], material: int) -> int:
    rules = buying.get(material)
    return rules.decimals if rules is not None else QUANTITY_SCALE


def _net(wants: list[_Want], lots: list[Lot], today: date) -> tuple[list[Need], list[tuple[_Want, Decimal]], Decimal]:
    """Cover each need in the order they fall due. Returns the needs, the own-made shares to explode, and
    what is left after the last need of the lots that have not expired by its day."""
    wants.sort(key=lambda w: (w.needed_on, w.demand.position, w.demand.order, -w.step))
    arriving = sorted(
        (_Held(lot, lot.quantity, (lot.available_on, lot.expires_on or date.max, lot.reference)) for lot in lots),
        key=lambda h: h.order,
    )
    usable: dict[Supply, list[_Held]] = {supply: [] for supply in TAKEN_IN_ORDER}
    next_arrival = 0
    needs: list[Need] = []
    made: list[tuple[_Want, Decimal]] = []
    for want in wants:
        day = want.needed_on
        while next_arrival < len(arriving) and arriving[next_arrival].lot.available_on <= day:
            h = arriving[next_arrival]
            h.order = (h.lot.expires_on or date.max, h.lot.available_on, h.lot.reference)
            heapq.heappush(usable[h.lot.supply], h)
            next_arrival += 1
        still = want.quantity
        took: dict[Supply, Decimal] = {}
        for supply in TAKEN_IN_ORDER:
            heap = usable[supply]
            got = ZERO
            while still > 0 and heap:
                top = heap[0]
                if top.left <= 0 or (top.lot.expires_on is not None and top.lot.expires_on < day):
                    heapq.heappop(heap)  # used up, or expired before this need: no later need may take it either
                    continue
                take = min(top.left, still)
                top.left -= take
                got += take
                still -= take
            took[supply] = got
        late = ZERO
        for h in arriving[next_arrival:]:
            if still <= 0:
                break
            if h.lot.supply is Supply.ORDERED and h.left > 0:
                take = min(h.left, still)
                h.left -= take
                late += take
                still -= take
        own = ZERO
        if still > 0 and any(s.makes == want.material for s in want.recipe[: want.step]):
            own, still = still, ZERO
            made.append((want, own))
        needs.append(
            Need(
                want.material,
                want.demand.order,
                day,
                want.quantity,
                want.recipe[want.step].number,
                stock=took[Supply.STOCK],
                ordered=took[Supply.ORDERED],
                pending=took[Supply.PENDING],
                made=own,
                late=late,
                missing=still,
            )
        )
    horizon = wants[-1].needed_on if wants else today
    left = sum((h.left for h in arriving if h.lot.expires_on is None or h.lot.expires_on >= horizon), ZERO)
    return needs, made, left


def _explode(want: _Want, share: Decimal, buying: Mapping[int, Buying]) -> Iterable[_Want]:
    """The needs of the order's own earlier step that makes `share` of the material it is short of."""
    maker = max(i for i, s in enumerate(want.recipe[: want.step]) if s.makes == want.material)
    fraction = share / want.full
    d = want.demand
    for use in want.recipe[maker].uses:
        full = d.quantity * use.gross
        quantity = rounded_up(full * fraction, _decimals(buying, use.material))
        if quantity > 0:
            yield _Want(use.material, d, want.needed_on, quantity, full, want.recipe, maker)


def _material(material: int, needs: list[Need], lots: list[Lot], left: Decimal, rules: Buying) -> MaterialPlan:
    supply = {s: sum((lot.quantity for lot in lots if lot.supply is s), ZERO) for s in TAKEN_IN_ORDER}
    needed = sum((n.quantity for n in needs), ZERO)
    short_needs = [n for n in needs if n.short > 0]
    short = sum((n.short for n in short_needs), ZERO)
    missing = sum((n.missing for n in needs), ZERO)
    late = sum((n.late for n in needs), ZERO)
    delays = tuple(dict.fromkeys(n.order for n in short_needs))
    if short > 0:
        cover = Cover.SHORT
    elif any(n.pending > 0 for n in needs):
        cover = Cover.RELEASE
    elif rules.bought and rules.reorder_level > 0 and left < rules.reorder_level:
        cover = Cover.REORDER
    else:
        cover = Cover.COVERED
    return MaterialPlan(
        material=material,
        cover=cover,
        needed=needed,
        stock=supply[Supply.STOCK],
        pending=supply[Supply.PENDING],
        ordered=supply[Supply.ORDERED],
        made=sum((n.made for n in needs), ZERO),
        short=short,
        missing=missing,
        late=late,
        left=left,
        bites_on=short_needs[0].needed_on if short_needs else None,
        delays=delays,
        proposed=proposal(missing, left, rules),
        needs=tuple(needs),
        lots=tuple(sorted(lots, key=lambda lot: (lot.available_on, lot.supply.value, lot.reference))),
    )


def proposal(missing: Decimal, left: Decimal, rules: Buying) -> Decimal:
    """What to buy: the missing part, and back up to the reorder level, less what is drafted already;
    rounded up as the unit is counted, and at least the supplier's minimum order."""
    if not rules.bought:
        return ZERO
    wanted = missing + max(rules.reorder_level - left, ZERO) - rules.drafted
    if wanted <= 0:
        return ZERO
    return max(rounded_up(wanted, rules.decimals), rounded_up(rules.minimum_order, rules.decimals))


# ---------------------------------------------------------------- the time-phased view


def timeline(plan: MaterialPlan, today: date) -> tuple[Phase, ...]:
    """What arrives and what is needed, day by day, with what is left after each: usable stock and stock
    waiting for release as one line each today, every purchase order line on its due day, every need."""
    events: list[tuple[date, int, str, Supply | None, Decimal, Decimal]] = []
    for kind in (Supply.STOCK, Supply.PENDING):
        present = [lot for lot in plan.lots if lot.supply is kind]
        if present:
            total = sum((lot.quantity for lot in present), ZERO)
            events.append((today, 0, f"{len(present)}", kind, total, ZERO))
    for lot in plan.lots:
        if lot.supply is Supply.ORDERED:
            events.append((lot.available_on, 1, lot.reference, Supply.ORDERED, lot.quantity, ZERO))
    for need in plan.needs:
        events.append((need.needed_on, 2, need.order, None, -need.quantity, need.short))
    balance = ZERO
    phases = []
    for on, _kind, reference, supply, change, short in sorted(events, key=lambda e: (e[0], e[1])):
        balance += change
        phases.append(Phase(on, supply, reference, change, balance, short))
    return tuple(phases)


__all__ = [
    "Buying",
    "Demand",
    "Lot",
    "MaterialPlan",
    "Need",
    "Phase",
    "Requirements",
    "Step",
    "Use",
    "levels",
    "link_steps",
    "proposal",
    "requirements",
    "rounded_up",
    "timeline",
]
