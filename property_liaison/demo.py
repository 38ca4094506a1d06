import datetime as dt

from crm.demo import demo_loader, demo_user
from owners.models import Project
from property_liaison.models import PropertyAppointment, PropertyCompany


@demo_loader(order=20)
def load_companies(log):
    company, _ = PropertyCompany.objects.update_or_create(
        name="绿城物业服务有限公司", defaults={"contact": "周经理", "phone": "0571-88880001"}
    )
    other, _ = PropertyCompany.objects.update_or_create(
        name="安居物业管理有限公司", defaults={"contact": "吴经理", "phone": "0571-88880002"}
    )
    sunshine = Project.objects.get(code="sunshine")
    riverside = Project.objects.get(code="riverside")
    PropertyAppointment.objects.update_or_create(
        project=sunshine, company=company, defaults={"start_date": dt.date(2023, 12, 1), "contract_no": "WY-2023-001"}
    )
    PropertyAppointment.objects.update_or_create(
        project=riverside, company=other, defaults={"start_date": dt.date(2026, 9, 1), "contract_no": "WY-2026-007"}
    )
    profile = demo_user("property_company").profile
    profile.property_company = company
    profile.save(update_fields=["property_company"])
    log("演示物业公司：2 家")
