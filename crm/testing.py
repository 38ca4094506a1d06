"""Test support: a snapshot of the rows the demo loaders add, restored in later tests.

Loading the demo through its real loaders (services, workflows, history) takes seconds;
most tests only need the resulting rows. The first test of a run loads it for real and
serializes what the load added; later tests insert those rows in bulk with their original
primary keys. Rows that existed before the load (content types, permissions, the groups,
rules and time limits made by `setup_roles`) are referenced by natural identity, because
their ids change between tests (PostgreSQL sequences are not rolled back, and a
transactional test's flush recreates them).
"""
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction

SPECIAL = (ContentType, Permission)


def _models():
    # Tables the database fills itself (triggers: complaints.RegisterTally) are not rows of
    # the demo: inserting the demo's rows fills them again.
    return [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy
            and not getattr(m, "derived_by_triggers", False)]


def snapshot_rows() -> dict:
    """{model: set of primary keys} of every table, taken before the demo load."""
    return {m: set(m._base_manager.values_list("pk", flat=True)) for m in _models()}


def _unique_field(model):
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key:
            return field.attname
    return None


class _Ref(tuple):
    """A reference to a row that existed before the demo load, by its natural identity."""


def _identity(model, pk):
    if model is ContentType:
        ct = ContentType.objects.get(pk=pk)
        return _Ref((ct.app_label, ct.model))
    if model is Permission:
        perm = Permission.objects.select_related("content_type").get(pk=pk)
        return _Ref((perm.content_type.app_label, perm.content_type.model, perm.codename))
    field = _unique_field(model)
    if field is None:
        return None
    return _Ref((model._base_manager.filter(pk=pk).values_list(field, flat=True).get(),))


def _lookup(model, identity):
    if model is ContentType:
        return ContentType.objects.get_by_natural_key(*identity).pk
    if model is Permission:
        return Permission.objects.get(content_type__app_label=identity[0], content_type__model=identity[1],
                                      codename=identity[2]).pk
    return model._base_manager.get(**{_unique_field(model): identity[0]}).pk


refusal = []


def _refuse(reason):
    refusal.append(reason)
    return None


def demo_rows_added(before: dict):
    """The rows added since `before`, serialized; None when the load deleted rows or points
    at an earlier row it cannot name (then the demo is loaded for real every time)."""
    added = []
    for model in _models():
        old = before.get(model, set())
        pks = set(model._base_manager.values_list("pk", flat=True))
        if not old <= pks:
            return _refuse(f"{model._meta.label}: rows deleted")
        new = sorted(pks - old)
        if not new:
            continue
        if model in SPECIAL:
            return _refuse(f"{model._meta.label}: rows added")
        relations = [f for f in model._meta.concrete_fields if f.is_relation]
        many = list(model._meta.many_to_many)
        rows = serializers.serialize("python", model._base_manager.filter(pk__in=new).order_by("pk"))
        for row in rows:
            fields = row["fields"]
            for field in relations:
                value = fields.get(field.name)
                if value is not None and value in before.get(field.related_model, ()):
                    fields[field.name] = _identity(field.related_model, value)
                    if fields[field.name] is None:
                        return _refuse(f"{model._meta.label}.{field.name}")
            for field in many:
                values = fields.get(field.name) or []
                fields[field.name] = [_identity(field.related_model, v) if v in before.get(field.related_model, ())
                                      else v for v in values]
                if None in fields[field.name]:
                    return _refuse(f"{model._meta.label}.{field.name}")
        added.append((model, relations + many, rows))
    return added


