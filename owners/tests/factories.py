import datetime as dt
from decimal import Decimal

from owners.models import Building, Customer, Ownership, Project, Unit
from owners.services import customer_code


def make_project(code="p1", name=None, closeout=None):
    project, _ = Project.objects.get_or_create(code=code, defaults={"name": name or f"项目{code}",
                                                                     "closeout_date": closeout})
    return project


def make_unit(project, building="1栋", number="101", area="90.00"):
    b, _ = Building.objects.get_or_create(project=project, name=building)
    return Unit.objects.create(project=project, building=b, number=number, area=Decimal(area),
                               delivery_date=dt.date(2024, 1, 1))


def make_customer(project, name="张三", phone="13912345678", **kw):
    customer = Customer.objects.create(code=customer_code(), name=name, phone=phone, project=project, **kw)
    return customer


def own(customer, unit, kind=Ownership.Kind.OWNER):
    return Ownership.objects.create(customer=customer, unit=unit, kind=kind)
