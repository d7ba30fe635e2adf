"""Where simulated cases happen: the city's counties and streets from the directory's regions, and the
county each responsible unit stands for."""
from __future__ import annotations

import random
from dataclasses import dataclass

from hotline.directory.models import Region, Unit

URBAN_DEPARTMENT_COUNTIES: dict[str | None, float] = {"雨湖区": 45, "岳塘区": 45, None: 10}  # where Xiangtan's city-wide units' cases are


@dataclass(frozen=True)
class Place:
    code: str | None
    address: str


class Places:
    def __init__(self, *, city: str, region_code: str, roads: list[str], urban: list[str],
                 departments_unattributed: bool) -> None:
        root = Region.objects.filter(code=region_code).first()
        self.city_name = root.name if root else ""
        self.counties: dict[str, str] = {}  # name -> code
        self.streets: dict[str, list[tuple[str, str]]] = {}  # county name -> [(code, name)]
        if root is not None:
            for r in Region.objects.filter(parent=root, level=Region.Level.COUNTY).order_by("code"):
                self.counties[r.name] = r.code
                self.streets[r.name] = list(Region.objects.filter(parent=r, level=Region.Level.STREET)
                                            .order_by("code").values_list("code", "name"))
        self.roads, self.urban = roads, set(urban)
        self.unit_county: dict[str, str | None] = {}
        self.groups: dict[str, str] = {}
        for code, name, group, region in Unit.objects.filter(city=city).values_list(
                "code", "name", "group", "region__name").order_by("code"):
            self.groups[code] = group
            county = region if region in self.counties else None
            if county is None and group in (Unit.Group.COUNTY, Unit.Group.PARK):
                county = next((c for c in self.counties if name.startswith(c[:-1])), None)
            self.unit_county[code] = county
        self.weights: dict[str | None, float] = {}
        self.departments_unattributed = departments_unattributed

    def set_weights(self, county_due: dict[str, int]) -> None:
        self.weights = {c: float(n) for c, n in county_due.items() if n}

    def county_for(self, rng: random.Random, unit: str) -> tuple[str | None, str | None]:
        county = self.unit_county.get(unit)
        if county is not None:
            return county, None
        choices: dict[str | None, float] = dict(URBAN_DEPARTMENT_COUNTIES) if self.departments_unattributed else (
            self.weights or {c: 1.0 for c in self.counties})
        keys = list(choices)
        return rng.choices(keys, weights=[choices[k] for k in keys])[0], None

    def place(self, rng: random.Random, county: str | None, street: str | None) -> Place:
        if county is None or county not in self.counties:
            return Place(None, "")
        streets = self.streets.get(county, [])
        chosen = next((s for s in streets if s[1] == street), None) if street else None
        if chosen is None and streets and rng.random() < 0.7:
            chosen = rng.choice(streets)
        address = self.city_name + county + (chosen[1] if chosen else "")
        if county in self.urban and self.roads:
            address += f"{rng.choice(self.roads)}{rng.randint(1, 399)}号"
        return Place(chosen[0] if chosen else self.counties[county], address)
