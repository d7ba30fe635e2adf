"""Reference data for the directory and the per-city unit profiles.

Everything is read from package data (hotline/directory/data), never from the repository's shared
folder, so an installed product seeds itself. Every function only adds what is missing: a row that
already exists (perhaps corrected by an administrator) is left as it is, so seeding twice changes
nothing. Each public function runs in one transaction.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from django.db import transaction

from hotline.directory.models import AppealType, Category, Channel, Region, Tag, Unit

NATIONAL = "national"
YUEYANG = "yueyang"
CITIES = ("yueyang", "xiangtan")
GROUP_LETTERS: dict[str, str] = {
    Unit.Group.COUNTY: "C", Unit.Group.PARK: "P", Unit.Group.DEPARTMENT: "D", Unit.Group.ENTERPRISE: "E",
}
# Suffixes stripped from a unit's name to find its region (岳塘区人民政府 -> 岳塘区).
UNIT_NAME_SUFFIXES = ("人民政府", "管委会", "管理委员会")


class SeedError(ValueError):
    """Seed data cannot be applied; `field` names the offending input."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- package data ---------------------------------------------------------------------------------

def data_text(name: str) -> str:
    return (files("hotline.directory.data") / name).read_text(encoding="utf-8")


def data_csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data_text(name))))


def data_json(name: str) -> Any:
    return json.loads(data_text(name))


def city_profile(city: str) -> dict[str, Any]:
    profiles: dict[str, Any] = data_json("cities.json")
    if city not in profiles:
        raise SeedError(f"未知城市“{city}”，可选：{'、'.join(sorted(profiles))}", field="city")
    return profiles[city]


# --- reference lists ------------------------------------------------------------------------------

def _create_missing(model: Any, rows: Iterable[dict[str, Any]], key: str = "code") -> int:
    rows = list(rows)
    existing = set(model.objects.filter(**{f"{key}__in": [r[key] for r in rows]}).values_list(key, flat=True))
    missing = [model(**r) for r in rows if r[key] not in existing]
    model.objects.bulk_create(missing)
    return len(missing)


@transaction.atomic
def seed_channels() -> int:
    rows = data_csv("channels.csv")
    return _create_missing(Channel, (
        {"code": r["code"], "name": r["name"], "upper_platform": r["upper_platform"] == "1"} for r in rows
    ))


@transaction.atomic
def seed_appeal_types() -> int:
    return _create_missing(AppealType, data_csv("appeal_types.csv"))


@transaction.atomic
def seed_tags() -> int:
    return _create_missing(Tag, data_csv("tags.csv"))


@transaction.atomic
def seed_regions() -> int:
    """The city › county › street › community tree from regions.json."""
    created = 0
    existing = {r.code: r for r in Region.objects.all()}

    def walk(nodes: list[dict[str, Any]], parent: Region | None) -> None:
        nonlocal created
        for node in nodes:
            region = existing.get(node["code"])
            if region is None:
                region = Region.objects.create(
                    code=node["code"], name=node["name"], level=node["level"], parent=parent,
                )
                existing[region.code] = region
                created += 1
            walk(node.get("children", []), region)

    walk(data_json("regions.json")["regions"], None)
    return created


def _seed_tree(taxonomy: str, paths: Iterable[tuple[tuple[str, ...], bool]]) -> int:
    """Create the nodes of `paths` (name path from the root, hot flag of the leaf) that are missing."""
    nodes: dict[tuple[str, ...], Category] = {}
    path_of: dict[int, tuple[str, ...]] = {}
    for cat in Category.objects.filter(taxonomy=taxonomy).order_by("depth", "id"):
        parent_path = () if cat.parent_id is None else path_of.get(cat.parent_id)
        if parent_path is not None:
            path_of[cat.pk] = (*parent_path, cat.name)
            nodes[path_of[cat.pk]] = cat
    created = 0
    for path, hot in paths:
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            if key in nodes:
                continue
            leaf = depth == len(path)
            nodes[key] = Category.objects.create(
                taxonomy=taxonomy, name=key[-1], parent=nodes.get(key[:-1]), depth=depth, hot=hot and leaf,
            )
            created += 1
    return created


