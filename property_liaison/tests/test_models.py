import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from property_liaison.models import PropertyAppointment, PropertyCompany
from property_liaison.tests.factories import project_with_company

pytestmark = pytest.mark.django_db


def test_an_appointment_cannot_end_before_it_starts(roles):
    project, company = project_with_company(start=dt.date(2024, 1, 1))
    appointment = PropertyAppointment.objects.get(project=project)
    appointment.end_date = dt.date(2023, 12, 31)
    with pytest.raises(ValidationError) as exc:
        appointment.full_clean()
    assert "委托结束日期不能早于开始日期" in str(exc.value)


def test_two_companies_cannot_manage_one_project_over_the_same_days(roles):
    project, _ = project_with_company(start=dt.date(2024, 1, 1))
    rival = PropertyCompany.objects.create(name="另一家物业")
    clash = PropertyAppointment(project=project, company=rival, start_date=dt.date(2025, 6, 1))
    with pytest.raises(ValidationError) as exc:
        clash.full_clean()
    assert "委托期间不能重叠" in str(exc.value)


def test_the_next_company_may_start_the_day_after_the_first_ends(roles):
    project, _ = project_with_company(start=dt.date(2024, 1, 1))
    PropertyAppointment.objects.filter(project=project).update(end_date=dt.date(2025, 5, 31))
    rival = PropertyCompany.objects.create(name="接任物业")
    PropertyAppointment(project=project, company=rival, start_date=dt.date(2025, 6, 1)).full_clean()
    overlapping = PropertyAppointment(project=project, company=rival, start_date=dt.date(2025, 5, 31))
    with pytest.raises(ValidationError):
        overlapping.full_clean()
