"""Ranked search over the postings: BM25 over character bigrams, title weighted, synonyms expanded.

Reads only. Per query term, at most MAX_POSTINGS postings are read, the heaviest first (an index on
(term, weight desc)): a term so common that it has more is worth little per article (low idf), and the
cut keeps a query's cost bounded whatever the size of the base.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hotline.knowledge.models import Article, ArticleStatus, IndexState, Posting, SynonymGroup, Term
from hotline.knowledge.tokens import normalize, terms

MAX_POSTINGS = 1500
SYNONYM_WEIGHT = 0.6
MAX_QUERY_CHARS = 200
SNIPPET_CHARS = 90


@dataclass
class Hit:
    article: Article
    score: float
    snippet: SafeString = field(default_factory=lambda: mark_safe(""))
    title_html: SafeString = field(default_factory=lambda: mark_safe(""))


def synonyms_of(text: str) -> list[str]:
    """Words of every synonym group that has a member in the text, other than those already in it."""
    norm = normalize(text)
    extra: list[str] = []
    for group in SynonymGroup.objects.all():
        members = [normalize(w) for w in group.word_list()]
        if any(m and m in norm for m in members):
            extra.extend(m for m in members if m not in norm and m not in extra)
    return extra


def query_terms(text: str) -> dict[str, float]:
    """Term -> query weight (1; a synonym's terms weigh SYNONYM_WEIGHT)."""
    weights: dict[str, float] = defaultdict(float)
    for source, factor in [(text, 1.0)] + [(s, SYNONYM_WEIGHT) for s in synonyms_of(text)]:
        for term in set(terms(source)):
            weights[term] = max(weights[term], factor)
    return dict(weights)


def offered(*, public_only: bool, today: dt.date) -> Q:
    """Articles an operator (or a public channel) may be offered: published and valid today."""
    q = Q(status=ArticleStatus.PUBLISHED) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today)) & (
        Q(valid_from__isnull=True) | Q(valid_from__lte=today))
    return q & Q(public=True) if public_only else q


def scores(text: str) -> dict[int, float]:
    """Article id -> BM25 score, for every indexed article matching a term of the query."""
    wanted = query_terms(text[:MAX_QUERY_CHARS])
    if not wanted:
        return {}
    st = IndexState.objects.order_by("pk").values_list("docs", flat=True).first() or 0
    n = max(1, st)
    acc: dict[int, float] = defaultdict(float)
    small: dict[int, float] = {}
    for term_id, text_, df in Term.objects.filter(text__in=list(wanted), df__gt=0).values_list("id", "text", "df"):
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5)) * wanted[text_]
        if df <= MAX_POSTINGS:
            small[term_id] = idf
            continue
        rows = Posting.objects.filter(term_id=term_id).order_by("-weight").values_list("article_id", "weight")
        for article_id, weight in rows[:MAX_POSTINGS]:
            acc[article_id] += idf * weight
    if small:
        for term_id, article_id, weight in Posting.objects.filter(term_id__in=list(small)).order_by().values_list(
                "term_id", "article_id", "weight"):
            acc[article_id] += small[term_id] * weight
    return acc


def search(text: str, *, limit: int = 10, public_only: bool = False, today: dt.date | None = None,
           snippets: bool = True) -> list[Hit]:
    """The best `limit` articles offered today for the query, best first, with highlighted snippets."""
    text = (text or "").strip()
    if not text or limit <= 0:
        return []
    today = today or timezone.localdate()
    acc = scores(text)
    ranked = sorted(acc.items(), key=lambda kv: (-kv[1], kv[0]))
    hits: list[Hit] = []
    allowed = offered(public_only=public_only, today=today)
    step = max(limit * 3, 30)
    for lo in range(0, min(len(ranked), 2000), step):
        chunk = ranked[lo:lo + step]
        found = Article.objects.filter(allowed, pk__in=[pk for pk, _ in chunk]).select_related("unit").in_bulk()
        for pk, score in chunk:
            if pk in found:
                hits.append(Hit(found[pk], round(score, 4)))
                if len(hits) == limit:
                    break
        if len(hits) == limit:
            break
    if snippets:
        marks = highlight_terms(text)
        for hit in hits:
            hit.title_html = highlight(hit.article.title, marks)
            hit.snippet = snippet(hit.article.body, marks)
    return hits


def highlight_terms(text: str) -> list[str]:
    """The strings to mark in results: the query's terms and synonyms, longest first."""
    found = set(terms(text))
    for syn in synonyms_of(text):
        found.add(normalize(syn))
    return sorted((f for f in found if f), key=lambda s: (-len(s), s))


def _spans(text: str, marks: list[str]) -> list[tuple[int, int]]:
    low = normalize(text)
    if len(low) != len(text):  # NFKC changed the length: mark on the text as it is
        low = text.lower()
    covered = [False] * len(text)
    for m in marks:
        start = low.find(m)
        while start != -1:
            for i in range(start, start + len(m)):
                covered[i] = True
            start = low.find(m, start + 1)
    spans, i = [], 0
    while i < len(text):
        if covered[i]:
            j = i
            while j < len(text) and covered[j]:
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
    return spans


def highlight(text: str, marks: list[str]) -> SafeString:
    """The text escaped, with the marked strings in <mark>."""
    out, pos = [], 0
    for start, end in _spans(text, marks):
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))


def snippet(body: str, marks: list[str], *, size: int = SNIPPET_CHARS) -> SafeString:
    """The window of `size` characters of the body that covers most marked characters, highlighted."""
    flat = " ".join(body.split())
    spans = _spans(flat, marks)
    if len(flat) <= size or not spans:
        cut = flat[:size]
        return highlight(cut + ("…" if len(flat) > size else ""), marks)
    best, best_start = -1, 0
    for start, _ in spans:
        lo = max(0, start - 10)
        covered = sum(min(e, lo + size) - max(s, lo) for s, e in spans if s < lo + size and e > lo)
        if covered > best:
            best, best_start = covered, lo
    window = flat[best_start:best_start + size]
    prefix = "…" if best_start > 0 else ""
    suffix = "…" if best_start + size < len(flat) else ""
    return mark_safe(prefix + highlight(window, marks) + suffix)
