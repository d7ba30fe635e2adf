"""Vocabulary bridging: each published article is also indexed with the appeal titles of past cases it answered.

Citizens and units do not use the same words (title 广播扰民, reply 村村响 播放频次). A closed case pairs the
citizen's words (its title) with the unit's (its reply); when the reply says what an article says (tf-idf
cosine over the index's terms >= MATCH_THRESHOLD), the case's title is the citizens' name for that
article's subject. A case answered directly from an article (a citation) names it outright. The titles are
stored on the article (`questions`, at most MAX_QUESTIONS, best matches first) and indexed at
tokens.QUESTION_WEIGHT; searching is unchanged. Measured in docs/decisions.md, "Knowledge search:
vocabulary bridging (issue 9)".
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from sklearn.feature_extraction.text import TfidfVectorizer

from hotline.knowledge import index
from hotline.knowledge.models import Article, ArticleStatus, Citation
from hotline.knowledge.tokens import terms
from hotline.workorders.models import Action, Event, Status

MATCH_THRESHOLD = 0.3
MAX_QUESTIONS = 30
CHUNK = 2000


@dataclass(frozen=True)
class PastCase:
    title: str  # the citizen's words
    reply: str  # the unit's answer


def matches(*, bodies: Sequence[str], replies: Sequence[str],
            threshold: float = MATCH_THRESHOLD) -> list[list[tuple[int, float]]]:
    """Per reply, the (article position, cosine) pairs whose body it matches, best first."""
    if not bodies or not replies:
        return [[] for _ in replies]
    vectorizer = TfidfVectorizer(analyzer=terms)
    vectorizer.fit([*bodies, *replies])
    articles = vectorizer.transform(bodies).T.tocsc()
    found: list[list[tuple[int, float]]] = []
    for lo in range(0, len(replies), CHUNK):  # chunks keep the case x article product small
        sims = (vectorizer.transform(replies[lo:lo + CHUNK]) @ articles).tocsr()
        for i in range(sims.shape[0]):
            row = sims.getrow(i)
            pairs = [(int(j), float(s)) for j, s in zip(row.indices, row.data) if s >= threshold]
            found.append(sorted(pairs, key=lambda p: (-p[1], p[0])))
    return found


def learn_questions(*, cases: Iterable[PastCase], cited: Iterable[tuple[int, str]] = (),
                    threshold: float = MATCH_THRESHOLD) -> int:
    """Replace every published article's learned questions from these cases and citations (article id, title);
    reindex. Returns how many articles got at least one question."""
    cases = [c for c in cases if c.title.strip() and c.reply.strip()]
    articles = list(Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("pk").only("pk", "body"))
    scored: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for article_id, title in cited:
        scored[article_id].append((2.0, title.strip()))  # named outright: above any cosine
    for case, pairs in zip(cases, matches(bodies=[a.body for a in articles], replies=[c.reply for c in cases],
                                          threshold=threshold)):
        for j, sim in pairs:
            scored[articles[j].pk].append((sim, case.title.strip()))
    with transaction.atomic():
        for article in articles:
            kept: list[str] = []
            for _, title in sorted(scored.get(article.pk, []), key=lambda p: -p[0]):
                if title and title not in kept and len(kept) < MAX_QUESTIONS:
                    kept.append(title)
            article.questions = "\n".join(kept)
        Article.objects.bulk_update(articles, ["questions"], batch_size=500)
        index.rebuild()
    return sum(1 for a in articles if a.questions)


def history() -> tuple[list[PastCase], list[tuple[int, str]]]:
    """The city's closed cases (title, the unit's last reply) and the direct answers' citations.

    A confidential citizen's case teaches nothing: its words would become searchable through every channel,
    the public ones included."""
    last: dict[int, PastCase] = {}
    events = (Event.objects.filter(kind=Action.REPLY, order__status=Status.CLOSED, order__confidential=False)
              .order_by("order_id", "seq").values_list("order_id", "order__title", "data"))
    for order_id, title, data in events.iterator(chunk_size=2000):
        text = (data or {}).get("text") or ""
        if title and text:
            last[order_id] = PastCase(title=title, reply=text)
    cited = [(article_id, title or query) for article_id, title, query
             in Citation.objects.filter(order__confidential=False).values_list("article_id", "order__title", "query")
             if title or query]
    return list(last.values()), cited


def learn_from_history() -> int:
    """`hotline kb learn`: learn every article's questions from the city's own closed cases and citations."""
    cases, cited = history()
    return learn_questions(cases=cases, cited=cited)
