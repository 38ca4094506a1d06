"""The API's tests: a system client of some projects with some scopes, calling through the
test client with its bearer token."""
from __future__ import annotations

import itertools

import pytest
from django.test import Client
from django.utils import timezone

from api import services
from api.models import Resource

_seq = itertools.count(1)
ALL_SCOPES = [f"{r.value}:write" for r in Resource]


class Caller:
    """The test client with a client's token on every request."""

    def __init__(self, client, token):
        self.system, self.token, self.http = client, token, Client()
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, url, data=None, **extra):
        return self.http.get(url, data, **self.auth, **extra)

    def post(self, url, data=None, **extra):
        return self.http.post(url, data, content_type="application/json", **self.auth, **extra)

    def put(self, url, data=None, **extra):
        return self.http.put(url, data, content_type="application/json", **self.auth, **extra)


@pytest.fixture
def system(db):
    """``system(projects=[…], scopes=[…])``: a client and its caller (every scope by default)."""

    def factory(*, projects=(), scopes=None, all_projects=False, source=None, **kw):
        n = next(_seq)
        client, token = services.client_create(name=f"销售系统{n}", source=source or f"sales{n}",
                                               scopes=ALL_SCOPES if scopes is None else scopes,
                                               projects=projects, all_projects=all_projects, **kw)
        return Caller(client, token)

    return factory


@pytest.fixture
def two_projects(db):
    from crm.tests.factories import OwnerFactory, ProjectFactory, UnitFactory

    out = {}
    for code, name in (("lake", "湖畔花园"), ("hill", "山景苑")):
        project = ProjectFactory(code=code, name=name, external_id=f"P-{code}", external_source="sales1")
        unit = UnitFactory(project=project, number="101")
        owner = OwnerFactory(name=f"{name}业主", phone=f"1380000{len(out):04d}", project=project, unit=unit)
        out[code] = {"project": project, "unit": unit, "owner": owner}
    return out


@pytest.fixture
def register_case(make_user):
    desk = make_user("front_desk", username="desk")

    def factory(place, **extra):
        from complaints import services as complaint_services

        return complaint_services.complaint_register(
            received_by=desk, kind="complaint", channel="phone", category="repairs",
            title=f"漏水{next(_seq)}", description="卫生间漏水", customer=place["owner"], unit=place["unit"],
            received_at=timezone.now(), **extra)

    factory.desk = desk
    return factory


@pytest.fixture
def overdue(two_projects, make_user):
    """One open overdue record per project (finance's list, as its import leaves it)."""
    import datetime as dt
    from decimal import Decimal

    from mortgage.models import MortgageLoan, OverdueRecord, OverdueUpload

    finance = make_user("finance", username="fin")
    upload = OverdueUpload.objects.create(file="x.xlsx", original_name="x.xlsx", sha256="0" * 64,
                                          report_date=dt.date(2026, 11, 30), uploaded_by=finance)
    out = {}
    for code, place in two_projects.items():
        loan = MortgageLoan.objects.create(loan_number=f"L-{code}", customer=place["owner"], unit=place["unit"],
                                           project=place["project"], bank="建设银行", amount=Decimal("800000"),
                                           term_months=240)
        out[code] = OverdueRecord.objects.create(
            loan=loan, project=place["project"], customer=place["owner"], amount=Decimal("25000.00"),
            overdue_since=dt.date(2026, 3, 1), periods=3, first_upload=upload, last_upload=upload,
            last_report_date=upload.report_date)
    return out
