"""Ranked search over the postings: BM25 over character bigrams, title weighted, synonyms expanded.

Reads only. Per query term, at most MAX_POSTINGS postings are read, the heaviest first (an index on
(term, weight desc)): a term so common that it has more is worth little per article (low idf), and the
cut keeps a query's cost bounded whatever the size of the base. The database sums idf x weight per article
and returns only the best candidates (one statement), so Python never sees the thousands of postings.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hotline.directory.models import Unit
from hotline.knowledge.models import Article, ArticleStatus, IndexState, Posting, SynonymGroup, Term, split_words
from hotline.knowledge.tokens import is_code, normalize, terms

MAX_POSTINGS = 1500
SYNONYM_WEIGHT = 0.6
MAX_QUERY_CHARS = 200
SNIPPET_CHARS = 90
MAX_CANDIDATES = 2000
# A Latin/digit run in a query (A2区, J4县, 28路, 58车贷) names the place or thing asked about; replies that
# name another district outranked the right one (docs/decisions.md, "Knowledge recall: where the misses are").
CODE_WEIGHT = 2.0


@dataclass
class Hit:
    article: Article
    score: float
    snippet: SafeString = field(default_factory=lambda: mark_safe(""))
    title_html: SafeString = field(default_factory=lambda: mark_safe(""))
    unit_name: str = ""


def synonyms_of(text: str) -> list[str]:
    """Words of every synonym group that has a member in the text, other than those already in it."""
    norm = normalize(text)
    extra: list[str] = []
    with connection.cursor() as cursor:  # raw: this runs on every keystroke of the operator's search
        cursor.execute(f'SELECT "words" FROM "{SynonymGroup._meta.db_table}"')
        groups = [row[0] for row in cursor.fetchall()]
    for words in groups:
        members = [normalize(w) for w in split_words(words)]
        if any(m and m in norm for m in members):
            extra.extend(m for m in members if m not in norm and m not in extra)
    return extra


def query_terms(text: str, synonyms: list[str] | None = None) -> dict[str, float]:
    """Term -> query weight (1; a synonym's terms weigh SYNONYM_WEIGHT)."""
    weights: dict[str, float] = defaultdict(float)
    synonyms = synonyms_of(text) if synonyms is None else synonyms
    for source, factor in [(text, 1.0)] + [(s, SYNONYM_WEIGHT) for s in synonyms]:
        for term in set(terms(source)):
            weight = factor * (CODE_WEIGHT if is_code(term) else 1.0)
            weights[term] = max(weights[term], weight)
    return dict(weights)


def offered(*, public_only: bool, today: dt.date) -> Q:
    """Articles an operator (or a public channel) may be offered: published and valid today."""
    q = Q(status=ArticleStatus.PUBLISHED) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today)) & (
        Q(valid_from__isnull=True) | Q(valid_from__lte=today))
    return q & Q(public=True) if public_only else q


def scores(text: str, synonyms: list[str] | None = None, *, top: int = MAX_CANDIDATES) -> list[tuple[int, float]]:
    """The `top` best (article id, BM25 score) pairs for the query, best first (ties: lower id first)."""
    wanted = query_terms(text[:MAX_QUERY_CHARS], synonyms)
    if not wanted:
        return []
    # Raw SQL: this runs on every keystroke; compiling ORM queries cost more than running them.
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "docs" FROM "{IndexState._meta.db_table}" ORDER BY "id" LIMIT 1')
        row = cursor.fetchone()
        n = max(1, row[0] if row else 0)
        texts = sorted(wanted)
        cursor.execute(f'SELECT "id", "text", "df" FROM "{Term._meta.db_table}" WHERE "df" > 0 AND "text" IN '
                       f'({", ".join(["%s"] * len(texts))})', texts)
        found = cursor.fetchall()
        if not found:
            return []
        # One statement sums idf x weight over each term's heaviest postings and ranks in the database:
        # fetching every posting into Python and ranking there cost most of a query at 100,000 articles.
        parts, params = [], []
        for i, (term_id, text_, df) in enumerate(sorted(found)):
            parts.append(f'SELECT * FROM (SELECT "article_id", "weight" * %s AS "s" FROM "{Posting._meta.db_table}" '
                         f'WHERE "term_id" = %s ORDER BY "weight" DESC LIMIT %s) "t{i}"')
            params += [math.log(1 + (n - df + 0.5) / (df + 0.5)) * wanted[text_], term_id, MAX_POSTINGS]
        cursor.execute(f'SELECT "article_id", SUM("s") AS "score" FROM ({" UNION ALL ".join(parts)}) "u" '
                       'GROUP BY "article_id" ORDER BY "score" DESC, "article_id" LIMIT %s', [*params, top])
        return [(article_id, float(score)) for article_id, score in cursor.fetchall()]


