"""Hot topics of a period: messages grouped by text similarity and shared place names, named by place and problem.

Grouping: TF-IDF over the words of the title (counted twice: it states the matter) and the start of the text,
plus the extracted place names as extra words; two messages are linked when each is among the other's
nearest neighbours with cosine at least LINK; topics are the connected groups. Mutual neighbours keep a
chain of loosely related messages from merging unrelated matters. Works in chunks, so a month of a big
city (tens of thousands of cases) stays within memory.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from hotline.intelligence.places import places
from hotline.intelligence.text import words

_CODE = re.compile(r"^[a-z]\d+$")  # "a2" of "A2区": anonymised county codes are places, not problems
LINK = 0.4
NEIGHBOURS = 10
CHUNK = 2000
DENSE_CELLS = 8_000_000  # 64 MB of float64 per block, whatever the period's size
CONTENT_CHARS = 300
# Words every appeal uses; they say nothing about which matter it is.
GENERIC = frozenset(
    "问题 反映 投诉 举报 请求 希望 关于 咨询 建议 要求 市民 领导 政府 部门 相关 情况 解决 处理 尽快 严重 "
    "何时 为何 为什么 能否 是否 一下 请问 谢谢 您好 尊敬 你好 怎么办 这个 现在 目前 已经 一直 没有 不能 可以 "
    "附近 旁边 周边 门口 一带 市 区 县 a市 小区 业主 居民 我们 他们 存在 进行 相关 有关 工作 单位 公司 问 到底 一个 多次".split()
)


@dataclass(frozen=True)
class Message:
    id: str
    title: str
    content: str
    at: dt.datetime | None = None
    likes: int = 0


@dataclass
class Topic:
    name: str
    place: str
    problem: str
    ids: list[str]
    count: int
    likes: int
    first: dt.datetime | None
    last: dt.datetime | None
    growth: float  # share of the topic's messages in the later half of the period minus the earlier half
    places: list[str] = field(default_factory=list)


def _matrix(messages: Sequence[Message]) -> tuple[sparse.csr_matrix, list[list[str]]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs, place_lists = [], []
    for m in messages:
        found = places(f"{m.title}。{m.content[:CONTENT_CHARS]}")
        place_lists.append(found)
        title = _topic_words(m.title)
        docs.append(" ".join(title * 2 + _topic_words(m.content[:CONTENT_CHARS]) + [f"@{p}" for p in found]))
    # In a big period a word in a fifth of all messages is boilerplate; a small one has too few to tell.
    vectorizer = TfidfVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, sublinear_tf=True,
                                 min_df=2, max_df=0.2 if len(docs) >= 200 else 1.0)
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # every word occurs once: nothing links
        matrix = sparse.csr_matrix((len(docs), 1))
    return matrix.tocsr(), place_lists


def _topic_words(text: str) -> list[str]:
    """Words that can tell one matter from another: no single characters, no appeal boilerplate."""
    return [w for w in words(text) if len(w) > 1 and w not in GENERIC]


def _links(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Mutual nearest-neighbour links with cosine >= LINK."""
    n = matrix.shape[0]
    rows, cols = [], []
    chunk = max(64, min(CHUNK, DENSE_CELLS // max(n, 1)))  # a dense block of at most DENSE_CELLS similarities
    for start in range(0, n, chunk):
        sims = (matrix[start:start + chunk] @ matrix.T).toarray()
        for offset, row in enumerate(sims):
            i = start + offset
            row[i] = 0
            k = min(NEIGHBOURS, n - 1)
            if k <= 0:
                continue
            best = np.argpartition(-row, k - 1)[:k] if k < n else np.arange(n)
            best = best[row[best] >= LINK]
            rows.extend([i] * len(best))
            cols.extend(best.tolist())
    near = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return near.multiply(near.T).tocsr()


def _name(members: list[int], messages: Sequence[Message], place_lists: list[list[str]]) -> tuple[str, str]:
    """(place, problem): the place most members name, and the words most members' titles share."""
    place_count = Counter(p for i in members for p in set(place_lists[i]))
    place = ""
    if place_count:
        top = place_count.most_common(1)[0][1]
        # among the places named about as often as the most frequent one, the most specific (longest)
        place = max((p for p, c in place_count.items() if c >= 0.6 * top), key=lambda p: (len(p), place_count[p]))
    title_words = [w for i in members for w in dict.fromkeys(words(messages[i].title))]
    counts = Counter(w for w in title_words
                     if w not in GENERIC and w not in place and len(w) > 1 and not _CODE.match(w))
    keep = {w for w, c in counts.most_common(3) if c >= max(2, 0.25 * len(members)) or len(members) < 4}
    order = _representative_order(members, messages, keep)
    return place, "".join(order)


def _representative_order(members: list[int], messages: Sequence[Message], keep: set[str]) -> list[str]:
    """The kept words in the order the title containing most of them says them."""
    best: list[str] = []
    for i in members:
        seen = [w for w in dict.fromkeys(words(messages[i].title)) if w in keep]
        if len(seen) > len(best):
            best = seen
    return best + sorted(keep - set(best))


def hot_topics(messages: Sequence[Message], *, limit: int = 10, min_count: int = 3,
               middle: dt.datetime | None = None) -> list[Topic]:
    """The period's topics with at least `min_count` messages, hottest first (count, then likes, then growth).

    Growth compares the later half of the period with the earlier: `middle` is the period's middle when
    the caller knows the period (a month so far), else the middle of the messages' own span."""
    if len(messages) < 2:
        return []
    from scipy.sparse.csgraph import connected_components

    matrix, place_lists = _matrix(messages)
    _, component = connected_components(_links(matrix), directed=False)
    groups: dict[int, list[int]] = {}
    for i, c in enumerate(component.tolist()):
        groups.setdefault(c, []).append(i)
    times = [m.at for m in messages if m.at is not None]
    if middle is None:
        middle = min(times) + (max(times) - min(times)) / 2 if times else None
    topics = []
    for members in groups.values():
        if len(members) < min_count:
            continue
        place, problem = _name(members, messages, place_lists)
        at = sorted(messages[i].at for i in members if messages[i].at is not None)  # type: ignore[type-var]
        late = sum(1 for i in members if _after(messages[i].at, middle))
        topics.append(Topic(
            name=f"{place} {problem}".strip() or messages[members[0]].title, place=place, problem=problem,
            ids=[messages[i].id for i in members], count=len(members),
            likes=sum(messages[i].likes for i in members), first=at[0] if at else None,
            last=at[-1] if at else None, growth=(2 * late - len(members)) / len(members),
            places=[p for p, _ in Counter(p for i in members for p in place_lists[i]).most_common(5)],
        ))
    topics.sort(key=lambda t: (-heat(t), t.name))
    return topics[:limit]


def _after(at: dt.datetime | None, middle: dt.datetime | None) -> bool:
    return at is not None and middle is not None and at > middle


def heat(topic: Topic) -> float:
    """Messages count most; support (likes) and growth break near-ties."""
    return topic.count + math.log1p(topic.likes) + topic.growth
