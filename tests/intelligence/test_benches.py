"""The intelligence benchmarks are registered; `bench replies` and `bench classify` print their figures."""
from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.bench import REGISTRY


def test_intelligence_benches_are_registered():
    assert {"classify", "routing", "duplicates", "hotspots", "replies"} <= set(REGISTRY)


def test_bench_replies_prints_agreement_and_kappa():
    out = io.StringIO()
    call_command("bench", "replies", "--limit", "40", stdout=out)
    text = out.getvalue()
    assert "40 replies checked" in text
    assert "syu_可解释性_人工标注: 40 labelled" in text and "Cohen's kappa" in text


def test_bench_classify_prints_training_time_rates_and_held_out_accuracy():
    out = io.StringIO()
    call_command("bench", "classify", "--limit", "700", "--raw", "30", "--seeds", "0,1", stdout=out)
    text = out.getvalue()
    assert re.search(r"training on 7\d\d rows: [\d.]+ s wall, [\d.]+ s CPU", text)
    assert re.search(r"prediction, segmented rows: 7\d\d in .* messages/s", text)
    assert re.search(r"prediction, raw messages: 30 in .* messages/s", text)
    accuracies = [float(a) for a in re.findall(r"held-out seed \d: \d+ texts, accuracy ([\d.]+)", text)]
    assert len(accuracies) == 2 and all(a > 0.5 for a in accuracies)  # 7 classes: chance is about 0.2
    assert "2 seed(s): accuracy mean" in text


@pytest.mark.parametrize("seeds", ["x", "3-", "-1", "1,,2"])
def test_bench_classify_refuses_bad_seeds_before_training(seeds):
    with pytest.raises(CommandError, match="--seeds"):
        call_command("bench", "classify", "--seeds", seeds)
