"""Writes on the search index: postings with precomputed BM25 term weights, per-term document frequencies.

Only published articles are indexed (what operators may be offered); validity dates and the public flag
are checked at query time. A posting's weight is BM25's saturated term frequency
tf·(k1+1)/(tf + k1·(1 − b + b·len/avglen)) with the average length as it stood when the article was
indexed; the idf part depends on the whole collection and is applied when searching.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import F

from hotline.knowledge.models import Article, ArticleStatus, IndexState, Posting, Term
from hotline.knowledge.tokens import DocTerms, document_terms

K1 = 1.2
B = 0.9
BATCH = 2000


def state() -> IndexState:
    row = IndexState.objects.order_by("pk").first()
    return row or IndexState.objects.create(docs=0, total_length=0)


def should_index(article: Article) -> bool:
    return article.status == ArticleStatus.PUBLISHED


def reindex(articles: Sequence[Article]) -> None:
    """Bring the index in line with these articles (index published ones, drop the others)."""
    with transaction.atomic():
        _drop([a.pk for a in articles if a.pk])
        wanted = [a for a in articles if should_index(a)]
        for lo in range(0, len(wanted), BATCH):
            _add(wanted[lo:lo + BATCH])
        for article in articles:
            if not should_index(article):
                article.indexed_length = 0


def _drop(article_ids: list[int]) -> None:
    if not article_ids:
        return
    counts: dict[int, int] = defaultdict(int)
    for term_id in Posting.objects.filter(article_id__in=article_ids).values_list("term_id", flat=True):
        counts[term_id] += 1
    _bump_df({t: -n for t, n in counts.items()})
    Posting.objects.filter(article_id__in=article_ids).delete()
    lengths = list(Article.objects.filter(pk__in=article_ids, indexed_length__gt=0).values_list("indexed_length",
                                                                                                flat=True))
    IndexState.objects.filter(pk=state().pk).update(docs=F("docs") - len(lengths),
                                                    total_length=F("total_length") - sum(lengths))
    Article.objects.filter(pk__in=article_ids).update(indexed_length=0)


def _add(articles: Sequence[Article]) -> None:
    docs = [(a, document_terms(title=a.title, body=a.body, keywords=a.keywords,
                                   questions=a.questions)) for a in articles]
    st = state()
    batch_length = sum(d.length for _, d in docs)
    avg = (st.total_length + batch_length) / max(1, st.docs + len(docs))
    ids = _term_ids({t for _, d in docs for t in d.counts})
    postings: list[tuple[int, int, float]] = []
    df: dict[int, int] = defaultdict(int)
    for article, d in docs:
        norm = K1 * (1 - B + B * d.length / avg)
        for term, tf in d.counts.items():
            postings.append((ids[term], article.pk, round(tf * (K1 + 1) / (tf + norm), 5)))
            df[ids[term]] += 1
    _insert_postings(postings)
    _bump_df(df)
    _set_lengths(docs)
    IndexState.objects.filter(pk=st.pk).update(docs=F("docs") + len(docs),
                                               total_length=F("total_length") + batch_length)


def _insert_postings(rows: list[tuple[int, int, float]]) -> None:
    """Raw inserts: a Django model object per posting would cost more than tokenizing (hundreds per article);
    COPY on PostgreSQL."""
    table = Posting._meta.db_table
    columns = '"term_id", "article_id", "weight"'
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
            return
        # A larger page cache for this connection: the postings' term index takes inserts all over it.
        cursor.execute("PRAGMA cache_size = -262144")
        for lo in range(0, len(rows), 50000):
            cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES (%s, %s, %s)', rows[lo:lo + 50000])


def _set_lengths(docs: Iterable[tuple[Article, DocTerms]]) -> None:
    table = Article._meta.db_table
    rows = []
    for article, d in docs:
        article.indexed_length = d.length
        rows.append((d.length, article.pk))
    with connection.cursor() as cursor:
        cursor.executemany(f'UPDATE "{table}" SET "indexed_length" = %s WHERE "id" = %s', rows)


def _term_ids(texts: set[str]) -> dict[str, int]:
    """Ids of the terms, inserting the new ones (raw INSERT ... ON CONFLICT DO NOTHING: no model objects)."""
    found: dict[str, int] = {}
    items = sorted(texts)
    for lo in range(0, len(items), 900):
        found.update(Term.objects.filter(text__in=items[lo:lo + 900]).values_list("text", "id"))
    missing = [t for t in items if t not in found]
    if missing:
        table = Term._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(f'INSERT INTO "{table}" ("text", "df") VALUES (%s, 0) ON CONFLICT DO NOTHING',
                               [(t,) for t in missing])
        for lo in range(0, len(missing), 900):
            found.update(Term.objects.filter(text__in=missing[lo:lo + 900]).values_list("text", "id"))
    return found


def _bump_df(changes: dict[int, int]) -> None:
    if not changes:
        return
    table = Term._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(f'UPDATE "{table}" SET "df" = "df" + %s WHERE "id" = %s',
                           [(n, t) for t, n in changes.items() if n])


def rebuild() -> int:
    """Drop and rebuild the whole index from the articles (after a change of tokenizer or weights)."""
    with transaction.atomic():
        Posting.objects.all().delete()
        Term.objects.all().delete()
        IndexState.objects.all().delete()
        Article.objects.update(indexed_length=0)
        articles = list(Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("pk"))
        for lo in range(0, len(articles), BATCH):
            _add(articles[lo:lo + BATCH])
    return len(articles)
