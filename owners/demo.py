"""Demo projects, buildings, units and owners (the owners issue adds more records)."""
import datetime as dt
from decimal import Decimal

from crm.demo import demo_loader, demo_user
from crm.sequences import next_value
from owners.models import Building, Customer, Ownership, Project, Unit

PROJECTS = [
    # code, name, address, close-out, first move-in
    ("sunshine", "阳光花园", "滨江区江南大道 88 号", dt.date(2024, 6, 30), dt.date(2023, 12, 20)),
    ("riverside", "江畔华府", "西湖区文三路 168 号", dt.date(2027, 3, 31), dt.date(2026, 9, 28)),
]
OWNERS = [
    # project, building, unit, area, name, gender, phone, id number, birth date, stage
    ("sunshine", "1栋", "1-101", "89.50", "刘建国", "M", "13800138001", "110101198001011232", dt.date(1980, 1, 1), "resident"),
    ("sunshine", "1栋", "1-102", "120.00", "陈美玲", "F", "13900139002", "", dt.date(1985, 11, 28), "resident"),
    ("sunshine", "2栋", "2-301", "143.20", "黄志强", "M", "13700137003", "", dt.date(1978, 12, 5), "resident"),
    ("sunshine", "2栋", "2-302", "89.50", "林晓燕", "F", "13600136004", "", dt.date(1990, 12, 1), "signed"),
    ("riverside", "A座", "A-1201", "98.00", "吴海涛", "M", "15800158005", "", dt.date(1988, 3, 15), "signed"),
    ("riverside", "A座", "A-1202", "126.40", "郑丽华", "F", "15900159006", "", dt.date(1992, 12, 10), "subscribed"),
]


@demo_loader(order=10)
def load_projects(log):
    projects = {}
    for code, name, address, closeout, movein in PROJECTS:
        projects[code], _ = Project.objects.update_or_create(
            code=code, defaults={"name": name, "address": address, "closeout_date": closeout, "first_movein_date": movein}
        )
    for code, building_name, number, area, name, gender, phone, id_number, birth, stage in OWNERS:
        project = projects[code]
        building, _ = Building.objects.get_or_create(project=project, name=building_name)
        unit, _ = Unit.objects.update_or_create(
            building=building, number=number,
            defaults={"project": project, "area": Decimal(area), "layout": "三室两厅" if Decimal(area) > 100 else "两室两厅",
                      "floor": int(number.split("-")[1][:-2] or 1), "delivery_date": project.first_movein_date},
        )
        customer = Customer.objects.filter(phone=phone).first()
        if customer is None:
            customer = Customer(code=f"C{next_value('customer'):06d}", phone=phone)
        customer.name, customer.gender, customer.birth_date, customer.stage = name, gender, birth, stage
        customer.project, customer.id_number = project, id_number
        customer.save()
        Ownership.objects.get_or_create(customer=customer, unit=unit, kind=Ownership.Kind.OWNER,
                                        defaults={"contract_date": dt.date(2023, 5, 1)})
    demo_user("project_dept").profile.projects.set([projects["riverside"]])
    log(f"演示项目：{len(projects)} 个，业主 {len(OWNERS)} 位")
