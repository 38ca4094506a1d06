"""The API's views: thin, as the pages are. Reads go through the apps' selectors with the
client's service user (crm.scopes gives it the client's projects, so a record of another project
is a 404); writes through api.upsert and the services."""
from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _now
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers as drf_serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import selectors as complaint_selectors
from complaints.filters import ComplaintFilter
from crm.filters import filter_list
from mortgage.filters import OverdueRecordFilter
from mortgage.selectors import overdue_records_for

from . import selectors, serializers
from .models import Resource


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-id",)

    def get_page_size(self, request):
        """A page_size out of 1…200 is refused: DRF quietly gave 200 rows for 500 (a client that
        stops at a short page stopped early) and 50 for 0, -3 or "abc"."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError({self.page_size_query_param: [
                _now("page_size 应为 1 到 {max} 之间的整数。").format(max=self.max_page_size)]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        cursor, size = super().get_schema_operation_parameters(view)
        cursor["description"] = ("The `next` (or `previous`) link of the page before holds it: follow `next` until "
                                 "it is null. A cursor that was altered is a 404 (`无效游标`).")
        size["description"] = (f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}); another value "
                               "is a 400. The last page is the one whose `next` is null.")
        size["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size, "default": self.page_size}
        return [cursor, size]


class ByReceived(Cursor):
    ordering = ("-received_at", "-id")


class ApiView(APIView):
    """Every API view: token only (LoginRequiredMiddleware is for the staff's pages)."""

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))


def _one(queryset, label, pk):
    """The record, or a 404 that names what was asked for (get_object_or_404's was English and
    named our model: "No Complaint matches the given query.")."""
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise NotFound(_now("找不到 id 为 {id} 的{label}。").format(id=pk, label=label))
    return row


@login_not_required
def not_found(request, path=""):
    """Any other address under /api/v1/: a JSON 404 (it was the staff's HTML page, and an address
    without its final slash was a redirect that a POST does not survive)."""
    detail = _now("没有这个接口：{path}。接口一览见 /api/docs/。").format(path=request.path)
    if not request.path.endswith("/"):
        try:
            resolve(request.path + "/")
        except Resolver404:
            pass
        else:
            detail = _now("没有这个接口：{path}。接口地址以 / 结尾，请改用 {path}/").format(path=request.path)
    return JsonResponse({"detail": detail}, status=404, json_dumps_params={"ensure_ascii": False})


class ApiListView(ApiView, generics.ListAPIView):
    pagination_class = Cursor


def _filtered(filterset_class, queryset, request, **kwargs):
    """The register's own FilterSet; an invalid filter is a 400 (the pages show it and filter
    nothing, an API answers with the reason)."""
    filterset, records = filter_list(filterset_class, queryset, request.query_params, **kwargs)
    if request.query_params and not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return records


def _filter_parameters(filterset_class):
    return [OpenApiParameter(name, str, required=False) for name in filterset_class.base_filters]


@extend_schema(responses=serializers.ClientOut)
class MeView(ApiView):
    """The calling system: its name, source, scopes and projects."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(serializers.ClientOut.of(request.auth))


@extend_schema_view(get=extend_schema(parameters=_filter_parameters(ComplaintFilter)))
class CaseList(ApiListView):
    """Cases (the complaint register), filtered as the register's filter bar, newest first."""

    resource = Resource.CASES
    serializer_class = serializers.CaseSerializer
    pagination_class = ByReceived

    def get_queryset(self):
        user = self.request.user
        filterset, records = complaint_selectors.register_list(
            user=user, params=self.request.query_params.dict())
        if self.request.query_params and not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return records.select_related("customer").order_by()


class CaseDetail(ApiView, generics.RetrieveAPIView):
    resource = Resource.CASES
    serializer_class = serializers.CaseSerializer

    def get_object(self):
        return _one(complaint_selectors.complaints_for(self.request.user)
                    .select_related("project", "unit", "customer", "department"), Resource.CASES.label, self.kwargs["pk"])


class ReturnVisitList(ApiListView):
    """Return visits (回访) of the cases in the client's projects, newest first."""

    resource = Resource.RETURN_VISITS
    serializer_class = serializers.ReturnVisitSerializer

    def get_queryset(self):
        return selectors.return_visits_for(self.request.user)


class SurveyList(ApiListView):
    """Satisfaction surveys (满意度调查) with their scores, newest first."""

    resource = Resource.RETURN_VISITS
    serializer_class = serializers.SurveySerializer

    def get_queryset(self):
        return selectors.surveys_for(self.request.user)


@extend_schema_view(get=extend_schema(parameters=_filter_parameters(OverdueRecordFilter)))
class OverdueList(ApiListView):
    """Overdue mortgage records for finance, filtered as the overdue register."""

    resource = Resource.OVERDUE
    serializer_class = serializers.OverdueSerializer

    def get_queryset(self):
        qs = overdue_records_for(self.request.user).select_related("loan__unit", "customer")
        return _filtered(OverdueRecordFilter, qs, self.request, user=self.request.user)


class OverdueDetail(ApiView, generics.RetrieveAPIView):
    resource = Resource.OVERDUE
    serializer_class = serializers.OverdueSerializer

    def get_object(self):
        return _one(overdue_records_for(self.request.user).select_related("loan__unit", "customer"),
                    Resource.OVERDUE.label, self.kwargs["pk"])


# --- Master data in ---------------------------------------------------------------------------

