"""Reply quality flags for the reviewer: each flag has a reason in Chinese; nothing is rejected automatically.

Flags (codes are stable, reasons are for people):
- no_action: neither a concrete action ("已安排", "责令整改", "已维修") nor a time ("3月15日前", "本周内") is stated;
- off_topic: the reply shares little wording with the appeal (character unigram + bigram cosine below OFF_TOPIC);
- boilerplate: the same reply text was given to at least BOILERPLATE other cases;
- too_short: fewer than SHORT characters of content;
- no_contact: the unit recorded no contact with the citizen (when the caller knows; None = unknown).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from hotline.intelligence.text import compact

OFF_TOPIC = 0.25  # flags about as many replies as the bigram-only 0.12 did (docs/decisions.md, stop 5)
RELATED_CHARS = 600  # the matter is stated at the start of an appeal; long letters would dilute the overlap
# Characters that say nothing about the matter: left out of the unigram view (bigrams keep them).
PLAIN_CHARS = frozenset("的了是在和与及或也就都而但并被把让给对向从到为以于之其这那我你他她它们您个有不能会要将等此该每")
BOILERPLATE = 3
SHORT = 40
ACTION = re.compile(
    "已(?:经)?(?:安排|责令|要求|督促|协调|联系|完成|处理|整改|维修|修复|清理|拆除|查处|立案|约谈|办理|落实|解决|核实|发放|退还|"
    "恢复|更换|制止|下达|组织|开展|派)|将(?:于|在|尽快)?(?:安排|组织|督促|协调|处理|整改|维修|修复|清理|拆除)|"
    "责令|限期|整改完毕|处罚|罚款|立案|拆除|恢复正常|办结|予以|按照.{0,12}规定"
)
TIME = re.compile(r"\d{1,2}月\d{1,2}日|\d{1,2}月(?:底|初|中旬|上旬|下旬)|\d+个?(?:工作日|日|天|周|月)内|本(?:周|月)|年底|近日|目前已")
# The fixed greeting and closing of every reply carry no content.
FRAME = re.compile(
    "网友.{0,20}?您好|您的留言已收悉|现将有关情况回复如下|感谢您对我们工作的支持、?理解与监督|"
    r"\d{4}年\d{1,2}月\d{1,2}日$"
)


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str


def content_of(reply: str) -> str:
    """The reply without its fixed greeting and closing."""
    return FRAME.sub("", compact(reply))


def _grams(text: str) -> Counter[str]:
    chars = compact(text)[:RELATED_CHARS]
    grams = Counter(chars[i:i + 2] for i in range(len(chars) - 1))
    grams.update(ch for ch in chars if ch not in PLAIN_CHARS)
    return grams


def relatedness(appeal: str, reply: str) -> float:
    """How much the reply talks about the appeal's matter: cosine of character unigram + bigram counts (0 to 1).

    Bigrams alone score near-synonyms that share one character (路灯 / 灯具, 噪音 / 噪声) as unrelated;
    the unigrams count them.
    """
    a, b = _grams(appeal), _grams(reply)
    dot = sum(n * b[g] for g, n in a.items() if g in b)
    norms = math.sqrt(sum(n * n for n in a.values())) * math.sqrt(sum(n * n for n in b.values()))
    return dot / norms if norms else 0.0


def flags(*, appeal: str, reply: str, same_text_elsewhere: int = 0, contact_recorded: bool | None = None
          ) -> list[Flag]:
    """The flags of one reply to one appeal (empty when nothing is wrong)."""
    body = content_of(reply)
    out = []
    if not ACTION.search(body) and not TIME.search(body):
        out.append(Flag("no_action", "未写明具体措施或办理时间"))
    similarity = relatedness(appeal, body) if body else 0.0
    if similarity < OFF_TOPIC:
        out.append(Flag("off_topic", f"答复与诉求内容关联度低（相似度 {round(similarity * 100)}%），可能答非所问"))
    if same_text_elsewhere >= BOILERPLATE:
        out.append(Flag("boilerplate", f"答复与其他 {same_text_elsewhere} 件答复雷同"))
    if len(body) < SHORT:
        out.append(Flag("too_short", f"答复过短（正文 {len(body)} 字）"))
    if contact_recorded is False:
        out.append(Flag("no_contact", "未记录与诉求人联系"))
    return out


def weak(found: list[Flag]) -> bool:
    """Whether a reply counts as weak (what the bench compares with the hand labels).

    One flag alone is a hint for the reviewer; weak takes a short or copied reply, or one that both
    states no action and shares little with the appeal (either alone fires on many good replies).
    """
    codes = {f.code for f in found}
    return bool(codes & {"too_short", "boilerplate"}) or {"no_action", "off_topic"} <= codes
