"""Place names in appeal text: residential compounds, roads, schools, markets (a rule-based extractor).

Appeals name their place in a few shapes ("丽发新城小区", "书院路", "A7县泉塘街道"); a suffix list
catches most of them without a gazetteer, which a city can add later as data.
"""
from __future__ import annotations

import re

from hotline.intelligence.text import clean

SUFFIXES = (
    "小区", "花园", "家园", "新城", "新村", "公寓", "大厦", "广场", "商城", "市场", "苑", "府", "庭", "城",
    "街道", "大道", "路", "街", "巷", "村", "社区", "镇", "乡", "县", "区",
    "中学", "小学", "学校", "幼儿园", "学院", "大学", "医院", "卫生院", "公园", "车站", "工地", "搅拌站", "工厂",
)
_PLACE = re.compile(
    "((?:[A-Z]\\d{0,2}[区县市])?[\u4e00-\u9fffA-Za-z0-9]{1,8}?(?:" + "|".join(sorted(SUFFIXES, key=len, reverse=True))
    + "))"
)
# Words that end like a place but are not one.
_NOT_PLACE = frozenset({"小区", "社区", "街道", "市场", "学校", "医院", "城市", "农村", "工地", "公园", "地区", "城区",
                        "市区", "郊区", "景区", "辖区", "片区", "园区", "该小区", "我们小区", "本小区", "这个小区"})
# Words that cannot be inside a place name: a match never spans them.
_BREAK = re.compile(
    "的|在|是|了|和|与|及|对|说|到|从|向|给|把|被|让|将|于|希望|要求|请求|反映|投诉|举报|关于|位于|附近|旁边|门口|"
    "而|目前|地址|西地省|商品房|购买|购房|挨着|位置|一个|这个|整个|所有|我们|我家|本人|市委|政府|领导|部门|[0-9]+月|[0-9]+日|[0-9]+号"
)
_LEADING = re.compile("^(?:在|位于|我是|我们|我家|住在|关于|请问|反映|投诉|举报|市民|本人|您好|尊敬的|领导)+")


def places(text: str, limit: int = 6) -> list[str]:
    """Distinct place names in order of appearance (at most `limit`)."""
    out: list[str] = []
    for match in _PLACE.finditer(_BREAK.sub("|", clean(text).replace(" ", ""))):
        name = _LEADING.sub("", match.group(1))
        if len(name) < 3 or name in _NOT_PLACE or any(name.endswith(p) for p in out):
            continue  # a known place with words before it ("售车位伊景园滨河苑") is that place again
        shorter = [p for p in out if p.endswith(name)]
        if shorter:  # keep the plain name ("伊景园滨河苑", not "A市伊景园滨河苑")
            out[out.index(shorter[0])] = name
            continue
        out.append(name)
        if len(out) >= limit:
            break
    return out
