import pytest
from django.contrib.auth import get_user_model
from guardian.shortcuts import assign_perm


@pytest.fixture
def reader(unit_mo):
    """Someone who may see the MO unit's records but not change them."""
    user = get_user_model().objects.create_user(username="lesend-mo", password="pw-lesend")
    assign_perm("casework.view_unit_records", user, unit_mo)
    return user
