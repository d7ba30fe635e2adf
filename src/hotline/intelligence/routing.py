"""Learning the category and the responsible unit from the city's own closed cases.

Labels are primary keys (as text) of directory rows; the model's meta keeps their display names, so a
suggestion still reads well if a row is renamed, and a label whose row is gone is skipped.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

import numpy as np

from hotline.intelligence.classifier import TextClassifier, document
from hotline.intelligence.prior import Prior, blend

TARGETS = ("category", "unit")


def model_path(target: str) -> Path:
    """Where `classify train --from-cases --target T` writes and suggestions read, unless told otherwise."""
    return Path(settings.DATA_DIR) / "models" / f"{target}.model"


def case_document(*, title: str, content: str, address: str = "", region_id: int | None = None,
                  category_id: int | None = None) -> tuple[str, str]:
    """The classifier's view of an appeal: title, address and text, with region and category as extra words.

    Units are often one per county and per subject, so the region and (for unit routing) the category
    the operator chose are strong hints when known.
    """
    words, chars = document(f"{address} {content}".strip(), title)
    if region_id is not None:
        words = f"{words} __region{region_id}"
    if category_id is not None:
        words = f"{words} __category{category_id}"
    return words, chars


@dataclass(frozen=True)
class CaseRow:
    label: str
    doc: tuple[str, str]
    category_id: int | None = None
    region_id: int | None = None


def county_map() -> dict[int, int]:
    """Region pk -> the pk of its county (itself for a county; none for the city). One query."""
    from hotline.directory.models import Region

    rows = {pk: (parent, level) for pk, parent, level in Region.objects.values_list("pk", "parent_id", "level")}
    out: dict[int, int] = {}
    for pk in rows:
        node: int | None = pk
        for _ in range(4):  # community -> street -> county
            if node is None or node not in rows:
                break
            parent, level = rows[node]
            if level == Region.Level.COUNTY:
                out[pk] = node
                break
            node = parent
    return out


def rank(model: TextClassifier, docs: Sequence[tuple[str, str]], context: Sequence[tuple[int | None, int | None]],
         *, k: int) -> list[list[tuple[str, float]]]:
    """The k best labels per document, best first. For a unit model trained with a routing table
    (prior.Prior in its meta), the text model's probabilities are blended with the table's
    P(unit | category, county); `context` gives each document's (category id, region id)."""
    probs = model.probabilities(docs)
    table = Prior.from_json(model.meta.get("prior"))
    if table is not None:
        counties = county_map()
        for i, (category_id, region_id) in enumerate(context):
            county = counties.get(region_id) if region_id is not None else None
            probs[i] = blend(list(probs[i]), table.probabilities(model.labels, category_id=category_id,
                                                                 county_id=county))
    out = []
    for row in probs:
        best = np.argsort(-row, kind="stable")[:k]
        out.append([(model.labels[i], float(row[i])) for i in best])
    return out


def closed_case_rows(*, target: str, since: dt.datetime | None = None, until: dt.datetime | None = None,
                     limit: int = 60000) -> tuple[list[CaseRow], dict[str, str]]:
    """Training rows from closed cases (newest first, at most `limit`) and the label -> name map.

    This reads every closed case regardless of any user: it runs from the CLI for the whole city, and
    what it writes is a model, not case data.
    """
    from hotline.workorders.models import Status, WorkOrder

    field = "category" if target == "category" else "unit"
    qs = WorkOrder.objects.filter(status=Status.CLOSED, **{f"{field}__isnull": False})
    if since:
        qs = qs.filter(received_at__gte=since)
    if until:
        qs = qs.filter(received_at__lt=until)
    values: Iterable[tuple[int, str, str, str, int | None, int | None]] = qs.order_by("-received_at").values_list(
        f"{field}_id", "title", "content", "address", "region_id", "category_id")[:limit]
    rows = [CaseRow(label=str(label), doc=case_document(
                title=title, content=content, address=address, region_id=region,
                category_id=category if target == "unit" else None), category_id=category, region_id=region)
            for label, title, content, address, region, category in values]
    return rows, label_names(target=target, ids={int(r.label) for r in rows})


def label_names(*, target: str, ids: set[int]) -> dict[str, str]:
    from hotline.directory.models import Category, Unit

    if target == "unit":
        return {str(pk): name for pk, name in Unit.objects.filter(pk__in=ids).values_list("pk", "name")}
    names = {}
    for cat in Category.objects.filter(pk__in=ids).select_related("parent"):
        names[str(cat.pk)] = f"{cat.parent.name}/{cat.name}" if cat.parent else cat.name
    return names
