"""The API's views: thin, as the pages are. Reads go through the apps' selectors with the
client's service user (crm.scopes gives it the client's projects, so a record of another project
is a 404); writes through api.upsert and the services."""
from __future__ import annotations

import datetime as dt
import json
from base64 import b64encode
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _now
from django_filters import DateFilter
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers as drf_serializers, status
from rest_framework.exceptions import APIException, NotFound, ValidationError
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
from .filters import ReturnVisitFilter, SurveyFilter
from .models import Resource
from .schema import BULK_400, CLOSEOUT_400, CLOSEOUT_404, ERRORS, LIST_404, errors


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

    def paginate_queryset(self, queryset, request, view=None):
        self.model = queryset.model  # what the cursor's position must be a value of (decode_cursor)
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        """A cursor is only one this API wrote: anything else is a 404 ``无效游标``, as the schema
        says. DRF's own took a position of any text (``p=abc``: an empty page, or a database error),
        an offset past its cap (cut to 1,000: an empty page), a reverse flag of any digit, unknown
        keys and base64 with stray characters, each answered 200 with an empty or wrong page. Here
        the cursor is decoded, its position read as the ordering field reads it, and it must be
        written back exactly as given (which refuses everything DRF quietly changed)."""
        cursor = super().decode_cursor(request)
        if cursor is None:
            return None
        if cursor.position is not None and not self._position_is_valid(cursor.position):
            raise NotFound(self.invalid_cursor_message)
        tokens = {}
        if cursor.offset:
            tokens["o"] = str(cursor.offset)
        if cursor.reverse:
            tokens["r"] = "1"
        if cursor.position is not None:
            tokens["p"] = cursor.position
        try:
            written = b64encode(urlencode(tokens, doseq=True).encode("ascii")).decode("ascii")
        except UnicodeEncodeError:
            raise NotFound(self.invalid_cursor_message) from None
        # Empty ("?cursor="): no cursor the API writes (a client that sent it for "none" got the
        # first page again, and again).
        if not tokens or written != request.query_params.get(self.cursor_query_param):
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def _position_is_valid(self, position: str) -> bool:
        """A value of the ordering's first field, written as a row's value is (str of it): an id
        within a 64-bit integer, an aware date and time."""
        field = self.model._meta.get_field(self.ordering[0].lstrip("-"))
        try:
            value = field.to_python(position)
        except DjangoValidationError:
            return False
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            return False
        if isinstance(value, dt.datetime) and timezone.is_naive(value):
            return False
        return value is not None and str(value) == position

    def get_schema_operation_parameters(self, view):
        cursor, size = super().get_schema_operation_parameters(view)
        cursor["description"] = ("The `next` (or `previous`) link of the page before holds it: follow `next` until "  # i18n: data
                                 "it is null. A cursor that was altered is a 404 (`无效游标`).")
        size["description"] = (f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}); another value "
                               "is a 400. The last page is the one whose `next` is null.")
        size["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size, "default": self.page_size}
        return [cursor, size]

    def get_paginated_response_schema(self, schema):
        """DRF's example links were another API's (http://api.example.org/accounts/?cursor=cD00ODY%3D",
        with a stray quote) and said nothing of the last page."""
        out = super().get_paginated_response_schema(schema)
        out["required"] = ["next", "previous", "results"]
        out["properties"]["next"].update(
            example="https://crm.example.com/api/v1/cases/?cursor=cD0yMDI2LTEyLTA3&page_size=50",
            description="The next page: call it as it is, until it is null (the last page).")
        out["properties"]["previous"].update(
            example="https://crm.example.com/api/v1/cases/?cursor=cj0xJnA9MjAyNi0xMi0wNw%3D%3D&page_size=50",
            description="The page before; null on the first page.")
        return out


class ByReceived(Cursor):
    ordering = ("-received_at", "-id")


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class ApiView(APIView):
    # Every API view: token only (LoginRequiredMiddleware is for the staff's pages). Not a docstring:
    # the schema showed it as the description of the views that have none of their own.

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))

    def handle_exception(self, exc):
        """A body over DATA_UPLOAD_MAX_MEMORY_SIZE was Django's English HTML "Bad Request (400)"."""
        if isinstance(exc, RequestDataTooBig):
            exc = BodyTooLarge(_now("请求体超过 {mb} MB，请分批发送（每次最多 1,000 条记录）。").format(
                mb=settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)))
        return super().handle_exception(exc)


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


def _filter_parameters(filterset_class, notes: dict):
    """The register's filters as query parameters: a menu's values with their labels (its
    enum), a date's format, and ``notes`` for what a value means where the menu is the caller's
    (a project) or the filter is free text."""
    parameters = []
    for name, filter_ in filterset_class.base_filters.items():
        choices = filter_.extra.get("choices")
        choices = list(choices() if callable(choices) else choices or ())
        label = str(filter_.label)
        if choices:
            parameters.append(OpenApiParameter(name, str, required=False, enum=[str(k) for k, _v in choices],
                                               description=f"{label}: " + ", ".join(f"`{k}` {v}" for k, v in choices)))
        elif isinstance(filter_, DateFilter):
            parameters.append(OpenApiParameter(name, OpenApiTypes.DATE, required=False,
                                               description=f"{label}: {notes[name]} (YYYY-MM-DD)"))
        else:
            parameters.append(OpenApiParameter(name, str, required=False, description=f"{label}: {notes[name]}"))
    return parameters


