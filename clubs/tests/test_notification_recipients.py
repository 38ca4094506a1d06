"""Who each notice of the clubs app reaches: forum, club and activity plans go to their approver
and the decision to their drafter (crm.approvals), each able to open the plan; nobody else.
The clubs app has no beat job."""
import pytest

from clubs import activities, services
from clubs.tests import factories as f
from crm.models import Notification
from crm.testing import notices_not_opening

pytestmark = pytest.mark.django_db


def told(**filters):
    return set(Notification.objects.filter(**filters).values_list("recipient__username", flat=True))


@pytest.fixture
def others(make_user):
    return [make_user(role, username=role) for role in ("cs_supervisor", "front_desk", "property_company")]


def test_a_forum_plan_goes_to_the_manager_and_the_decision_to_its_drafter(staff, manager, others, client):
    forum = f.forum(staff)
    services.forum_submit(user=staff, forum=forum)
    assert told(title__startswith="待审批") == {"boss"}
    services.forum_decide(user=manager, forum=forum, approve=False, comment="预算过高")
    assert told(title__contains="被驳回") == {"staff"}
    assert notices_not_opening(client) == []


def test_club_and_activity_plans_go_to_the_manager_and_decisions_to_their_drafter(staff, manager, others, client):
    club = f.founded_club(staff, manager)
    activity = f.activity(staff, club)
    activities.activity_submit(user=staff, activity=activity)
    activities.activity_decide(user=manager, activity=activity, approve=True)
    assert told(title__startswith="待审批") == {"boss"}
    assert told(title__contains="已批准") == {"staff"}
    assert Notification.objects.filter(title__contains="已批准").count() == 2  # the club's and the activity's
    assert notices_not_opening(client) == []