@transaction.atomic
def seed_categories() -> int:
    """The official three-level classification ("national") and Yueyang's two-level set ("yueyang")."""
    national = (
        ((r["一级分类"].strip(), r["二级分类"].strip(), r["三级分类"].strip()), False)
        for r in data_csv("taxonomy_national.csv")
    )
    yueyang = (((r["category"], r["item"]), r["hot"] == "1") for r in data_csv("categories_yueyang.csv"))
    return _seed_tree(NATIONAL, national) + _seed_tree(YUEYANG, yueyang)


@transaction.atomic
def seed_directory() -> dict[str, int]:
    """All city-independent reference data. Returns how many rows of each kind were created."""
    return {
        "channels": seed_channels(),
        "appeal_types": seed_appeal_types(),
        "tags": seed_tags(),
        "regions": seed_regions(),
        "categories": seed_categories(),
    }


# --- city profiles --------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitRow:
    name: str
    group: str
    code: str
    sources: tuple[str, ...]


@dataclass
class CityReport:
    city: str
    created: int = 0
    existing: int = 0
    linked_regions: int = 0
    # Names listed in more than one group in the calibration files: kept once, in the first group.
    folded: dict[str, list[str]] = field(default_factory=dict)


def city_unit_rows(city: str) -> tuple[list[UnitRow], dict[str, list[str]]]:
    """The union of a city's calibration unit lists, one row per unit name, with stable codes.

    A name listed in several groups (城陵矶新港区 in Yueyang's hotline table) is one body with one
    set of orders, so it becomes one unit in the first group it appears in; the other groups are
    returned in the second value. Codes are <prefix>-<group letter><position in group>, positions
    counted in file order (hotline file first), so the same files always give the same codes.
    """
    profile = city_profile(city)
    by_name: dict[str, tuple[str, list[str]]] = {}
    folded: dict[str, list[str]] = {}
    for file_name in profile["unit_files"]:
        for r in data_csv(f"calibration/{file_name}"):
            name, group = r["unit"].strip(), r["group"].strip()
            if group not in GROUP_LETTERS:
                raise SeedError(f"{file_name}: 单位“{name}”的分组“{group}”无效", field="group")
            if name not in by_name:
                by_name[name] = (group, [file_name])
                continue
            first_group, sources = by_name[name]
            if file_name not in sources:
                sources.append(file_name)
            if group != first_group:
                folded.setdefault(name, [first_group])
                if group not in folded[name]:
                    folded[name].append(group)
    counters: dict[str, int] = {}
    rows = []
    for name, (group, sources) in by_name.items():
        counters[group] = counters.get(group, 0) + 1
        code = f"{profile['code_prefix']}-{GROUP_LETTERS[group]}{counters[group]:03d}"
        rows.append(UnitRow(name=name, group=group, code=code, sources=tuple(sources)))
    return rows, folded


def _county_regions(city_region_code: str) -> dict[str, Region]:
    city_region = Region.objects.filter(code=city_region_code).first()
    if city_region is None:
        return {}
    return {r.name: r for r in Region.objects.filter(parent=city_region, level=Region.Level.COUNTY)}


def region_for_unit(name: str, counties: dict[str, Region]) -> Region | None:
    if name in counties:
        return counties[name]
    for suffix in UNIT_NAME_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in counties:
            return counties[name[: -len(suffix)]]
    return None


@transaction.atomic
def seed_city(*, city: str) -> CityReport:
    """Load one city's responsible units (and the reference data they rely on)."""
    profile = city_profile(city)
    seed_directory()
    rows, folded = city_unit_rows(city)
    counties = _county_regions(profile["region"])
    report = CityReport(city=city, folded=folded)
    existing = set(Unit.objects.filter(city=city).values_list("name", flat=True))
    for row in rows:
        if row.name in existing:
            report.existing += 1
            continue
        clash = Unit.objects.filter(code=row.code).first()
        if clash is not None:
            raise SeedError(
                f"编码 {row.code} 已被单位“{clash.name}”（{clash.city}）占用，无法创建“{row.name}”", field="code",
            )
        region = region_for_unit(row.name, counties)
        Unit.objects.create(name=row.name, code=row.code, city=city, group=row.group, region=region)
        report.created += 1
        report.linked_regions += region is not None
    return report