PROJECT_ID = ("a project's `id` (`project` of a case, or `id` in `GET /api/v1/projects/`); one outside the "
              "client's projects is a 400")
CASE_FILTERS = {  # i18n: data (the API's docs, in English)
    "q": "words to search for, as the register's 搜索 box (a case number, a complainant's name, words of the title, "
         "description or replies); a case is found when it holds every word",
    "project": PROJECT_ID,
    "department": "a responsible department's id (the register's menu; the API lists departments by name only)",
    "received_from": "cases received on or after this day (China time)",
    "received_to": "cases received on or before this day (China time)",
}
OVERDUE_FILTERS = {
    "q": "part of the owner's name, the loan number or the unit number",
    "project": PROJECT_ID,
    "bank": "part of the bank's name",
}
RETURN_VISIT_FILTERS = {  # i18n: data (the API's docs, in English)
    "visited_from": "return visits made on or after this day (China time), as `received_from` of the cases",
}
SURVEY_FILTERS = {"surveyed_from": "surveys of this day or after, as `received_from` of the cases"}
LIST_ERRORS = errors(400, own={404: LIST_404})  # 400: a filter or page_size; 404: a cursor that was altered


@extend_schema(responses={200: serializers.ClientOut, 401: ERRORS[401], 429: ERRORS[429]})
class MeView(ApiView):
    """The calling system: its name, source, scopes and projects."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(serializers.ClientOut.of(request.auth))


@extend_schema_view(get=extend_schema(parameters=_filter_parameters(ComplaintFilter, CASE_FILTERS),
                                      responses={200: serializers.CaseSerializer(many=True), **LIST_ERRORS}))
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


@extend_schema_view(get=extend_schema(responses={200: serializers.CaseSerializer, **errors(404)}, parameters=[
    OpenApiParameter("id", int, OpenApiParameter.PATH, description="the case's `id` (from the list or a webhook)")]))
class CaseDetail(ApiView, generics.RetrieveAPIView):
    """A case by its `id`; one of another project is a 404."""

    resource = Resource.CASES
    serializer_class = serializers.CaseSerializer

    def get_object(self):
        return _one(complaint_selectors.complaints_for(self.request.user)
                    .select_related("project", "unit", "customer", "department"), Resource.CASES.label, self.kwargs["pk"])


@extend_schema_view(get=extend_schema(parameters=_filter_parameters(ReturnVisitFilter, RETURN_VISIT_FILTERS),
                                      responses={200: serializers.ReturnVisitSerializer(many=True), **LIST_ERRORS}))
class ReturnVisitList(ApiListView):
    """Return visits (回访) of the cases in the client's projects, newest first."""

    resource = Resource.RETURN_VISITS
    serializer_class = serializers.ReturnVisitSerializer

    def get_queryset(self):
        return _filtered(ReturnVisitFilter, selectors.return_visits_for(self.request.user), self.request)


@extend_schema_view(get=extend_schema(parameters=_filter_parameters(SurveyFilter, SURVEY_FILTERS),
                                      responses={200: serializers.SurveySerializer(many=True), **LIST_ERRORS}))
class SurveyList(ApiListView):
    """Satisfaction surveys (满意度调查) with their scores, newest first."""

    resource = Resource.RETURN_VISITS
    serializer_class = serializers.SurveySerializer

    def get_queryset(self):
        return _filtered(SurveyFilter, selectors.surveys_for(self.request.user), self.request)


@extend_schema_view(get=extend_schema(parameters=_filter_parameters(OverdueRecordFilter, OVERDUE_FILTERS),
                                      responses={200: serializers.OverdueSerializer(many=True), **LIST_ERRORS}))
class OverdueList(ApiListView):
    """Overdue mortgage records for finance, filtered as the overdue register."""

    resource = Resource.OVERDUE
    serializer_class = serializers.OverdueSerializer

    def get_queryset(self):
        qs = overdue_records_for(self.request.user).select_related("loan__unit", "customer")
        return _filtered(OverdueRecordFilter, qs, self.request, user=self.request.user)


@extend_schema_view(get=extend_schema(responses={200: serializers.OverdueSerializer, **errors(404)}, parameters=[
    OpenApiParameter("id", int, OpenApiParameter.PATH, description="the record's `id` (from the list or a webhook)")]))
class OverdueDetail(ApiView, generics.RetrieveAPIView):
    """An overdue mortgage record by its `id`; one of another project is a 404."""

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
        records, all_or_nothing = upsert.bulk_body(body)

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


