"""The global search never shows a record the person may not see, whatever the query.

Uses the marked records of tests/test_no_leaks.py: every name, title and text carries a unique marker.
"""

import pytest
from django.urls import reverse

from tests.matrix import ROLES
from tests.test_no_leaks import SEES, marked  # noqa: F401 - `marked` is a fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_the_global_search_shows_only_what_the_role_may_see(client, people, marked, role):  # noqa: F811
    _records, markers = marked
    client.force_login(people[role])
    forbidden = {marker for marker, visibility in markers.items() if visibility not in SEES[role]}
    html = client.get(reverse("casework:search"), {"q": "qx"}).content.decode()
    assert not {marker for marker in forbidden if marker in html}
    assert any(marker in html for marker in set(markers) - forbidden)  # the search does find something
    for marker in forbidden:
        # Found by its own marker (accents and case folded the same way), it is still not shown.
        response = client.get(reverse("casework:search"), {"q": marker.lower()})
        assert marker not in response.content.decode()
        assert not any(group.records for group in response.context["groups"]), marker


def test_anonymous_people_are_sent_to_the_login(client):
    response = client.get(reverse("casework:search"), {"q": "qx"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
