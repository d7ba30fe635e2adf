"""Hot topics (grouping and naming), surge detection, and their scoped selectors."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from django.utils import timezone

from hotline.intelligence import surges
from hotline.intelligence.hotspots import Message, hot_topics
from hotline.intelligence.selectors import hot_topics as hot_topics_for, surge_alerts

NOISE = ["A2区丽发新城附近搅拌站噪音扰民", "投诉丽发新城小区旁边搅拌站噪音扰民", "丽发新城搅拌站夜间施工噪音扰民",
         "丽发新城搅拌站噪音扰民严重", "再次投诉丽发新城搅拌站噪音扰民"]
PARKING = ["伊景园滨河苑捆绑销售车位", "关于伊景园滨河苑捆绑销售车位的投诉", "伊景园滨河苑强制捆绑销售车位"]
OTHER = ["学校门口交通拥堵", "医院挂号难", "公交线路调整建议", "社保卡补办流程", "路灯不亮"]


def _messages() -> list[Message]:
    titles = NOISE + PARKING + OTHER
    return [Message(id=str(i), title=t, content=t + "，请尽快处理。") for i, t in enumerate(titles)]


def test_messages_on_one_matter_form_one_topic_named_by_place_and_problem():
    topics = hot_topics(_messages(), min_count=3)
    assert [t.count for t in topics] == [5, 3]
    assert sorted(topics[0].ids) == ["0", "1", "2", "3", "4"]
    assert topics[0].place == "丽发新城" and "搅拌站" in topics[0].problem and "噪音" in topics[0].problem
    assert topics[1].place == "伊景园滨河苑" and "车位" in topics[1].problem


def test_unrelated_messages_make_no_topic():
    assert hot_topics([Message(id=str(i), title=t, content=t) for i, t in enumerate(OTHER)]) == []


def test_poisson_surge_flags_a_jump_not_the_usual_level():
    day = dt.date(2024, 5, 20)
    counts = surges.daily_counts(
        [(day - dt.timedelta(days=d), ["分类：供水"]) for d in range(1, 29) for _ in range(3)]
        + [(day - dt.timedelta(days=d), ["地点：岳阳楼"]) for d in range(1, 29)]
        + [(day, ["分类：供水"])] * 4 + [(day, ["地点：岳阳楼"])] * 12)
    flagged = surges.detect(counts, days=[day])
    assert [(s.key, s.count) for s in flagged] == [("地点：岳阳楼", 12)]


def test_a_new_key_needs_a_crowd():
    day = dt.date(2024, 5, 20)
    assert surges.detect(surges.daily_counts([(day, ["地点：新地方"])] * 4), days=[day]) == []
    assert len(surges.detect(surges.daily_counts([(day, ["地点：新地方"])] * 8), days=[day])) == 1


def test_hot_topics_selector_lists_case_numbers_scoped_to_the_user(city):
    mine = [city.dispatched(unit=city.unit_a, title=t, content=t) for t in NOISE[:3]]
    for t in NOISE[3:] + OTHER:
        city.dispatched(unit=city.unit_b, title=t, content=t)
    today = timezone.localdate()
    everything = hot_topics_for(city.user("leader"), start=today, end=today)
    assert everything[0].count == 5 and "丽发新城" in everything[0].name
    own = hot_topics_for(city.user("handler_a"), start=today, end=today)
    assert [sorted(t.numbers) for t in own] == [sorted(o.number for o in mine)]


def test_surge_alerts_are_for_supervisor_and_leader_only(city):
    for _ in range(8):
        city.dispatched(title="岳阳楼景区停车难", content="岳阳楼景区停车难", address="岳阳楼景区")
    today = timezone.localdate()
    keys = Counter(s.key for s in surge_alerts(city.user("leader"), day=today))
    assert keys["地点：岳阳楼景区"] == 1
    assert surge_alerts(city.user("supervisor"), day=today)
    assert surge_alerts(city.user("operator"), day=today) == []
    assert surge_alerts(city.user("handler_a"), day=today) == []


def test_growth_compares_the_halves_of_the_period_so_far(city):
    """A topic whose cases all came in the later half of the month so far is rising, however close together."""
    import datetime as dt

    from django.utils import timezone

    from hotline.intelligence.selectors import hot_topics

    today = timezone.localdate()
    start = today - dt.timedelta(days=10)
    for t in NOISE:
        city.dispatched(unit=city.unit_a, title=t, content=t)
    [topic] = [t for t in hot_topics(city.user("supervisor"), start=start, end=today) if "丽发新城" in t.name]
    assert topic.growth == 1
