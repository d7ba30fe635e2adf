"""duplicate_candidates: same phone with an open case, near-identical content nearby, scoped to the user."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hotline.directory.models import Region
from hotline.intelligence.places import places
from hotline.intelligence.selectors import duplicate_candidates
from hotline.workorders.models import Status, WorkOrder

NOISE = "丽发新城小区附近的搅拌站每天夜间施工，噪音很大，严重影响居民休息，请相关部门尽快处理。"


@pytest.fixture
def region(db):
    return Region.objects.create(name="甲区", code="R-A", level="county")


def test_same_phone_with_an_open_case_comes_first_with_its_reason(city):
    old = city.dispatched(citizen_phone="13900000001", content="路灯不亮")
    out = duplicate_candidates(city.user("operator"), phone="13900000001", text="小区门口积水严重")
    assert [(c.number, c.reason) for c in out] == [(old.number, "同一电话")]


def test_closed_case_with_same_phone_is_not_a_candidate(city):
    old = city.dispatched(citizen_phone="13900000001", content="路灯不亮")
    WorkOrder.objects.filter(pk=old.pk).update(status=Status.CLOSED)
    assert duplicate_candidates(city.user("operator"), phone="13900000001", text="小区门口积水严重") == []


def test_near_identical_content_in_same_region_names_the_place_and_similarity(city, region):
    old = city.dispatched(citizen_phone="13900000001", content=NOISE, region=region)
    city.dispatched(citizen_phone="13900000002", content="学校门口交通拥堵，接送孩子很不方便。", region=region)
    retold = "再次反映：丽发新城小区附近搅拌站每天夜间施工，噪音很大，严重影响居民休息，请尽快处理！"
    out = duplicate_candidates(city.user("operator"), phone="13700000000", text=retold, region=region.pk)
    assert [c.number for c in out] == [old.number]
    assert out[0].reason.startswith("同一地点，相似度 ") and out[0].reason.endswith("%")
    assert out[0].similarity >= 0.6


def test_content_older_than_30_days_or_in_another_region_is_not_compared(city, region):
    other = Region.objects.create(name="乙区", code="R-B", level="county")
    long_ago = timezone.now() - dt.timedelta(days=40)
    city.dispatched(citizen_phone="13900000001", content=NOISE, region=region, at=long_ago)
    city.dispatched(citizen_phone="13900000002", content=NOISE, region=other)
    assert duplicate_candidates(city.user("operator"), text=NOISE, region=region.pk) == []


def test_unit_handler_sees_only_own_units_candidates(city):
    mine = city.dispatched(unit=city.unit_a, content=NOISE, citizen_phone="13900000001")
    city.dispatched(unit=city.unit_b, content=NOISE, citizen_phone="13900000002")
    out = duplicate_candidates(city.user("handler_a"), text=NOISE)
    assert [c.number for c in out] == [mine.number]
    assert duplicate_candidates(city.user("handler_b"), phone="13900000001", text="别的事") == []


def test_unit_handler_is_not_told_a_confidential_citizen_shares_a_phone(city):
    city.dispatched(unit=city.unit_a, content="路灯不亮", citizen_phone="13900000001", confidential=True)
    assert duplicate_candidates(city.user("handler_a"), phone="13900000001", text="别的事") == []
    assert len(duplicate_candidates(city.user("operator"), phone="13900000001", text="别的事")) == 1


def test_place_names_are_extracted_from_text():
    assert "丽发新城" in places("A市A2区丽发新城建搅拌站噪音扰民")
    assert "联丰路" in places("座落在A市A3区联丰路米兰春天G2栋320")
