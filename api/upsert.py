"""Master data in: bulk upserts of projects, buildings, units, customers and ownerships keyed by
the sending system's external ids (up to 1,000 records a call).

One call: every record is checked first (its fields by the serializer's fields, its parents by
their external ids within the client's projects, its natural keys against the stored rows and
the other records of the call), giving each one a result: created, updated, unchanged or error
(a Chinese message and the field). Then, unless the call is all-or-nothing and a record failed,
the good records are written in bulk, one statement per table and kind of change
(``bulk_create`` for new rows, ``crm.bulk.update_rows`` for changed ones), each with its history
row by the client's service user and the reason "接口同步", and the ``customer.changed`` events
go to the outbox. A stored row with no external id whose natural key (a project's code, a
unit's building and number …) matches a record is adopted: it gets the external id.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers as drf
from rest_framework.fields import empty

from crm import bulk, events
from crm.languages import recorded
from crm.sequences import next_values
from owners.models import Building, Customer, Ownership, Project, Unit
from owners.services import clean_customer_data

from . import serializers

MAX_RECORDS = 1000


def bulk_body(body: dict) -> tuple[list, bool]:
    """A bulk call's body read strictly: (records, all_or_nothing), or a 400 that says what is
    wrong. A misspelt key ("allOrNothing") is an error, not ignored while the good records are
    written; all_or_nothing is a JSON boolean (bool("false") would have turned it on)."""
    from rest_framework.exceptions import ValidationError

    unknown = sorted(set(body) - {"records", "all_or_nothing"})
    if unknown:
        raise ValidationError({name: [gettext("未知字段；请求体只有 records 和 all_or_nothing。")] for name in unknown})
    records = body.get("records")
    if not isinstance(records, list):
        raise ValidationError({"records": [gettext("请提供记录列表 records。")]})
    if len(records) > MAX_RECORDS:
        raise ValidationError({"records": [gettext("每次最多 {n} 条记录。").format(n=MAX_RECORDS)]})
    all_or_nothing = body.get("all_or_nothing", False)
    if not isinstance(all_or_nothing, bool):
        raise ValidationError({"all_or_nothing": [gettext("all_or_nothing 应为 true 或 false（JSON 布尔值）。")]})
    return records, all_or_nothing
CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"


@dataclass(frozen=True)
class Parent:
    name: str  # the input field, holding the parent's external id
    model: type
    attname: str  # the record's column it fills
    label: object  # what the message calls it


@dataclass(frozen=True)
class Spec:
    model: type
    serializer: type
    fields: tuple[str, ...]  # the columns written (attnames), parents' included
    parents: tuple[Parent, ...] = ()
    natural: tuple[tuple[str, ...], ...] = ()  # unique keys besides the external id
    defaults: dict = field(default_factory=dict)


SPECS: dict[str, Spec] = {
    "projects": Spec(Project, serializers.ProjectIn, ("code", "name", "address", "first_movein_date"),
                     natural=(("code",), ("name",)), defaults={"address": "", "first_movein_date": None}),
    "buildings": Spec(Building, serializers.BuildingIn, ("project_id", "name"),
                      parents=(Parent("project", Project, "project_id", _("项目")),), natural=(("project_id", "name"),)),
    "units": Spec(Unit, serializers.UnitIn,
                  ("building_id", "project_id", "number", "floor", "area", "layout", "delivery_date"),
                  parents=(Parent("building", Building, "building_id", _("楼栋")),),
                  natural=(("building_id", "number"),), defaults={"floor": None, "layout": "", "delivery_date": None}),
    "customers": Spec(Customer, serializers.CustomerIn,
                      ("project_id", "name", "gender", "stage", "source", "phone", "phone_alt", "id_number", "email"),
                      parents=(Parent("project", Project, "project_id", _("项目")),),
                      defaults={"gender": "", "stage": Customer.Stage.PROSPECT, "source": Customer.Source.OTHER,
                                "phone_alt": "", "id_number": "", "email": ""}),
    "ownerships": Spec(Ownership, serializers.OwnershipIn,
                       ("customer_id", "unit_id", "kind", "contract_date", "movein_date"),
                       parents=(Parent("customer", Customer, "customer_id", _("客户")),
                                Parent("unit", Unit, "unit_id", _("房号"))),
                       natural=(("customer_id", "unit_id", "kind"),),
                       defaults={"kind": Ownership.Kind.OWNER, "contract_date": None, "movein_date": None}),
}


@dataclass
class Result:
    external_id: str
    status: str = ""
    id: int | None = None
    field: str = ""
    message: str = ""
    values: dict | None = None
    project_id: int | None = None
    confirmed: bool = False  # a customer record's confirm_duplicate

    def fail(self, name: str, message) -> None:
        self.status, self.field, self.message = ERROR, name, str(message)

    def as_dict(self) -> dict:
        out = {"external_id": self.external_id, "status": self.status, "id": self.id}
        if self.status == ERROR:
            out.update(field=self.field, message=self.message)
        return out


def _check_fields(spec: Spec, record, result: Result) -> dict | None:
    """The record's values by the serializer's own fields (each field's validation, without a
    serializer per record: ten times faster), or None with the first error on ``result``."""
    if not isinstance(record, dict):
        result.fail("", _("每条记录应为一个对象。"))
        return None
    fields = _fields(spec.serializer)
    unknown = [name for name in record if name not in fields]
    if unknown:  # a misspelt field was left out without a word, and the record said "unchanged"
        result.fail(str(unknown[0]), gettext("记录中有未知字段 {name}；可用字段：{names}。").format(
            name=unknown[0], names="、".join(fields)))
        return None
    values = {}
    for name, fld in fields.items():
        raw = record.get(name, empty)
        try:
            value = fld.run_validation(raw)
        except drf.ValidationError as exc:
            detail = exc.detail[0] if isinstance(exc.detail, list) else exc.detail
            result.fail(name, _message(spec, name, fld, getattr(detail, "code", ""), raw))
            return None
        except drf.SkipField:
            continue
        values[name] = value
    return values


def _message(spec: Spec, name: str, fld, code: str, raw) -> str:
    """A field's refusal in Chinese, naming the field as the pages do."""
    try:
        label = spec.model._meta.get_field(name).verbose_name
    except Exception:  # noqa: BLE001 - an input field that is not a column (a parent's external id)
        label = {"project": _("项目"), "building": _("楼栋"), "customer": _("客户"), "unit": _("房号")}.get(
            name, _("外部编号") if name == "external_id" else name)
    if code == "null" and not fld.required:  # an optional menu whose column has no blank (stage, kind)
        return gettext("{label}（{name}）不能为 null：不改时请不发送该字段（新记录取默认值）。").format(
            label=label, name=name)
    if code in ("required", "null", "blank"):
        return gettext("请填写{label}（{name}）。").format(label=label, name=name)
    if code == "max_length":
        return gettext("{label}（{name}）最多 {n} 个字符。").format(label=label, name=name, n=fld.max_length)
    if code == "out_of_range":  # owners.validators.validate_master_date: a day no real record can have
        from owners.validators import MASTER_DATA_EARLIEST, master_date_latest

        return gettext("{label}（{name}）的取值“{value}”不可能：应在 {earliest} 到 {latest} 之间。").format(
            label=label, name=name, value=raw, earliest=MASTER_DATA_EARLIEST.isoformat(),
            latest=master_date_latest().isoformat())
    if code == "invalid_choice":
        return gettext("{label}（{name}）的取值“{value}”无效，可选：{choices}").format(
            label=label, name=name, value=raw, choices="、".join(str(c) for c in fld.choices))
    expected = _expected(fld)
    shown = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
    if not expected:
        return gettext("{label}（{name}）的取值“{value}”无效。").format(label=label, name=name, value=shown)
    return gettext("{label}（{name}）的取值“{value}”无效：{expected}。").format(
        label=label, name=name, value=shown, expected=expected)