def restore_rows(added) -> None:
    """Insert the snapshot's rows in bulk, keeping their primary keys."""
    cache = {}

    def lookup(target, identity):
        key = (target, identity)
        if key not in cache:
            cache[key] = _lookup(target, identity)
        return cache[key]

    loaded = []
    # Foreign keys are checked once at the end (deferred on PostgreSQL, disabled on SQLite).
    with transaction.atomic(), connection.constraint_checks_disabled():
        for model, refs, rows in added:
            m2m = []
            objects = []
            for row in rows:
                fields = dict(row["fields"])
                for field in refs:
                    value = fields.get(field.name)
                    if isinstance(value, list):
                        fields[field.name] = [lookup(field.related_model, v) if isinstance(v, _Ref) else v
                                              for v in value]
                    elif isinstance(value, _Ref):
                        fields[field.name] = lookup(field.related_model, value)
                data = {"model": row["model"], "pk": row["pk"], "fields": fields}
                obj = next(serializers.deserialize("python", [data]))
                objects.append(obj.object)
                m2m.append(obj.m2m_data or {})
            model._base_manager.bulk_create(objects, batch_size=500)
            for field in model._meta.many_to_many:
                if not field.remote_field.through._meta.auto_created:
                    continue  # a declared through model is dumped as rows of its own
                through = field.remote_field.through
                source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                links = [through(**{f"{source}_id": obj.pk, f"{target}_id": pk})
                         for obj, data in zip(objects, m2m) for pk in data.get(field.name, ())]
                through._base_manager.bulk_create(links, batch_size=500)
            loaded.append(model)
        connection.check_constraints(table_names=[m._meta.db_table for m in loaded])
    for model in apps.get_models():
        if getattr(model, "derived_by_triggers", False):
            model.rebuild()  # whatever order the rows went in, the derived table is exact
    statements = connection.ops.sequence_reset_sql(no_style(), loaded)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def run_at_once(*calls):
    """Run the callables in threads released together; [(result or None, exception or None)].

    Each thread has its own database connection (as two web workers would) and closes it.
    """
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = (call(), None)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread raised
            outcomes[index] = (None, exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def notices_not_opening(client, notifications=None) -> list[str]:
    """The notifications whose recipient cannot open what they point to, through the pages:
    its link must answer 200 for its recipient, and a notice without a link (internal work)
    must not be held by an outside user (the property company). [] when all is right."""
    from crm.models import Notification
    from crm.roles import OUTSIDE_ROLES
    from crm.scopes import user_role

    wrong = []
    notes = Notification.objects.select_related("recipient") if notifications is None else notifications
    for note in notes:
        if not note.url:
            if user_role(note.recipient) in OUTSIDE_ROLES:
                wrong.append(f"{note.recipient.username} holds internal notice «{note.title}»")
            continue
        client.force_login(note.recipient)
        status = client.get(note.url).status_code
        if status != 200:
            wrong.append(f"{note.recipient.username} gets {status} on «{note.title}» {note.url}")
    return wrong


def workflow_edges(workflow, obj, user) -> list[str]:
    """Walk every edge of a declared workflow on one record: for each transition, from every
    state of its field (its requirements met), fire it as ``user`` inside a savepoint that is
    rolled back. From a source state the record must reach the target with one more history
    row, unless a guard on the record itself refuses (PermissionDenied or a plain
    ValidationError: the state allowed it); from any other state the workflow must refuse with
    TransitionNotAllowed and change nothing. Returns the edges that broke the rule ([] when
    the workflow holds)."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from crm.workflow import TransitionNotAllowed

    model = type(obj)
    manager = model._default_manager
    broken = []
    for transition in workflow.transitions:
        field = workflow.field_of(transition)
        met = {other: states[0] for other, states in transition.requires}
        for state in [value for value, _ in model._meta.get_field(field).choices]:
            allowed_here = state in transition.sources
            edge = f"{transition.name} from {state}"
            with transaction.atomic():
                manager.filter(pk=obj.pk).update(**{field: state}, **met)
                record = manager.get(pk=obj.pk)
                rows = record.history.count()
                try:
                    workflow.fire(record, transition.name, user=user)
                except TransitionNotAllowed:
                    if allowed_here:
                        broken.append(f"{edge}: refused from a source state")
                    elif getattr(manager.get(pk=obj.pk), field) != state or record.history.count() != rows:
                        broken.append(f"{edge}: refused but the record changed")
                except (PermissionDenied, ValidationError):
                    if not allowed_here:
                        broken.append(f"{edge}: not refused as a wrong state (a guard spoke first)")
                else:
                    if not allowed_here:
                        broken.append(f"{edge}: fired from a state that is not a source")
                    elif getattr(manager.get(pk=obj.pk), field) != transition.target:
                        broken.append(f"{edge}: did not reach {transition.target}")
                    elif record.history.count() != rows + 1:
                        broken.append(f"{edge}: wrote {record.history.count() - rows} history rows, not 1")
                transaction.set_rollback(True)
    return broken


def session_read_queries() -> int:
    """What a warm page spends reading its session: nothing where sessions are cached in Redis
    (``cached_db``, REDIS_URL set), one query where they live in the database alone."""
    from django.conf import settings

    return 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1


def approval_matrix_set(admin_client, rule, role: str):
    """Give ``rule`` (a crm.ApprovalRule) to ``role`` the way an administrator does: in the
    admin's own editable list of the approval matrix. Returns the response (302 when saved)."""
    from django.urls import reverse

    from crm.models import ApprovalRule

    rules = list(ApprovalRule.objects.order_by("subject", "level"))
    data = {"form-TOTAL_FORMS": len(rules), "form-INITIAL_FORMS": len(rules), "_save": "保存"}  # i18n: data
    for i, r in enumerate(rules):
        data[f"form-{i}-id"] = r.pk
        data[f"form-{i}-approver_role"] = role if r.pk == rule.pk else r.approver_role
    return admin_client.post(reverse("admin:crm_approvalrule_changelist"), data)


def export_sheet(response) -> tuple[tuple, list[tuple]]:
    """(header, rows) of the workbook a register export answered with (crm:export_register)."""
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


def export_keeps_exactly(client, code: str, params: dict, column: str, shown) -> list[tuple]:
    """The export of register ``code`` with valid filters ``params`` holds exactly the rows of
    its unfiltered export whose ``column`` shows ``shown`` (neither none nor all of them); those
    rows are returned."""
    from django.urls import reverse

    url = reverse("crm:export_register", args=[code])
    header, every = export_sheet(client.get(url))
    _, asked = export_sheet(client.get(url, params))
    index = header.index(column)
    assert 0 < len(asked) < len(every), (code, params, len(asked), len(every))
    assert sorted(map(repr, asked)) == sorted(repr(row) for row in every if row[index] == shown)
    return asked


def export_refused(client, code: str, params: dict, headers: dict | None = None) -> list[str]:
    """Ask ``client`` for the export of register ``code`` with ``params`` that it must refuse
    (crm.exports.export_start): the answer is the 400 page that says why, no workbook, no
    ExportJob row and no file. Returns the reasons the page lists."""
    from pathlib import Path

    from django.conf import settings
    from django.urls import reverse
    from django.utils.html import escape

    from crm.models import ExportJob

    folder = Path(settings.EXPORT_ROOT)
    files = sorted(folder.iterdir()) if folder.exists() else []
    jobs = ExportJob.objects.count()
    response = client.get(reverse("crm:export_register", args=[code]), params, headers=headers)
    assert response.status_code == 400, f"{code} {params}: {response.status_code}"
    assert "Content-Disposition" not in response and response["Content-Type"].startswith("text/html")
    assert ExportJob.objects.count() == jobs, f"{code} {params}: a job was queued"
    assert (sorted(folder.iterdir()) if folder.exists() else []) == files, f"{code} {params}: a file was written"
    page = response.content.decode()
    reasons = list(response.context["reasons"])
    assert reasons and all(escape(reason) in page for reason in reasons), page
    assert 'data-testid="export-refused"' in page
    return reasons
