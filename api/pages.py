"""The API's staff page: the reconciliation with the sending systems (admin only)."""
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from crm.views import page_of

from . import selectors


@permission_required("api.view_systemclient", raise_exception=True)
def reconciliation(request):
    form, kind, problem = selectors.reconciliation_params(request.GET)
    records = selectors.reconciliation(kind, problem)
    return render(request, "api/reconciliation.html", {
        "filter": {"form": form}, "page_obj": page_of(request, records, 50), "export_code": "api-reconciliation",
        "kind": kind, "problem": problem})
