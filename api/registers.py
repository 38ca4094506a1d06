"""Excel: the reconciliation with the sending systems (api.selectors.reconciliation)."""
from django.utils.translation import gettext_lazy as _

from crm.exports import Column, Register, register

from . import selectors


@register
class ReconciliationRegister(Register):
    code = "api-reconciliation"
    title = _("外部系统对账")
    permission = "api.view_systemclient"

    def filter_form(self, user, params):
        return selectors.reconciliation_params(params)[0]

    def queryset(self, user, params):
        _form, kind, problem = selectors.reconciliation_params(params)
        return selectors.reconciliation(kind, problem)

    def columns(self, user):
        return [
            Column(_("编号"), lambda r: r.pk, 8),
            Column(_("记录"), lambda r: str(r), 30),
            Column(_("外部系统"), lambda r: r.external_source, 12),
            Column(_("外部编号"), lambda r: r.external_id, 16),
            Column(_("最后修改时间"), lambda r: r.last_at, 18),
            Column(_("最后修改人"), lambda r: r.last_by or "", 14),
        ]
