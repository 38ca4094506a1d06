"""Demo data: one user per role and, through each app's ``demo.py``, records in every state.

Loaders run in ``order``; each is idempotent (natural keys and update_or_create), so
``make run`` can load the demo data every time without duplicating anything.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from crm.models import Department, StaffProfile
from crm.roles import Role

DEMO_PASSWORD = "crm-demo-2026"
LOADERS: list[tuple[int, callable]] = []

DEMO_USERS = {
    Role.FRONT_DESK: ("王小前", "customer-affairs"),
    Role.CS_STAFF: ("李专员", "customer-affairs"),
    Role.CS_SUPERVISOR: ("张主管", "customer-affairs"),
    Role.MANAGER: ("陈经理", "management"),
    Role.PROJECT_DEPT: ("赵项目", "project"),
    Role.FINANCE: ("钱财务", "finance"),
    Role.LEGAL: ("孙法务", "general-affairs"),
    Role.PROPERTY_COMPANY: ("周物业", ""),
    Role.ADMIN: ("系统管理员", "customer-affairs"),
}
DEPARTMENTS = {
    "customer-affairs": "客户事务部",
    "management": "公司管理层",
    "project": "项目部",
    "finance": "财务部",
    "general-affairs": "综合管理部",
}


def demo_loader(order: int):
    def decorator(fn):
        LOADERS.append((order, fn))
        return fn

    return decorator


def demo_user(role: str):
    return get_user_model().objects.get(username=role)


@demo_loader(order=0)
def load_users(log):
    departments = {
        code: Department.objects.update_or_create(code=code, defaults={"name": name})[0]
        for code, name in DEPARTMENTS.items()
    }
    User = get_user_model()
    for role, (full_name, dept) in DEMO_USERS.items():
        user, created = User.objects.get_or_create(username=role, defaults={"first_name": full_name})
        if created:
            user.set_password(DEMO_PASSWORD)
        user.first_name = full_name
        user.email = f"{role}@demo.local"
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        user.save()
        StaffProfile.objects.update_or_create(
            user=user, defaults={"role": role, "department": departments.get(dept)}
        )
        user.groups.set([Group.objects.get(name=role)])
    log(f"演示账号：{len(DEMO_USERS)} 个")


def load_all(log) -> None:
    for _, loader in sorted(LOADERS, key=lambda pair: pair[0]):
        loader(log)