def _expected(fld) -> str:
    """What a field takes, for its refusal ("无效" alone left the sender guessing the format)."""
    if isinstance(fld, drf.BooleanField):
        return gettext("应为 true 或 false（JSON 布尔值）")
    if isinstance(fld, drf.DateField):
        return gettext("应为存在的日期，格式 YYYY-MM-DD，如 2026-06-30")
    if isinstance(fld, drf.DecimalField):
        text = gettext("应为数字，整数部分最多 {whole} 位、小数最多 {places} 位").format(
            whole=fld.max_digits - fld.decimal_places, places=fld.decimal_places)
        if fld.min_value is not None:
            text += gettext("，不小于 {min}").format(min=fld.min_value)
        return text
    if isinstance(fld, drf.IntegerField):
        if fld.min_value is not None and fld.max_value is not None:
            return gettext("应为 {min} 到 {max} 之间的整数").format(min=fld.min_value, max=fld.max_value)
        return gettext("应为整数")
    if isinstance(fld, drf.EmailField):
        return gettext("应为电子邮箱地址，如 name@example.com")
    if isinstance(fld, drf.SlugField):
        return gettext("只能含英文字母、数字、- 和 _")
    if isinstance(fld, drf.CharField):
        return gettext("应为文字（JSON 字符串）")
    return ""