def search(text: str, *, limit: int = 10, public_only: bool = False, today: dt.date | None = None,
           snippets: bool = True) -> list[Hit]:
    """The best `limit` articles offered today for the query, best first, with highlighted snippets."""
    text = (text or "").strip()
    if not text or limit <= 0:
        return []
    today = today or timezone.localdate()
    synonyms = synonyms_of(text)
    ranked = scores(text, synonyms)
    chosen: list[tuple[int, float]] = []
    step = max(limit * 3, 30)
    for lo in range(0, len(ranked), step):
        chunk = ranked[lo:lo + step]
        ok = _offered_ids([pk for pk, _ in chunk], public_only=public_only, today=today)
        chosen.extend((pk, score) for pk, score in chunk if pk in ok)
        if len(chosen) >= limit:
            break
    chosen = chosen[:limit]
    found = _load([pk for pk, _ in chosen])
    hits = [Hit(found[pk], round(score, 4), unit_name=found[pk].unit_name or "") for pk, score in chosen if pk in found]
    if snippets and hits:
        pattern = mark_pattern(highlight_terms(text, synonyms))
        for hit in hits:
            hit.title_html = highlight(hit.article.title, pattern)
            hit.snippet = snippet(hit.article.body, pattern)
    return hits


def _offered_ids(ids: list[int], *, public_only: bool, today: dt.date) -> set[int]:
    """Which of these articles may be offered today (the raw twin of offered(), for the hot path)."""
    if not ids:
        return set()
    sql = (f'SELECT "id" FROM "{Article._meta.db_table}" WHERE "id" IN ({", ".join(["%s"] * len(ids))}) '
           'AND "status" = %s AND ("valid_until" IS NULL OR "valid_until" >= %s) '
           'AND ("valid_from" IS NULL OR "valid_from" <= %s)' + (' AND "public" = %s' if public_only else ""))
    params: list[Any] = [*ids, ArticleStatus.PUBLISHED.value, today, today] + ([True] if public_only else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def _load(ids: list[int]) -> dict[int, Any]:
    """The hits' articles with their unit's name as `unit_name` (one raw query)."""
    if not ids:
        return {}
    article, unit = Article._meta.db_table, Unit._meta.db_table
    sql = (f'SELECT a."id", a."key", a."title", a."body", a."public", a."valid_until", a."version", a."status", '
           f'a."unit_id", u."name" AS "unit_name" FROM "{article}" a LEFT JOIN "{unit}" u ON u."id" = a."unit_id" '
           f'WHERE a."id" IN ({", ".join(["%s"] * len(ids))})')
    return {a.pk: a for a in Article.objects.raw(sql, ids)}


def highlight_terms(text: str, synonyms: list[str]) -> list[str]:
    """The strings to mark in results: the query's terms and synonyms, longest first."""
    found = set(terms(text))
    for syn in synonyms:
        found.add(normalize(syn))
    return sorted((f for f in found if f), key=lambda s: (-len(s), s))


def mark_pattern(marks: list[str]) -> re.Pattern[str] | None:
    """A pattern finding every marked string at every position (a lookahead: overlapping bigrams too)."""
    if not marks:
        return None
    return re.compile("(?=(" + "|".join(re.escape(m) for m in marks) + "))", re.IGNORECASE)


def _spans(text: str, pattern: re.Pattern[str] | None) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if pattern is None:
        return spans
    for match in pattern.finditer(text):
        start, end = match.start(), match.start() + len(match.group(1))
        if spans and start <= spans[-1][1]:
            if end > spans[-1][1]:
                spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def highlight(text: str, pattern: re.Pattern[str] | None) -> SafeString:
    """The text escaped, with the marked strings in <mark>."""
    out: list[str] = []
    pos = 0
    for start, end in _spans(text, pattern):
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))


def snippet(body: str, pattern: re.Pattern[str] | None, *, size: int = SNIPPET_CHARS) -> SafeString:
    """The window of `size` characters of the body that covers most marked characters, highlighted."""
    flat = " ".join(body.split())
    spans = _spans(flat, pattern)
    if len(flat) <= size or not spans:
        return highlight(flat[:size] + ("…" if len(flat) > size else ""), pattern)
    # Two pointers over the spans: the window starting just before span i holds spans i..j-1.
    best, best_start, j, covered = -1, 0, 0, 0
    for i, (start, end) in enumerate(spans):
        lo = max(0, start - 10)
        while j < len(spans) and spans[j][0] < lo + size:
            covered += spans[j][1] - spans[j][0]
            j += 1
        if covered > best:
            best, best_start = covered, lo
        covered -= end - start
    window = flat[best_start:best_start + size]
    prefix = "…" if best_start > 0 else ""
    suffix = "…" if best_start + size < len(flat) else ""
    return mark_safe(prefix + highlight(window, pattern) + suffix)
