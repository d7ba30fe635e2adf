"""`hotline simulate`: prepare the directory, plan the month, stream its cases through the import path.

Lines are written in chunks to temporary files, each loaded with `workorders.exchange.import_cases`
(the path real data takes: whole-chunk validation, then batched inserts), so memory stays bounded
whatever the scale. The whole run is one database transaction: a failure leaves nothing behind.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
import resource
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from hotline.directory.models import AppealType, Role, Unit, User
from hotline.directory.seeds import city_profile, seed_city
from hotline.simulate.cases import Staff
from hotline.simulate.generator import Generator, dumps
from hotline.simulate.history import month_start
from hotline.simulate.month import MonthPlan, Windows, allocate_days, build_units, fill_items, make_period, \
    subject_mixes
from hotline.simulate.places import Places
from hotline.simulate.plant import parse, plant
from hotline.simulate.pools import Intake, build_intake
from hotline.simulate.spec import MonthSpec, SimulationError, load_spec
from hotline.simulate.specials import forced_items, plan_specials
from hotline.simulate.text import Writer
from hotline.simulate.timeline import Clock
from hotline.workcalendar.models import CalendarYear, DeadlineRule
from hotline.workcalendar.services import load_official_year, official_years, seed_default_rules
from hotline.workorders.exchange import header, import_cases, refresh_statistics
from hotline.workorders.models import Event, WorkOrder
from hotline.workorders.runs import record_simulation

MAX_HISTORY = 12
STAFF_SIZES = {Role.OPERATOR: 24, Role.DISPATCHER: 6, Role.REVIEWER: 4, Role.CALLBACK: 8, Role.SUPERVISOR: 3}


@dataclass
class RunResult:
    cases: int = 0
    loaded: int = 0
    events: int = 0
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    notes: list[str] = field(default_factory=list)
    plan: MonthPlan | None = None
    months: set[str] = field(default_factory=set)  # YYYY-MM of every loaded case's received_at


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(spec: MonthSpec, notes: list[str]) -> Staff:
    """The city's units, the calendar years and deadline rules the month needs, the simulated staff."""
    report = seed_city(city=spec.city)
    if report.created:
        notes.append(f"seeded {report.created} units of {spec.city}")
    years = {spec.month.year - 1, spec.month.year, spec.month.year + (spec.month.month == 12)}
    loaded = set(CalendarYear.objects.values_list("year", flat=True))
    for year in sorted(years - loaded):
        if year in official_years():
            load_official_year(year=year)
            notes.append(f"loaded the official calendar of {year}")
    if not DeadlineRule.objects.exists():
        seed_default_rules()
        notes.append("seeded the default deadline rules")
    return ensure_staff(spec.city)


def ensure_staff(city: str) -> Staff:
    prefix = city_profile(city)["code_prefix"].lower()
    names: dict[str, list[str]] = {role: [f"sim-{prefix}-{role[:3]}{i:02d}" for i in range(1, n + 1)]
                                   for role, n in STAFF_SIZES.items()}
    leader = f"sim-{prefix}-leader"
    wanted: list[User] = []
    for role, usernames in names.items():
        wanted += [User(username=u, role=role, first_name=f"{Role(role).label}{u[-2:]}") for u in usernames]
    wanted.append(User(username=leader, role=Role.LEADER, first_name="接听日领导"))
    for unit in Unit.objects.filter(city=city).order_by("code"):
        wanted.append(User(username=Staff.handler(unit.code), role=Role.UNIT_HANDLER, unit=unit,
                           first_name=f"{unit.name}工单办理专员"[:150]))
    existing = set(User.objects.filter(username__in=[u.username for u in wanted]).values_list("username", flat=True))
    missing = [u for u in wanted if u.username not in existing]
    for u in missing:
        u.password = "!"  # unusable: simulated staff never log in
    User.objects.bulk_create(missing)
    return Staff(names[Role.OPERATOR], names[Role.DISPATCHER], names[Role.REVIEWER], names[Role.CALLBACK],
                 names[Role.SUPERVISOR], leader)


def build(spec: MonthSpec, seed: int, staff: Staff, history: int = 0) -> tuple[Generator, MonthPlan, dict[str, Intake]]:
    rng = random.Random(f"{seed}:{spec.key}:{spec.scale}:plan")
    clock = Clock(dict(AppealType.objects.values_list("code", "id")))
    units = Unit.objects.filter(city=spec.city)
    names = dict(units.values_list("code", "name"))
    groups = dict(units.values_list("code", "group"))
    city_mix, rules = subject_mixes(spec)
    plan = MonthPlan(spec, make_period(spec), clock, names, groups, build_units(spec, rng, city_mix, rules),
                     city_mix)
    appeal_codes = {box: sorted(conf.get("appeal_types") or ["complaint"]) for box, conf in spec.raw["boxes"].items()}
    windows = Windows(plan, appeal_codes)
    fill_items(plan, forced_items(plan))
    plan_specials(plan, windows, rng)
    allocate_days(plan, windows, rng)
    profile = city_profile(spec.city)
    places = Places(city=spec.city, region_code=profile["region"], roads=spec.raw.get("roads", []),
                    urban=spec.raw.get("urban", []),
                    departments_unattributed=bool(spec.box("hotline").get("departments_unattributed")))
    county_due: Counter[str] = Counter()
    for (box, code), up in plan.units.items():
        county = places.unit_county.get(code)
        if box == "hotline" and county:
            county_due[county] += up.target.due
    places.set_weights(dict(county_due))
    intake = {box: build_intake(plan, box, dict(county_due)) for box in spec.boxes}
    writer = Writer(city=places.city_name or profile["name"], area_code=spec.raw.get("area_code", ""),
                    counties=list(places.counties), roads=spec.raw.get("roads", []) or ["中心路"])
    return Generator(plan, intake, places, writer, staff, seed, history), plan, intake


