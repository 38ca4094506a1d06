"""The reconciliation page: records changed here after the sending system wrote them, and records
with no external id; exported to Excel."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from owners.models import Unit
from owners.services import project_closeout_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(system):
    caller = system(all_projects=True, source="sales")
    for resource, records in (
            ("projects", [{"external_id": "P1", "code": "lake", "name": "湖畔花园"}]),
            ("buildings", [{"external_id": "B1", "project": "P1", "name": "1栋"}]),
            ("units", [{"external_id": f"U{i}", "building": "B1", "number": f"{i}01", "area": "90"} for i in (1, 2)])):
        assert caller.post(reverse(f"api:{resource}_bulk"), {"records": records}).status_code == 200
    return caller


def test_a_record_changed_here_after_the_sync_and_one_without_an_external_id_are_listed(synced, client, make_user):
    admin = make_user("admin", username="root")
    unit = Unit.objects.get(external_id="U1")
    unit.area, unit._history_user = 95, admin
    unit.save()
    local = Unit.objects.create(project=unit.project, building=unit.building, number="909", area=70)
    client.force_login(admin)
    page = client.get(reverse("api:reconciliation"), {"kind": "units", "problem": "local"}).content.decode()
    assert "1栋-101" in page and "1栋-201" not in page and "909" not in page
    page = client.get(reverse("api:reconciliation"), {"kind": "units", "problem": "unlinked"}).content.decode()
    assert str(local) in page and "1栋-101" not in page
    response = client.get(reverse("crm:export_register", args=["api-reconciliation"]),
                          {"kind": "units", "problem": "local"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                     else response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(row[3] == "U1" and row[5] == "root" for row in values)
    assert not any(row[3] == "U2" for row in values)


def test_only_the_administrator_opens_it(client, make_user):
    client.force_login(make_user("cs_supervisor", username="sup"))
    assert client.get(reverse("api:reconciliation")).status_code == 403
    assert client.get(reverse("crm:export_register", args=["api-reconciliation"])).status_code == 403


def test_a_project_changed_here_shows_until_the_sales_system_writes_it_again(synced, client, make_user):
    admin = make_user("admin", username="root")
    project = synced.system.user  # noqa: F841 - the client's service user wrote everything so far
    from owners.models import Project

    lake = Project.objects.get(external_id="P1")
    project_closeout_record(project=lake, closeout_date=lake.first_movein_date or __import__("datetime").date(
        2026, 1, 1), user=admin)
    client.force_login(admin)
    assert "湖畔花园" in client.get(reverse("api:reconciliation"), {"kind": "projects"}).content.decode()
    synced.post(reverse("api:projects_bulk"), {"records": [{"external_id": "P1", "code": "lake", "name": "湖畔花园二期"}]})
    assert "湖畔花园" not in client.get(reverse("api:reconciliation"), {"kind": "projects"}).content.decode()