_FIELD_CACHE: dict = {}


def _fields(serializer_class) -> dict:
    if serializer_class not in _FIELD_CACHE:
        _FIELD_CACHE[serializer_class] = serializer_class().fields
    return _FIELD_CACHE[serializer_class]


def upsert(*, client, resource: str, records: list, all_or_nothing: bool = False) -> dict:
    """Check and write a call's records; returns {"committed", "counts", "results"}."""
    spec = SPECS[resource]
    source, scope = client.source, client.project_ids()
    results = [Result(external_id=str(r.get("external_id", "")) if isinstance(r, dict) else "") for r in records]
    seen: set[str] = set()
    for record, result in zip(records, results):
        values = _check_fields(spec, record, result)
        if values is None:
            continue
        # The id as its field reads it (spaces around it trimmed, as around a parent's id): the raw
        # text keyed the lookup, so "C1 " created a second customer beside C1.
        result.external_id = values["external_id"]
        if result.external_id in seen:
            result.fail("external_id", _("同一次调用中外部编号重复。"))
            continue
        seen.add(result.external_id)
        if resource == "customers":
            result.confirmed = bool(values.pop("confirm_duplicate", False))
            _clean_customer(values, result)
        result.values = values
    _resolve_parents(spec, source, scope, results)
    existing = _existing(spec, source, [r.external_id for r in results if r.status != ERROR])
    _plan(spec, resource, client, scope, results, existing)
    _check_natural_keys(spec, results)
    if resource == "customers":
        _check_duplicates(client, scope, results, existing)
    failed = any(r.status == ERROR for r in results)
    committed = not (failed and all_or_nothing)
    if committed:
        with transaction.atomic():
            _write(spec, resource, client, results, existing)
    counts = {s: 0 for s in (CREATED, UPDATED, UNCHANGED, ERROR)}
    for r in results:
        counts[r.status] += 1
        if not committed and r.status != ERROR:
            r.id = None if r.status == CREATED else r.id
    return {"committed": committed, "counts": counts, "results": [r.as_dict() for r in results]}


def _clean_customer(values: dict, result: Result) -> None:
    """Phones and ID number as the owners app stores and checks them."""
    try:
        cleaned = clean_customer_data({k: values[k] for k in ("name", "phone", "phone_alt", "id_number")
                                       if k in values})
    except DjangoValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        result.fail(name, messages[0])
        return
    values.update(cleaned)


def _resolve_parents(spec: Spec, source: str, scope, results: list[Result]) -> None:
    """Each parent's external id → its id (and project), one query per parent kind; a parent
    unknown to this source, or outside the client's projects, is "not found"."""
    for parent in spec.parents:
        wanted = {r.values[parent.name] for r in results if r.status != ERROR}
        project_col = "pk" if parent.model is Project else "project_id"
        found = {ext: (pk, project_id) for ext, pk, project_id in parent.model.objects.filter(
            external_source=source, external_id__in=wanted).values_list("external_id", "pk", project_col)}
        for r in results:
            if r.status == ERROR:
                continue
            hit = found.get(r.values[parent.name])
            if hit is None or (scope is not None and hit[1] not in scope):
                r.fail(parent.name, gettext("找不到外部编号为 {id} 的{label}。").format(
                    id=r.values[parent.name], label=parent.label))
                continue
            if r.project_id is not None and r.project_id != hit[1]:
                r.fail(parent.name, _("客户和房号不属于同一项目。"))
                continue
            r.values[parent.attname], r.project_id = hit
            if parent.model is Building:
                r.values["project_id"] = hit[1]


