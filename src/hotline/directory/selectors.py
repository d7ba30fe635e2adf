"""Reads of the directory for pages: intake choices, the unit picker's grouped tree."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Model

from hotline.directory.models import Category, DispatchRule, Region, Unit

if TYPE_CHECKING:  # the directory does not import the work orders at run time
    from hotline.workorders.models import WorkOrder

Choices = list[tuple[object, object]]


def intake_taxonomy() -> str:
    """The classification the operator desk offers: settings.HOTLINE_INTAKE_TAXONOMY when it is loaded,
    otherwise the first taxonomy that has any category."""
    wanted = getattr(settings, "HOTLINE_INTAKE_TAXONOMY", "yueyang")
    if Category.objects.filter(taxonomy=wanted).exists():
        return str(wanted)
    first = Category.objects.order_by("id").values_list("taxonomy", flat=True).first()
    return first or wanted


def category_roots(taxonomy: str) -> list[Category]:
    return list(Category.objects.filter(taxonomy=taxonomy, parent__isnull=True).order_by("id"))


def intake_placement(category_ids: list[int]) -> dict[int, tuple[int, int | None]]:
    """Where each category goes on the intake form: (一级分类 id, 二级分类 id or None), for categories of
    the intake taxonomy at the first or second level; others are left out (they cannot be chosen there)."""
    rows = Category.objects.filter(pk__in=category_ids, taxonomy=intake_taxonomy()).values_list(
        "pk", "parent_id", "parent__parent_id")
    return {pk: (pk, None) if parent is None else (parent, pk) for pk, parent, grand in rows if grand is None}


def category_children(parent_id: int) -> list[Category]:
    return list(Category.objects.filter(parent_id=parent_id).order_by("id"))


def category_subtree_ids(root_id: int) -> set[int]:
    """A category and all categories under it."""
    ids, frontier = {root_id}, {root_id}
    while frontier:
        frontier = set(Category.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - ids
        ids |= frontier
    return ids


def region_choices() -> Choices:
    """Counties (and deeper levels, indented) grouped by city, for a <select> with optgroups."""
    regions = list(Region.objects.order_by("code"))
    by_parent: dict[int | None, list[Region]] = {}
    for r in regions:
        by_parent.setdefault(r.parent_id, []).append(r)
    grouped: Choices = []
    for city in by_parent.get(None, []):
        options: list[tuple[int, str]] = []
        _walk(by_parent, city.pk, 0, options)
        grouped.append((city.name, options or [(city.pk, city.name)]))
    return grouped


def _walk(by_parent: dict[int | None, list[Region]], parent: int, depth: int, out: list[tuple[int, str]]) -> None:
    for r in by_parent.get(parent, []):
        out.append((r.pk, "\u3000" * depth + r.name))
        _walk(by_parent, r.pk, depth + 1, out)


def unit_choices() -> Choices:
    """Active units grouped by 县市区 / 园区 / 市直单位 / 公共服务企业, sub-units indented under their unit."""
    units = list(Unit.objects.filter(active=True).only("id", "name", "group", "parent_id").order_by("code"))
    ids = {u.pk for u in units}
    children: dict[int, list[Unit]] = {}
    for u in units:
        if u.parent_id in ids:
            children.setdefault(u.parent_id, []).append(u)  # type: ignore[arg-type]
    grouped: Choices = []
    for group, label in Unit.Group.choices:
        options: list[tuple[int, str]] = []
        for top in (u for u in units if u.group == group and u.parent_id not in ids):
            options.append((top.pk, top.name))
            _sub_units(children, top.pk, 1, options)
        if options:
            grouped.append((label, options))
    return grouped


def _sub_units(children: dict[int, list[Unit]], parent: int, depth: int, out: list[tuple[int, str]]) -> None:
    for u in children.get(parent, []):
        out.append((u.pk, "\u3000" * depth + "└ " + u.name))
        _sub_units(children, u.pk, depth + 1, out)


# --- dispatch rules: category x region -> suggested unit -----------------------------------------

def suggest_unit(order: "WorkOrder") -> Unit | None:
    """The unit the rule table suggests for one order (see suggest_units)."""
    return suggest_units([order]).get(order.pk)


def suggest_units(orders: Sequence["WorkOrder"]) -> dict[int, Unit]:
    """Suggested unit per order id, from the most specific rule: the order's own category before its parent
    categories, and for each category its region, then the region's parents, then the any-region rule.
    A few queries for a whole page of orders, whatever its size."""
    rules = {(r.category_id, r.region_id): r.unit for r in
             DispatchRule.objects.filter(unit__active=True).select_related("unit").order_by()}
    if not rules:
        return {}
    cat_up = _ancestors(Category, (o.category_id for o in orders))
    reg_up = _ancestors(Region, (o.region_id for o in orders))
    out: dict[int, Unit] = {}
    for order in orders:
        regions = [*_chain(order.region_id, reg_up), None]
        for cat in _chain(order.category_id, cat_up):
            unit = next((rules[(cat, reg)] for reg in regions if (cat, reg) in rules), None)
            if unit is not None:
                out[order.pk] = unit
                break
    return out


def _ancestors(model: type[Model], ids: Iterable[int | None]) -> dict[int, int | None]:
    """id -> parent id for the given nodes and all their ancestors (one query per tree level)."""
    parents: dict[int, int | None] = {}
    todo = {i for i in ids if i is not None}
    while todo:
        rows = dict(model._default_manager.filter(pk__in=todo).order_by().values_list("id", "parent_id"))
        parents.update(rows)
        todo = {p for p in rows.values() if p is not None and p not in parents}
    return parents


def _chain(node: int | None, parents: dict[int, int | None]) -> list[int]:
    chain: list[int] = []
    while node is not None and node not in chain:
        chain.append(node)
        node = parents.get(node)
    return chain