BULK_EXAMPLES = {  # i18n: data (examples of the requests, as a client sends them)
    "customers": [
        OpenApiExample("new customers", request_only=True, value={"records": [
            {"external_id": "C-1001", "project": "P-1", "name": "李四", "phone": "13900001111", "gender": "F",
             "id_number": None}]}),
        OpenApiExample("a likely duplicate, checked and confirmed", request_only=True, description=(
            "Without `confirm_duplicate` the record was an `error` on `phone`: “可能与已有客户重复：手机（phone）与"
            "客户 C000123（外部编号 C-0999）相同……”. After checking that it is another person, send it again with "
            "`\"confirm_duplicate\": true`."), value={"records": [
                {"external_id": "C-1002", "project": "P-1", "name": "李四", "phone": "13900001111",
                 "confirm_duplicate": True}]}),
    ],
}


def _upsert_view(resource: str, spec):
    request = drf_serializers.Serializer
    body = type(f"{spec.serializer.__name__}Bulk", (request,), {
        "records": spec.serializer(many=True, help_text="at most 1,000 records"),
        "all_or_nothing": drf_serializers.BooleanField(default=False),
    })
    doc = extend_schema(
        request=body, operation_id=f"{resource}_bulk_upsert", examples=BULK_EXAMPLES.get(resource, []), summary=f"Bulk upsert of {resource} by external id",
        description=(f"Create or update up to 1,000 {resource} by your external ids; one result per record, in the "
                     "order sent (see the guide above: order of resources, a field left out, adoption, errors)."),
        responses={
            200: OpenApiResponse(serializers.UpsertResponse, description=(
                "Written (`committed`: true). Records with `status` `error` were not written: check `counts.error`.")),
            422: OpenApiResponse(serializers.UpsertResponse, description=(
                "`all_or_nothing` and a record failed: nothing was written (`committed`: false; `id` is null for "
                "the records that would have been created).")),
            **errors(409, 413, 415, own={400: BULK_400})},
        parameters=[OpenApiParameter(
            "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
            description=("A new unique value (a UUID) per request, at most 100 characters, sent again on a retry: "
                         "once a call with the key has run, it answers as it did the first time (header "
                         "`Idempotent-Replayed: true`) and runs nothing; the same key with another body or on "
                         "another endpoint is a 409."))])
    def post(self, request):
        return UpsertView.post(self, request)

    return type(f"{resource.title()}Upsert", (UpsertView,), {"resource": resource, "post": doc(post)})


MAX_EXTERNAL_IDS = 200


class MasterDataList(ApiListView):
    """The records of a resource this client sent (keyed by its source), newest first; the
    ``external_id`` parameter, repeated, picks some."""

    resource = ""  # set per resource below

    def get_queryset(self):
        from .parsers import UNSTORABLE, unstorable

        # Trimmed, as a record's external id is when it is written; a blank one picks nothing.
        asked = self.request.query_params.getlist("external_id")
        wanted = [value.strip() for value in asked if value.strip()]
        if unstorable(wanted):  # a NUL was a 500 on PostgreSQL (found by schemathesis)
            raise ValidationError({"external_id": [str(UNSTORABLE)]})
        if len(wanted) > MAX_EXTERNAL_IDS:
            raise ValidationError({"external_id": [
                _now("一次最多查询 {n} 个 external_id。").format(n=MAX_EXTERNAL_IDS)]})
        return selectors.master_data_for(self.request.auth, self.resource, wanted if asked else None)


def _read_view(resource: str):
    doc = extend_schema(
        operation_id=f"{resource}_list", summary=f"The {resource} this system sent, by external id",
        responses={200: serializers.MASTER_DATA_OUT[resource](many=True), **LIST_ERRORS},
        description=(f"Read back the {resource} written with `POST /api/v1/{resource}/bulk/`"
                     # customers are matched by external id only (the guide): none is adopted
                     + ("" if resource == "customers" else " (or adopted by their natural key)")
                     + ": only the records keyed by the calling system's `source`, within its projects, "
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


@extend_schema(request=serializers.CloseoutIn, responses={
                   200: serializers.CloseoutOut, **errors(415, own={400: CLOSEOUT_400, 404: CLOSEOUT_404})},
               parameters=[OpenApiParameter("external_id", str, OpenApiParameter.PATH,
                                            description="your external id of the project")])
class CloseoutView(ApiView):
    """Record a project's close-out hand-over date (封盘交接), the project by its external id.

    The date goes on the project's history. From that date the project's open cases held by the
    project department move to 客户事务部: at once for a date that has come (`cases_handed_over`
    counts them), else on the day. Sending the same date again changes nothing.

    The date is a day from 2000-01-01 to one year after today: an earlier one would hand every open
    case over at once (they do not move back), a later one is a typo; either is a 400 and nothing is
    recorded. The body has `closeout_date` only."""

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
        try:
            project, moved = services.closeout_record(client=client, project=project,
                                                      closeout_date=form.validated_data["closeout_date"])
        except DjangoValidationError as exc:  # the service's rule (owners.services.closeout_date_check)
            raise ValidationError(exc.message_dict) from None
        return Response({"project": project.pk, "closeout_date": project.closeout_date,
                         "cases_handed_over": len(moved)})
