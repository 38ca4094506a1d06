"""Every number of DOMAIN.md that is not a per-clock SLA rule, with its default.

``rule(key)`` reads the admin's override (the ``Rule`` table) or falls back to the
default here. ``manage.py setup_roles`` writes a row for each default so that admins
see and edit all of them in one admin list.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from crm import caching


@dataclass(frozen=True)
class RuleDefault:
    value: Decimal
    unit: str
    description: str


def _d(value, unit, description):
    """A default: its unit and description are marked for translation (the admin list shows them
    in the reader's language, ``label``); the row ``ensure_rules`` seeds keeps the office's."""
    return RuleDefault(Decimal(str(value)), unit, description)


DEFAULTS: dict[str, RuleDefault] = {
    "owners.visit_quota_department": _d(10, _("户/月"), _("每个部门每月访问业主数不少于")),
    "owners.visit_quota_assistant": _d(20, _("户/月"), _("每位客户助理每月访问业主数不少于")),
    "complaints.event_major_owner_count": _d(5, _("户"), _("同一事件投诉业主数达到即升级为重大投诉")),
    "complaints.unresolved_major_days": _d(7, _("天"), _("有效投诉超过该天数未解决即升级为重大投诉")),
    "complaints.return_visit_target_percent": _d(100, "%", _("回访率目标")),
    "complaints.sla_warn_percent": _d(80, "%", _("时限用去该比例时预警")),
    "complaints.sla_manager_percent": _d(150, "%", _("时限用去该比例(超时后)仍未处理即上报公司主管经理")),
    "liaison.coordination_max_interval_months": _d(1, _("月"), _("每个项目至少每月协调一次：上次协调后最长间隔的自然月数")),
    "liaison.committee_area_percent": _d(50, "%", _("交付面积达到总面积该比例即具备首次业主大会条件")),
    "liaison.committee_years_after_first_delivery": _d(2, _("年"), _("首次交付满该年数且交付面积达下项比例亦具备条件")),
    "liaison.committee_min_area_percent_after_years": _d(20, "%", _("首次交付满年限后所需的最低交付面积比例")),
    "liaison.committee_notice_days": _d(15, _("天"), _("具备条件后书面报告区房管部门和街道办事处的期限")),
    "liaison.warranty_ending_report_days": _d(60, _("天"), _("保修即将到期报表的提前天数")),
    "mortgage.litigation_overdue_months": _d(6, _("月"), _("按揭逾期超过该月数须诉讼")),
    "mortgage.litigation_overdue_amount": _d(20000, _("元"), _("逾期金额超过该数须诉讼")),
    "mortgage.agreement_approval_min_fee": _d(0, _("元"), _("代办协议总金额达到该数须经审批(0 表示一律审批)")),
    "crm.archive_after_days": _d(365, _("天"), _("关闭超过该天数的记录自动归档(只读，仍可搜索和导出；0 表示不自动归档)")),
    "crm.export_sync_max_rows": _d(2000, _("行"), _("不超过该行数的导出直接下载，更多则后台生成")),
    "crm.export_keep_days": _d(7, _("天"), _("导出的Excel文件(含个人信息)保留该天数后删除")),
    "crm.notification_keep_days": _d(180, _("天"), _("已读通知保留该天数后删除(未读通知一直保留；0 表示不删除)")),
    "api.idempotency_keep_days": _d(30, _("天"), _("接口的幂等键(Idempotency-Key)及其应答保留该天数后删除(0 表示不删除)")),
    "portal.code_valid_minutes": _d(5, _("分钟"), _("业主端：登录验证码的有效时间")),
    "portal.code_max_failures": _d(5, _("次"), _("业主端：验证码输错该次数即作废")),
    "portal.codes_per_phone_hour": _d(5, _("条"), _("业主端：同一手机号每小时最多获取验证码条数")),
    "portal.codes_per_ip_hour": _d(20, _("条"), _("业主端：同一 IP 地址每小时最多获取验证码条数")),
    "portal.cases_per_day": _d(10, _("件"), _("业主端：每位业主每天最多提交的新事项数")),
    "portal.photos_per_report": _d(9, _("张"), _("业主端：每次反映或补充最多上传的照片数")),
    "clubs.points_join": _d(100, _("分"), _("客户会：入会获得积分")),
    "clubs.points_referral": _d(200, _("分"), _("客户会：推荐新会员入会，推荐人获得积分")),
    "clubs.points_purchase": _d(500, _("分"), _("客户会：会员购房(含推荐成交)获得积分")),
    "clubs.points_participation": _d(20, _("分"), _("客户会：参加一次活动获得积分")),
    "clubs.points_suggestion": _d(50, _("分"), _("客户会：建议被采纳获得积分")),
}

_CACHE_KEY = "crm.rule.{}"


def rule(key: str) -> Decimal:
    """The current value of a rule: the admin's override or the default."""
    if key not in DEFAULTS:
        raise KeyError(f"unknown rule {key!r}")
    return Decimal(caching.remember(_CACHE_KEY.format(key), lambda: str(_stored(key)), 60))


def _stored(key: str) -> Decimal:
    from crm.models import Rule

    value = Rule.objects.filter(key=key).values_list("value", flat=True).first()
    return DEFAULTS[key].value if value is None else value


def label(key: str) -> tuple[str, str]:
    """(description, unit) of the rule ``key`` in the reader's language; ("", "") for a key the
    code no longer declares (its row keeps what was seeded)."""
    default = DEFAULTS.get(key)
    return (str(default.description), str(default.unit)) if default else ("", "")


def rule_int(key: str) -> int:
    return int(rule(key))


def forget(key: str) -> None:
    caching.forget(_CACHE_KEY.format(key))


def ensure_rules() -> int:
    """Create a row for every default that has none; never overwrite an admin's value."""
    from crm.languages import recorded
    from crm.models import Rule

    created = 0
    for key, default in DEFAULTS.items():
        _row, was_created = Rule.objects.get_or_create(
            key=key, defaults={"value": default.value, "unit": recorded(default.unit),
                               "description": recorded(default.description)}
        )
        created += was_created
    return created
