from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext

from crm.approvals import ensure_default_rules
from crm.roles import OWN_APPS, ROLE_PERMISSIONS, Role
from crm.rules import ensure_rules


def ensure_roles() -> dict[str, int]:
    """Create the ten groups (the nine office roles and the owner) and grant each the permissions
    of ``crm.roles`` it was never granted (crm.models.RoleGrant): a permission an admin took from a
    group is not given back by the next deploy, one newly named in crm.roles is given; what an admin
    added stays. Returns the number of permissions per group."""
    from crm.models import RoleGrant

    counts = {}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = ROLE_PERMISSIONS.get(role, [])
        if wanted == ["*"]:
            perms = list(Permission.objects.filter(content_type__app_label__in=OWN_APPS))
        else:
            perms = []
            for name in wanted:
                app_label, codename = name.split(".", 1)
                perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
                if perm is None:
                    raise LookupError(f"permission {name} named in crm.roles does not exist")
                perms.append(perm)
        granted = set(RoleGrant.objects.filter(group=group).values_list("permission_id", flat=True))
        new = [perm for perm in perms if perm.pk not in granted]
        group.permissions.add(*new)
        RoleGrant.objects.bulk_create([RoleGrant(group=group, permission=perm) for perm in new], ignore_conflicts=True)
        counts[role.value] = group.permissions.count()
    return counts


class Command(BaseCommand):
    help = gettext("创建或更新十个角色组及其权限、业务参数默认值和审批权限默认值（可重复执行）。")

    @transaction.atomic
    def handle(self, *args, **options):
        counts = ensure_roles()
        rules = ensure_rules()
        approvals = ensure_default_rules()
        self.stdout.write(gettext("角色组：{groups} 个；新增业务参数 {rules} 项；新增审批规则 {approvals} 条。").format(
            groups=len(counts), rules=rules, approvals=approvals))
