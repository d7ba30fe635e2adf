"""Reply quality flags, and the reviewer's selector over a case's latest reply."""
from __future__ import annotations

from hotline.intelligence.replies import flags, relatedness, weak
from hotline.intelligence.selectors import reply_flags
from hotline.workorders.services import transition

APPEAL = "丽发新城小区附近搅拌站夜间施工噪音扰民，严重影响居民休息。"
GOOD = ("网友您好！您的留言已收悉。经调查，丽发新城附近搅拌站夜间施工属实，区城管局已责令该搅拌站停止夜间施工，"
        "并于5月10日前完成隔音整改，后续将加强巡查。感谢您对我们工作的支持、理解与监督！")


def _codes(**kw) -> set[str]:
    return {f.code for f in flags(**kw)}


def test_a_concrete_relevant_reply_has_no_flags():
    assert _codes(appeal=APPEAL, reply=GOOD) == set()


def test_short_reply_is_flagged_with_its_length():
    found = flags(appeal=APPEAL, reply="已收悉")
    assert "too_short" in {f.code for f in found} and weak(found)
    assert any("字" in f.reason for f in found if f.code == "too_short")


def test_reply_without_action_or_time_is_flagged():
    reply = "网友您好！关于丽发新城搅拌站噪音的问题，我们高度重视，会认真研究丽发新城搅拌站夜间施工噪音扰民的情况。"
    assert "no_action" in _codes(appeal=APPEAL, reply=reply)


def test_reply_about_something_else_is_flagged_off_topic():
    reply = "您反映的社保卡补办问题，已安排社保中心于3月5日前为您办理补卡手续，请携带身份证前往窗口。"
    found = flags(appeal=APPEAL, reply=reply)
    assert [f.code for f in found] == ["off_topic"] and not weak(found)


def test_boilerplate_and_missing_contact_are_flagged():
    assert {"boilerplate", "no_contact"} <= _codes(appeal=APPEAL, reply=GOOD, same_text_elsewhere=3,
                                                   contact_recorded=False)


def test_reviewer_sees_flags_of_the_latest_reply_and_another_unit_sees_none(city):
    order = city.dispatched(unit=city.unit_a, content=APPEAL)
    handler = city.user("handler_a")
    transition(order=order, action="accept", actor=handler)
    transition(order=order, action="reply", actor=handler, data={"text": "已收悉"})
    codes = {f.code for f in reply_flags(city.user("reviewer"), order=order)}
    assert {"too_short", "no_contact"} <= codes
    assert reply_flags(city.user("handler_b"), order=order) == []


def test_similarity_counts_characters_shared_by_near_synonyms():
    appeal = "幸福小区路灯坏了半个月，晚上一片漆黑。"
    reply = "网友您好！经查，该处灯具老化损坏，已安排维修人员于5月10日前全部更换灯具。"
    # 路灯 / 灯具 share no bigram; the shared 灯 and 坏 still count (bigrams alone gave 0 %)
    assert relatedness("路灯", "灯具") > 0
    assert relatedness(appeal, reply) > 0
    assert all("相似度 0%" not in f.reason for f in flags(appeal=appeal, reply=reply))
