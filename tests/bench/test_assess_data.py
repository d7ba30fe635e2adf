"""The assess benchmark's bulk generator writes events whose hash chain verifies like the services' own
(computed in memory per order, with the times as stored: whole seconds)."""
from __future__ import annotations

import pytest

from hotline.bench.assess_data import generate
from hotline.workorders.chain import verify_events
from hotline.workorders.models import Event


@pytest.mark.django_db(transaction=True)
def test_generated_month_has_a_valid_event_chain():
    events = generate(40, seed=3, progress=lambda _: None)
    assert Event.objects.count() == events and not Event.objects.filter(hash="").exists()
    assert verify_events().rows == events
