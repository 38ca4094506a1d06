import datetime as dt
from decimal import Decimal

from django.utils import timezone

from crm.tests.factories import ProjectFactory, UnitFactory
from property_liaison.models import PropertyAppointment, PropertyCompany

_n = {"i": 0}


def project_with_company(name=None, company_name=None, start=None):
    _n["i"] += 1
    i = _n["i"]
    project = ProjectFactory(code=f"p{i}", name=name or f"测试项目{i}")
    company, _ = PropertyCompany.objects.get_or_create(name=company_name or f"测试物业{i}")
    PropertyAppointment.objects.create(project=project, company=company,
                                       start_date=start or timezone.localdate() - dt.timedelta(days=400))
    return project, company


def unit(project, number="1-101", area="100", delivered=None):
    return UnitFactory(project=project, number=number, area=Decimal(area), delivery_date=delivered)