# The column that says which project a stored row belongs to (its scope).
SCOPE_COLUMN = {Project: "pk", Ownership: "unit__project_id"}


def _existing(spec: Spec, source: str, external_ids: list[str]) -> dict:
    """{external id: {column: value, "pk": id, "scope": its project}} of this source's stored rows."""
    names = ["pk", "external_id", *spec.fields, SCOPE_COLUMN.get(spec.model, "project_id")]
    rows = spec.model.objects.filter(external_source=source, external_id__in=external_ids).values_list(*names)
    return {row[1]: {**dict(zip(names, row)), "scope": row[-1]} for row in rows}


def _plan(spec: Spec, resource: str, client, scope, results: list[Result], existing: dict) -> None:
    """created (every column: defaults for what the record leaves out), updated (the stored row
    with the record's values over it) or unchanged; a stored row outside the client's projects
    is not found, and only a client of every project creates projects."""
    for r in results:
        if r.status == ERROR:
            continue
        stored = existing.get(r.external_id)
        values = {name: r.values[name] for name in spec.fields if name in r.values}
        if stored is not None and scope is not None and stored["scope"] not in scope:
            r.fail("external_id", gettext("找不到外部编号为 {id} 的记录。").format(id=r.external_id))
            continue
        if stored is None and resource == "projects" and scope is not None:
            r.fail("external_id", _("该接入系统只能修改允许的项目，不能新建项目。"))
            continue
        if stored is None:
            r.status, r.values = CREATED, {**spec.defaults, **values}
            continue
        r.id = stored["pk"]
        if resource == "projects":
            r.project_id = stored["pk"]
        if "project_id" in values and values["project_id"] != stored["project_id"]:
            # A building sent under another project moved alone: its units kept the old project
            # (Unit.project), and a unit or customer moved left its ownerships, cases and loans in the
            # old one ("客户和房号不属于同一项目" on the next call). The office moves such a record.
            r.fail(spec.parents[0].name, gettext(
                "该{what}已属于另一个项目，不能通过接口移到其他项目：它的房号、客户关系和案件都记在原项目下，"
                "如确需调整请联系客户事务部。").format(what=spec.model._meta.verbose_name))
            continue
        changed = [k for k, v in values.items() if not _same(stored[k], v)]
        r.status, r.values = (UPDATED, {**{k: stored[k] for k in spec.fields}, **values}) if changed else (UNCHANGED, None)


def _same(stored, new) -> bool:
    if isinstance(new, Decimal) and stored is not None:
        return Decimal(stored) == new
    return stored == new


def _check_natural_keys(spec: Spec, results: list[Result]) -> None:
    """A natural key (a unit's building and number …) taken by another stored row, or twice in
    the call, is an error; a stored row without an external id that has it is adopted (the row
    an Excel import or a user made gets the external id)."""
    for key in spec.natural:
        writing = [r for r in results if r.status in (CREATED, UPDATED)]
        if not writing:
            return
        name = key[-1].removesuffix("_id")
        label = spec.model._meta.get_field(name).verbose_name
        stored = {tuple(row[1:-1]): (row[0], row[-1]) for row in spec.model.objects.filter(
            **{f"{key[0]}__in": {r.values[key[0]] for r in writing}}).values_list("pk", *key, "external_id")}
        taken: set = set()
        for r in writing:
            value = tuple(r.values[k] for k in key)
            if value in taken:
                r.fail(name, gettext("同一次调用中{label}重复：{value}").format(label=label, value=value[-1]))
                continue
            taken.add(value)
            hit = stored.get(value)
            if hit is None or hit[0] == r.id:
                continue
            if r.status == CREATED and not hit[1]:
                r.status, r.id = UPDATED, hit[0]
                continue
            r.fail(name, gettext("{label}“{value}”已被其他记录使用。").format(label=label, value=value[-1]))


