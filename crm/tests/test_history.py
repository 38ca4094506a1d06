"""The history tab shows choice labels and yes/no, not stored codes."""
import pytest

from crm.history import history_rows
from crm.models import StaffProfile

pytestmark = pytest.mark.django_db


def test_a_changed_role_is_shown_by_its_label_with_the_actor(make_user):
    user = make_user("cs_staff", username="li")
    profile = StaffProfile.objects.get(user=user)
    profile.role = "cs_supervisor"
    profile._history_user = user
    profile.save()
    rows, page = history_rows(profile)
    change = next(c for c in rows[0]["changes"] if str(c["new"]) == "客户事务部主管")
    assert str(change["old"]) == "客户事务部专员"
    assert rows[0]["record"].history_user == user and page.number == 1
