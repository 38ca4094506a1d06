"""Fixtures shared by crm's tests."""
import datetime as dt

import pytest

from crm.tests.factories import ProjectFactory


@pytest.fixture
def world(make_user):
    """Two projects (the property company appointed to the lake), a case in each, and users: the
    department roles, the lake's liaison and a project department for each project (crm's
    notification and routing tests)."""
    from complaints.services import complaint_register
    from property_liaison.models import PropertyAppointment, PropertyCompany

    lake, hill = ProjectFactory(code="lake", name="湖畔"), ProjectFactory(code="hill", name="山景")
    company = PropertyCompany.objects.create(name="湖畔物业")
    PropertyAppointment.objects.create(project=lake, company=company, start_date=dt.date(2024, 1, 1))
    users = {role: make_user(role, username=role) for role in ("front_desk", "cs_supervisor", "manager", "admin")}
    users["liaison"] = make_user("property_company", username="liaison", property_company=company)
    users["hill_dept"] = make_user("project_dept", username="hill_dept", projects=[hill])
    users["lake_dept"] = make_user("project_dept", username="lake_dept", projects=[lake])

    def case(project):
        return complaint_register(received_by=users["front_desk"], kind="complaint", channel="phone",
                                  category="repairs", title="漏水", description="漏水", project=project,
                                  complainant_name="业主", complainant_phone="13900000000")

    return {"users": users, "lake": lake, "lake_case": case(lake), "hill_case": case(hill)}


@pytest.fixture
def investigated_case(make_user):
    """An important case investigated and ready for its disposal plan (crm's approval tests)."""
    from complaints.services import (
        complaint_classify,
        complaint_investigate,
        complaint_register,
    )

    complaint = complaint_register(
        received_by=make_user("front_desk"), kind="complaint", channel="phone", category="repairs", title="漏水",
        description="卫生间漏水", project=ProjectFactory(code="p1", name="测试项目"),
        complainant_name="业主", complainant_phone="13900000000")
    complaint_classify(complaint=complaint, user=make_user("cs_supervisor"), valid=True, severity="important")
    return complaint_investigate(complaint=complaint, user=make_user("cs_staff"), cause="防水层破损",
                                 responsibility="施工方")