def _check_duplicates(client, scope, results: list[Result], existing: dict) -> None:
    """The staff's rule of a likely duplicate customer (owners.services: ``customer_duplicates_of``,
    ``duplicate_fields``): a customer created, or whose phone or ID number changes, with another
    customer's mobile phone or ID number (stored, or an earlier record's of this call) is an error
    on that field naming the other one, unless the record says ``"confirm_duplicate": true``. A
    customer this call updates is compared with its new values, not its stored ones. The other is
    named by its code, and by its external id only if it is this client's (its source, its
    projects): never its name, phone or ID number."""
    from owners.services import DUPLICATE_FIELDS, customer_duplicates_of, duplicate_fields

    writing = [r for r in results if r.status in (CREATED, UPDATED)]
    if not writing:
        return
    updating = {r.id for r in writing if r.status == UPDATED}
    columns = sorted({c for cols, _normalize in DUPLICATE_FIELDS.values() for c in cols})
    stored = [row for row in customer_duplicates_of(
        phones=[r.values["phone"] for r in writing], id_numbers=[r.values["id_number"] for r in writing],
    ).exclude(pk__in=updating).order_by("pk").values("pk", "code", "external_source", "external_id", "project_id",
                                                     *columns)]
    earlier: list[Result] = []
    for r in writing:
        before = existing.get(r.external_id)
        checked = {f: r.values[f] for f in DUPLICATE_FIELDS if before is None or before[f] != r.values[f]}
        hit = None if r.confirmed else _first_duplicate(checked, stored, earlier, duplicate_fields)
        if hit is not None:
            field, who = hit
            r.fail(field, gettext(
                "可能与已有客户重复：{label}（{field}）与{who}相同。核对后如确认不是同一人，请在该记录中加上 "
                "\"confirm_duplicate\": true 再发送。").format(
                label=Customer._meta.get_field(field).verbose_name, field=field, who=_named(client, scope, who)))
            continue
        earlier.append(r)


def _first_duplicate(values: dict, stored: list[dict], earlier: list[Result], duplicate_fields):
    """(field, the other customer: a stored row's values or an earlier record) or None."""
    for other in stored:
        fields = duplicate_fields(values, other)
        if fields:
            return fields[0], other
    for other in earlier:
        fields = duplicate_fields(values, other.values)
        if fields:
            return fields[0], other
    return None


def _named(client, scope, other) -> str:
    if isinstance(other, Result):
        return gettext("本次调用中的记录 {id}").format(id=other.external_id)
    if other["external_source"] == client.source and other["external_id"] and (
            scope is None or other["project_id"] in scope):
        return gettext("客户 {code}（外部编号 {id}）").format(code=other["code"], id=other["external_id"])
    return gettext("客户 {code}").format(code=other["code"])


def _write(spec: Spec, resource: str, client, results: list[Result], existing: dict) -> None:
    model, user, now = spec.model, client.user, timezone.now()
    reason = recorded(_("接口同步：{name}"), name=client.name)[:100]
    created = [r for r in results if r.status == CREATED]
    updated = [r for r in results if r.status == UPDATED]
    if created:
        extra = {}
        if resource == "customers":
            codes = next_values("customer", len(created))
            extra = {"created_by_id": user.pk}
            for r, n in zip(created, codes):
                r.values["code"] = f"C{n:06d}"
        objs = [model(external_source=client.source, external_id=r.external_id, **r.values, **extra)
                for r in created]
        objs = model.objects.bulk_create(objs)
        for r, obj in zip(created, objs):
            r.id = obj.pk
        model.history.bulk_history_create(objs, default_user=user, default_change_reason=reason, default_date=now)
    if updated:
        names = ["id", "external_source", "external_id", *spec.fields]
        rows = [(r.id, client.source, r.external_id, *(r.values[k] for k in spec.fields)) for r in updated]
        bulk.update_rows(model, names, rows)
        history = list(model.objects.filter(pk__in=[r.id for r in updated]).order_by()
                       .values_list(*bulk.history_names(model)))
        bulk.insert_history(model, history, history_type="~", user=user, reason=reason, date=now)
    if resource == "customers" and (created or updated):
        # The same data as the event of a page's change (owners.services.customer_event): the code too.
        codes = dict(model.objects.filter(pk__in=[r.id for r in updated]).values_list("pk", "code")) if updated else {}
        events.publish_many(events.CUSTOMER_CHANGED, [
            (r.project_id, {"id": r.id, "code": r.values["code"] if r.status == CREATED else codes[r.id],
                            "external_id": r.external_id, "change": r.status}) for r in created + updated])
