"""Factories for the mortgage tests: projects with delivered units, owners, loans, xlsx files."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from mortgage.imports import COLUMNS

HEADERS = list(COLUMNS.values())


@pytest.fixture
def estate(roles):
    """A project with delivered units, each with one owner (the first three with loans)."""
    from crm.tests.factories import OwnerFactory, ProjectFactory, UnitFactory
    from mortgage.models import MortgageLoan

    project = ProjectFactory(code="p1", name="测试花园")
    delivered = timezone.localdate() - dt.timedelta(days=30)
    units, owners, loans = [], [], []
    for i in range(1, 6):
        unit = UnitFactory(project=project, number=f"1-{100 + i}", delivery_date=delivered if i <= 4 else None)
        owner = OwnerFactory(code=f"T{i:05d}", name=f"业主{i}", phone=f"1380000000{i}", project=project,
                             id_number=f"11010119800101{i:04d}", unit=unit)
        units.append(unit)
        owners.append(owner)
        if i <= 4:
            loans.append(MortgageLoan.objects.create(
                loan_number=f"L{i:04d}", customer=owner, unit=unit, project=project, bank="建设银行",
                amount=Decimal("800000"), term_months=240))
    return {"project": project, "units": units, "owners": owners, "loans": loans}


def months_ago(months: int, days: int = 0) -> dt.date:
    from dateutil.relativedelta import relativedelta

    return timezone.localdate() - relativedelta(months=months) - dt.timedelta(days=days)


def xlsx(rows, headers=None, name="overdue.xlsx") -> SimpleUploadedFile:
    """An .xlsx upload with a header row and ``rows`` (lists in header order)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers or HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def row(loan, amount, since, periods=1, recommends="否"):
    return [loan.customer.name, loan.customer.id_number, loan.unit.number, loan.loan_number, loan.bank,
            amount, since, periods, recommends]


@pytest.fixture
def demo(roles):
    """Only the demo loaders this app builds on (users, owners) and its own: other apps'
    demo data is not needed here and must not make these tests depend on their state."""
    from crm.demo import LOADERS

    for order, loader in sorted(LOADERS, key=lambda pair: pair[0]):
        if order in (0, 10, 40):
            loader(lambda *_: None)
