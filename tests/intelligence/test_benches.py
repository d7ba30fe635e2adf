"""The intelligence benchmarks are registered and `bench replies` prints its agreement figures."""
from __future__ import annotations

import io

from django.core.management import call_command

from hotline.bench import REGISTRY


def test_intelligence_benches_are_registered():
    assert {"routing", "duplicates", "hotspots", "replies"} <= set(REGISTRY)


def test_bench_replies_prints_agreement_and_kappa():
    out = io.StringIO()
    call_command("bench", "replies", "--limit", "40", stdout=out)
    text = out.getvalue()
    assert "40 replies checked" in text
    assert "syu_可解释性_人工标注: 40 labelled" in text and "Cohen's kappa" in text