class UpsertView(ApiView):
    """Bulk upsert by external ids (api.upsert): at most 1,000 records, a result for each."""

    resource = ""  # set per resource below
    level = "write"

    def post(self, request):
        from . import services, upsert

        body = request.data if isinstance(request.data, dict) else {}
        records = body.get("records")
        if not isinstance(records, list):
            raise ValidationError({"records": [_now("请提供记录列表 records。")]})
        if len(records) > upsert.MAX_RECORDS:
            raise ValidationError({"records": [_now("每次最多 {n} 条记录。").format(n=upsert.MAX_RECORDS)]})
        all_or_nothing = body.get("all_or_nothing", False)
        if not isinstance(all_or_nothing, bool):  # bool("false") is True: a string would turn it on
            raise ValidationError({"all_or_nothing": [_now("all_or_nothing 应为 true 或 false（JSON 布尔值）。")]})

        def run():
            data = upsert.upsert(client=request.auth, resource=self.resource, records=records,
                                 all_or_nothing=all_or_nothing)
            return (status.HTTP_200_OK if data["committed"] else status.HTTP_422_UNPROCESSABLE_ENTITY), data

        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            code, data = run()
            return Response(data, status=code)
        if len(key) > 100:
            raise ValidationError({"Idempotency-Key": [_now("Idempotency-Key 最长 100 个字符。")]})
        # The endpoint is part of the request: the same key and body sent to another resource is
        # another request (it was answered with the first resource's results, writing nothing).
        request_text = self.resource + "\n" + json.dumps(body, sort_keys=True, default=str)
        try:
            code, data, replayed = services.idempotent_call(
                client=request.auth, key=key, body=request_text.encode(), run=run)
        except services.IdempotencyConflict:
            return Response({"detail": _now("该 Idempotency-Key 已用于另一个请求。")}, status=status.HTTP_409_CONFLICT)
        response = Response(data, status=code)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def _upsert_view(resource: str, spec):
    request = drf_serializers.Serializer
    body = type(f"{spec.serializer.__name__}Bulk", (request,), {
        "records": spec.serializer(many=True, help_text="at most 1,000 records"),
        "all_or_nothing": drf_serializers.BooleanField(default=False),
    })
    doc = extend_schema(
        request=body, responses={200: serializers.UpsertResponse, 422: serializers.UpsertResponse},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
        operation_id=f"{resource}_bulk_upsert", summary=f"Bulk upsert of {resource} by external id")
    def post(self, request):
        return UpsertView.post(self, request)

    return type(f"{resource.title()}Upsert", (UpsertView,), {"resource": resource, "post": doc(post)})


MAX_EXTERNAL_IDS = 200


class MasterDataList(ApiListView):
    """The records of a resource this client sent (keyed by its source), newest first; the
    ``external_id`` parameter, repeated, picks some."""

    resource = ""  # set per resource below

    def get_queryset(self):
        wanted = self.request.query_params.getlist("external_id")
        if len(wanted) > MAX_EXTERNAL_IDS:
            raise ValidationError({"external_id": [
                _now("一次最多查询 {n} 个 external_id。").format(n=MAX_EXTERNAL_IDS)]})
        return selectors.master_data_for(self.request.auth, self.resource, wanted)


def _read_view(resource: str):
    doc = extend_schema(
        operation_id=f"{resource}_list", summary=f"The {resource} this system sent, by external id",
        description=(f"Read back the {resource} written with `POST /api/v1/{resource}/bulk/` (or adopted by their "
                     "natural key): only the records keyed by the calling system's `source`, within its projects, "
                     "newest first, parents by their external ids. Needs the read (or write) scope of the resource."),
        parameters=[OpenApiParameter(
            "external_id", {"type": "array", "items": {"type": "string"}}, explode=True, required=False,
            description=f"Repeat to pick records: `?external_id=A&external_id=B` (at most {MAX_EXTERNAL_IDS}); "
                        "an unknown one is simply not in the results.")])
    def get(self, request, *args, **kwargs):  # a function of its own: extend_schema marks the function
        return MasterDataList.get(self, request, *args, **kwargs)

    return type(f"{resource.title()}List", (MasterDataList,), {
        "resource": resource, "serializer_class": serializers.MASTER_DATA_OUT[resource], "get": doc(get)})


def read_views() -> dict:
    from .upsert import SPECS

    return {resource: _read_view(resource) for resource in SPECS}


def upsert_views() -> dict:
    from .upsert import SPECS

    return {resource: _upsert_view(resource, spec) for resource, spec in SPECS.items()}


@extend_schema(request=serializers.CloseoutIn, responses=serializers.CloseoutOut)
class CloseoutView(ApiView):
    """Record a project's close-out hand-over date (封盘交接), the project by its external id."""

    resource = Resource.CLOSEOUT
    level = "write"

    def put(self, request, external_id):
        from . import services

        client = request.auth
        project = selectors.client_projects(client, external_id).first()
        if project is None:
            raise NotFound(_now("找不到外部编号为 {id} 的{label}。").format(id=external_id, label=_now("项目")))
        form = serializers.CloseoutIn(data=request.data)
        form.is_valid(raise_exception=True)
        project, moved = services.closeout_record(client=client, project=project,
                                                  closeout_date=form.validated_data["closeout_date"])
        return Response({"project": project.pk, "closeout_date": project.closeout_date,
                         "cases_handed_over": len(moved)})
