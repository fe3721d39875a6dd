import pytest

from casework.models import Consultation
from casework.search.query import first_consultation_ids, matching_consultations


@pytest.fixture(params=["index", "scan"])
def plan(request):
    """Both ways a consultation search is read: "index" as a list's first page (on SQLite the first
    matches in list order from the text index, casework/search/index.py), "scan" the whole queryset."""
    return request.param


def consultations_found(queryset, text, plan, limit=1000):
    """The consultations `queryset` holds that a search for `text` finds, in list order, read by `plan`."""
    matching = matching_consultations(queryset, text).order_by("-date", "-id")
    ids = first_consultation_ids(matching, text, limit, unsearched=queryset) if plan == "index" else None
    if ids is None:  # PostgreSQL, or no word long enough for the index: the lists read the queryset
        return list(matching[:limit])
    rows = Consultation.objects.in_bulk(ids)
    return [rows[pk] for pk in ids]
