import pytest

from owners.models import ContactLog, Customer, CustomerVisit, SatisfactionSurvey

pytestmark = pytest.mark.django_db


def test_demo_data_loads_twice_without_duplicates(demo):
    from owners.demo import load_customer_affairs, load_projects

    counts = (Customer.objects.count(), ContactLog.objects.count(), CustomerVisit.objects.count(),
              SatisfactionSurvey.objects.count())
    load_projects(lambda *_: None)
    load_customer_affairs(lambda *_: None)
    assert counts == (Customer.objects.count(), ContactLog.objects.count(), CustomerVisit.objects.count(),
                      SatisfactionSurvey.objects.count())
    assert counts[1] >= 3 and counts[3] >= 6  # other apps may add records through our services
