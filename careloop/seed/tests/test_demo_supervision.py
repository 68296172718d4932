"""The demo's stepped care and supervision: Sam's review list shows something real, once."""

from __future__ import annotations

from careloop.care.models import SteppedCareChange
from careloop.monitoring.supervision import suggestions
from careloop.monitoring.supervision.models import CaseReview
from careloop.monitoring.supervision.selectors import review_list_for
from careloop.seed.demo_supervision import seed_demo_supervision


def test_the_demo_fills_the_review_list_once(service, ada, ben, sam, monkeypatch):
    monkeypatch.setattr(suggestions, "_SOURCES", {})  # a service without AI suggestions
    users = {"ada": ada, "ben": ben, "sam": sam}
    seed_demo_supervision(service, users)
    listing = review_list_for(sam)
    assert [row.patient.display_name for row in listing.not_improving] == [
        "Quin Adebar",
        "Ilse Marrow",
        "Taro Vennick",
    ]
    assert [int(row.current_step or 0) for row in listing.not_improving] == [4, 2, 3]
    assert [a.patient_name for a in listing.late_alerts] == ["Taro Vennick"]
    assert listing.late_alerts[0].minutes_late == 37
    assert listing.overridden is None
    counts = (SteppedCareChange.objects.count(), CaseReview.objects.count())
    seed_demo_supervision(service, users)  # idempotent
    assert (SteppedCareChange.objects.count(), CaseReview.objects.count()) == counts
