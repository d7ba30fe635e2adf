"""Learning the category and the responsible unit from the city's own closed cases.

Labels are primary keys (as text) of directory rows; the model's meta keeps their display names, so a
suggestion still reads well if a row is renamed, and a label whose row is gone is skipped.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from hotline.intelligence.classifier import document

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
                category_id=category if target == "unit" else None))
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