def check_free(plan: MonthPlan, history: int = 0) -> None:
    """Refuse to write over existing cases: every case number the month could use must be free."""
    first = min([plan.period.start.date() - dt.timedelta(days=31), month_start(plan.period.start.date(), history)] + [
        dt.date.fromisoformat(sp.old_month + "-01") for sp in plan.specials if sp.old_month])
    last = plan.period.cutoff.date()
    for prefix in ("RX", "XX"):
        clash = WorkOrder.objects.filter(number__gte=f"{prefix}{first:%Y%m%d}",
                                         number__lte=f"{prefix}{last:%Y%m%d}999999").order_by("number").first()
        if clash is not None:
            raise SimulationError(
                f"数据库中已有 {first}–{last} 期间的工单（如 {clash.number}），模拟数据会与之冲突；"
                "请在空数据库中运行（设置另一个 HOTLINE_DATA_DIR）", field="month")


def run(*, city: str, month: str, scale: Decimal, seed: int, out: Path | None = None, load: bool = True,
        chunk: int = 20000, history: int = 0, progress: IO[str] | None = None,
        plants: list[str] | None = None) -> RunResult:
    started = time.monotonic()
    spec = load_spec(city=city, month=month, scale=scale)
    plant(spec, [parse(p) for p in plants or []])
    result = RunResult()
    if chunk < 1:
        raise SimulationError("--chunk must be at least 1", field="chunk")
    if not 0 <= history <= MAX_HISTORY:
        raise SimulationError(f"--history must be 0 to {MAX_HISTORY} months", field="history")
    with transaction.atomic():
        staff = prepare(spec, result.notes)
        generator, plan, intake = build(spec, seed, staff, history)
        result.plan = plan
        for box, it in intake.items():
            result.notes += [f"{box}: {s}" for s in it.shortfalls]
        if load:
            check_free(plan, history)
        estimate = (1 + history) * sum(it.received for it in intake.values()) + sum(
            n for up in plan.units.values() for s, n in up.sigs.items() if s.origin != "may")
        with tqdm(total=estimate, unit="case", desc="simulate", file=progress, disable=progress is None,
                  mininterval=0.5) as bar:
            _stream(generator, out=out, load=load, chunk=chunk, result=result, bar=bar)
        if load:
            refresh_statistics()
            covered = [month_start(plan.period.start.date(), back).strftime("%Y-%m") for back in range(history, -1, -1)]
            record_simulation(label=f"simulate --city {city} --month {month} --scale {scale} --seed {seed} "
                                    f"--history {history}", digest=_digest(city, month, scale, seed, history),
                              months=covered, touches=result.months, cases=result.loaded,
                              started_at=timezone.now() - dt.timedelta(seconds=time.monotonic() - started))
    result.seconds = time.monotonic() - started
    result.peak_rss_mb = peak_rss_mb()
    return result


def _digest(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _stream(generator: Generator, *, out: Path | None, load: bool, chunk: int, result: RunResult,
            bar: Any) -> None:
    """Write each line as it comes to the --out file and to the current chunk file; load full chunks."""
    head = (dumps(header(box=None, date_from=None, date_to=None)) + "\n").encode()
    target = open(out, "wb") if out else None
    part: IO[bytes] | None = None
    in_part = 0
    try:
        if target:
            target.write(head)
        for line in generator.lines():
            text = (dumps(line) + "\n").encode()
            result.cases += 1
            if target:
                target.write(text)
            if load:
                if part is None:
                    # Anonymous (already unlinked) temporary file: the citizens' data in it cannot outlive
                    # the process, even one killed with SIGKILL.
                    part = tempfile.TemporaryFile(prefix="hotline-simulate-")
                    part.write(head)
                part.write(text)
                in_part += 1
                if in_part >= chunk:
                    _load(part, result)
                    part.close()
                    part, in_part = None, 0
            bar.update(1)
        if part is not None:
            _load(part, result)
    finally:
        if target:
            target.close()
        if part is not None:
            part.close()


def _load(part: IO[bytes], result: RunResult) -> None:
    loaded = import_cases(part, batch_size=1000)
    result.months |= loaded.months
    if not loaded.ok:
        problems = "; ".join(str(i) for i in loaded.issues[:5])
        raise SimulationError(f"the import refused simulated cases: {problems}", field="import")
    result.loaded += loaded.loaded
    result.events += loaded.events
