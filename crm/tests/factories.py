"""The shared test factories (factory-boy): projects, buildings, units, customers, ownerships
and staff users, built one way for every app's tests.

Rows are plain model rows (the master data the services work on); records that move through a
workflow (cases, plans, lawsuits…) are built by each app's tests through its real services, so
their history and clocks are those a user would produce.

    ProjectFactory(code="lake", name="湖畔花园")
    UnitFactory(project=project, number="1-101")           # its building: 1栋 of that project
    owner = OwnerFactory(project=project, unit=unit)        # a customer who owns the unit
    UserFactory(role="cs_staff", projects=[project])        # profile, role group, demo password
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from crm.demo import DEMO_PASSWORD


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = "owners.Project"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"p{n}")
    name = factory.LazyAttribute(lambda o: f"项目{o.code}")


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = "owners.Building"
        django_get_or_create = ("project", "name")

    project = factory.SubFactory(ProjectFactory)
    name = "1栋"


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = "owners.Unit"

    class Params:
        building_name = "1栋"

    project = factory.SubFactory(ProjectFactory)
    building = factory.LazyAttribute(lambda o: BuildingFactory(project=o.project, name=o.building_name))
    number = factory.Sequence(lambda n: f"{n + 101}")
    area = Decimal("90.00")
    delivery_date = dt.date(2024, 1, 1)


def _customer_code(_):
    from owners.services import customer_code

    return customer_code()


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = "owners.Customer"

    code = factory.LazyAttribute(_customer_code)
    name = "张三"
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    project = factory.SubFactory(ProjectFactory)


class OwnershipFactory(DjangoModelFactory):
    class Meta:
        model = "owners.Ownership"

    customer = factory.SubFactory(CustomerFactory)
    unit = factory.SubFactory(UnitFactory, project=factory.SelfAttribute("..customer.project"))


class OwnerFactory(CustomerFactory):
    """A customer who owns ``unit`` (one is made in the customer's project when none is given)."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def unit(obj, create, extracted, **kwargs):
        if create:
            OwnershipFactory(customer=obj, unit=extracted or UnitFactory(project=obj.project), **kwargs)


class UserFactory(DjangoModelFactory):
    """A staff user with the demo password, a profile and the role's group:
    ``UserFactory(role="cs_staff", projects=[lake], role__phone="…")``. The role's group is
    the one ``setup_roles`` makes (the ``roles`` fixture); ``admin`` is a superuser."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@test.local")
    first_name = factory.SelfAttribute("username")
    password = factory.django.Password(DEMO_PASSWORD)

    @factory.post_generation
    def role(obj, create, extracted, **profile):
        from django.contrib.auth.models import Group

        from crm.models import StaffProfile

        role = extracted or "cs_staff"
        if not create:
            return
        if role == "admin":
            obj.is_staff = obj.is_superuser = True
            obj.save(update_fields=["is_staff", "is_superuser"])
        StaffProfile.objects.create(user=obj, role=role, **profile)
        obj.groups.add(Group.objects.get(name=role))

    @factory.post_generation
    def projects(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.profile.projects.set(extracted)


# --- the helpers the app tests call ------------------------------------------------------------


def make_project(code="p1", name=None, closeout=None):
    return ProjectFactory(code=code, name=name or f"项目{code}", closeout_date=closeout)


def make_unit(project, building="1栋", number="101", area="90.00"):
    return UnitFactory(project=project, building_name=building, number=number, area=Decimal(area))


def make_customer(project, name="张三", phone="13912345678", **kw):
    return CustomerFactory(project=project, name=name, phone=phone, **kw)


def own(customer, unit, kind=None):
    from owners.models import Ownership

    return OwnershipFactory(customer=customer, unit=unit, kind=kind or Ownership.Kind.OWNER)
