"""Reads of the directory for pages: intake choices, the unit picker's grouped tree."""
from __future__ import annotations

from django.conf import settings

from hotline.directory.models import Category, Region, Unit

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


def category_children(parent_id: int) -> list[Category]:
    return list(Category.objects.filter(parent_id=parent_id).order_by("id"))


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
