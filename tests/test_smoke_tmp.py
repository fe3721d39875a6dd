import pytest
from django.urls import reverse

@pytest.mark.django_db
def test_pages(client, people, records):
    client.force_login(people["coordinator_mo"])
    for name, kw in [("casework:home", {}), ("casework:consultation_list", {}), ("casework:consultation_create", {}),
                     ("casework:consultation_detail", {"pk": records["own"].pk}), ("casework:consultation_edit", {"pk": records["own"].pk}),
                     ("casework:consultation_delete", {"pk": records["own"].pk}),
                     ("organisations:organisation_list", {}), ("organisations:organisation_detail", {"pk": records["org_own"].pk}),
                     ("organisations:organisation_create", {}), ("organisations:organisation_edit", {"pk": records["org_own"].pk})]:
        r = client.get(reverse(name, kwargs=kw))
        assert r.status_code == 200, (name, r.status_code)
    r = client.get(reverse("organisations:picker") + "?q=Kultur")
    print(r.json())
