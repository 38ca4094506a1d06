"""What the API reads and writes. Output: plain fields, the related records as their ids, codes
and external ids (no nested objects, so a page is one query). Input: the master data records of
the sales system, keyed by their external ids (api.upsert validates each record)."""
from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from complaints.models import Complaint, ReturnVisit
from mortgage.models import OverdueRecord
from owners.models import Building, Customer, Ownership, Project, SatisfactionSurvey, SurveyScore, Unit
from owners.validators import MASTER_DATA_EARLIEST, MASTER_DATA_YEARS_AHEAD, validate_master_date

from .models import SCOPE_CHOICES


def satisfaction_field(**kwargs) -> serializers.IntegerField:
    """A return visit's satisfaction, 1 (very dissatisfied) to 5 (very satisfied), as the return
    visit records it (complaints.services.return_visit_record): the column is any small integer,
    so the schema said "any integer" (0 … 2⁶³−1)."""
    return serializers.IntegerField(min_value=1, max_value=5, read_only=True, **kwargs)


class CaseSerializer(serializers.ModelSerializer):
    project_code = serializers.CharField(source="project.code")
    project_external_id = serializers.CharField(source="project.external_id")
    unit_external_id = serializers.CharField(source="unit.external_id", allow_null=True, default=None)
    customer_code = serializers.CharField(source="customer.code", allow_null=True, default=None)
    customer_external_id = serializers.CharField(source="customer.external_id", allow_null=True, default=None)
    department = serializers.CharField(source="department.name", allow_null=True, default=None)
    satisfaction = satisfaction_field(allow_null=True, help_text="1 to 5, from the return visit; null before it")

    class Meta:
        model = Complaint
        fields = ["id", "number", "kind", "channel", "category", "state", "visit_state", "valid", "severity",
                  "title", "received_at", "classified_at", "disposed_at", "closed_at", "next_deadline",
                  "satisfaction", "project", "project_code", "project_external_id", "unit", "unit_external_id",
                  "customer", "customer_code", "customer_external_id", "department"]


class ReturnVisitSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="complaint.number")
    project = serializers.IntegerField(source="complaint.project_id")
    satisfaction = satisfaction_field(help_text="1 (very dissatisfied) to 5 (very satisfied)")

    class Meta:
        model = ReturnVisit
        fields = ["id", "complaint", "case_number", "project", "handled", "satisfaction", "more_needs", "at"]


class ScoreSerializer(serializers.ModelSerializer):
    score = serializers.IntegerField(min_value=1, max_value=5, read_only=True, help_text="1 to 5 points")

    class Meta:
        model = SurveyScore
        fields = ["topic", "score"]


class SurveySerializer(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code")
    customer_external_id = serializers.CharField(source="customer.external_id")
    scores = ScoreSerializer(many=True)

    class Meta:
        model = SatisfactionSurvey
        fields = ["id", "project", "customer", "customer_code", "customer_external_id", "surveyed_on", "comment",
                  "scores"]


class OverdueSerializer(serializers.ModelSerializer):
    loan_number = serializers.CharField(source="loan.loan_number")
    bank = serializers.CharField(source="loan.bank")
    unit_external_id = serializers.CharField(source="loan.unit.external_id")
    customer_code = serializers.CharField(source="customer.code")
    customer_external_id = serializers.CharField(source="customer.external_id")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    periods = serializers.IntegerField(min_value=0, help_text="overdue instalments, as the bank's list says")

    class Meta:
        model = OverdueRecord
        fields = ["id", "project", "loan_number", "bank", "unit_external_id", "customer", "customer_code",
                  "customer_external_id", "amount", "overdue_since", "periods", "bank_recommends", "status",
                  "last_report_date", "closed_on", "litigation_required", "litigation_reason"]


# --- Master data read back: the fields a record is sent with, parents by their external ids -----

class ProjectOut(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "external_id", "code", "name", "address", "first_movein_date", "closeout_date"]


class BuildingOut(serializers.ModelSerializer):
    project = serializers.CharField(source="project.external_id", help_text="the project's external id")

    class Meta:
        model = Building
        fields = ["id", "external_id", "project", "name"]


class UnitOut(serializers.ModelSerializer):
    building = serializers.CharField(source="building.external_id", help_text="the building's external id")
    project = serializers.CharField(source="project.external_id", help_text="the project's external id (the building's)")
    area = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=True)
    # As stored: the records sent are -10 … 300 (UnitIn), the office's own entries are not bounded so.
    floor = serializers.IntegerField(allow_null=True, help_text="null: not known")

    class Meta:
        model = Unit
        fields = ["id", "external_id", "building", "project", "number", "floor", "area", "layout", "delivery_date"]


class CustomerOut(serializers.ModelSerializer):
    project = serializers.CharField(source="project.external_id", help_text="the project's external id")

    class Meta:
        model = Customer
        fields = ["id", "external_id", "code", "project", "name", "gender", "stage", "source", "phone", "phone_alt",
                  "id_number", "email"]


class OwnershipOut(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.external_id", help_text="the customer's external id")
    unit = serializers.CharField(source="unit.external_id", help_text="the unit's external id")
    kind = serializers.ChoiceField(choices=Ownership.Kind.choices)  # the input's enum (OwnershipInKindEnum)

    class Meta:
        model = Ownership
        fields = ["id", "external_id", "customer", "unit", "kind", "contract_date", "movein_date"]


MASTER_DATA_OUT = {"projects": ProjectOut, "buildings": BuildingOut, "units": UnitOut, "customers": CustomerOut,
                   "ownerships": OwnershipOut}


# --- Master data in ---------------------------------------------------------------------------

class DayField(serializers.DateField):
    """A day written YYYY-MM-DD that exists. DRF's DateField also took 2026-1-1 and 20261231
    though the schema says YYYY-MM-DD, and called 2026-02-30 a wrong format ("日期格式错误")
    when it is a day that does not exist. The range a record's day may have is the model's
    own validator (master_day), the same for the staff's forms and the imports."""

    default_error_messages = {
        "invalid": _("应为存在的日期，格式 YYYY-MM-DD，如 2026-06-30。"),
    }
    PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")

    def to_internal_value(self, value):
        if not (isinstance(value, str) and self.PATTERN.fullmatch(value.strip())):
            self.fail("invalid")
        return super().to_internal_value(value.strip())


DATE_HELP = (f"YYYY-MM-DD, from {MASTER_DATA_EARLIEST.isoformat()} to {MASTER_DATA_YEARS_AHEAD} years "
             "after today")  # i18n: data (the API's docs)


def master_day(**kwargs) -> DayField:
    """A date of the master data, under owners.validators.validate_master_date (9999-12-31 stored
    as a unit's delivery date made every warranty end computed from it a 500)."""
    return DayField(required=False, allow_null=True, help_text=DATE_HELP, validators=[validate_master_date],
                    **kwargs)


class NullAsBlank:
    """An optional text or menu field whose column may be blank takes ``null`` as no value, the
    same as ``""`` (stored blank; the schema says nullable). ``"gender": null`` was refused with
    "请填写性别（gender）" though the field is optional, as a sender's unset value is null."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, allow_null=True, **kwargs)

    def run_validation(self, data=empty):
        return super().run_validation("" if data is None else data)


class BlankText(NullAsBlank, serializers.CharField):
    pass


class BlankChoice(NullAsBlank, serializers.ChoiceField):
    pass


class BlankEmail(NullAsBlank, serializers.EmailField):
    pass


class JsonBoolean(serializers.BooleanField):
    """true or false as JSON booleans only (DRF's took "yes", "1" and 1 as true); null is no value."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class _Record(serializers.Serializer):
    external_id = serializers.CharField(max_length=64, help_text="your id of the record (unique in your source)")


class ProjectIn(_Record):
    code = serializers.SlugField(max_length=30)
    name = serializers.CharField(max_length=100)
    address = BlankText(max_length=200)
    first_movein_date = master_day()


class BuildingIn(_Record):
    project = serializers.CharField(max_length=64, help_text="the project's external id")
    name = serializers.CharField(max_length=50)


class UnitIn(_Record):
    building = serializers.CharField(max_length=64, help_text="the building's external id")
    number = serializers.CharField(max_length=20)
    floor = serializers.IntegerField(required=False, allow_null=True, min_value=-10, max_value=300)
    area = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0)
    layout = BlankText(max_length=40)
    delivery_date = master_day()


class CustomerIn(_Record):
    project = serializers.CharField(max_length=64, help_text="the project's external id")
    name = serializers.CharField(max_length=50)
    gender = BlankChoice(choices=Customer.Gender.choices)
    stage = serializers.ChoiceField(choices=Customer.Stage.choices, required=False)
    source = serializers.ChoiceField(choices=Customer.Source.choices, required=False)
    phone = serializers.CharField(max_length=20)
    phone_alt = BlankText(max_length=20)
    id_number = BlankText(max_length=18)
    email = BlankEmail()
    confirm_duplicate = JsonBoolean(required=False, allow_null=True, help_text=(  # i18n: data (the API's docs)
        "true: the sender checked that this is not a customer already here. A new customer, or a changed "
        "`phone` or `id_number`, equal to another customer's mobile phone (or other phone) or ID number, or to "
        "another record's of the same call, is otherwise an `error` on that field naming the customer "
        "(its `code`, and its `external_id` if it is yours), as the staff's form asks to confirm. "
        "Not stored: send it with the record each time it applies."))


class OwnershipIn(_Record):
    customer = serializers.CharField(max_length=64, help_text="the customer's external id")
    unit = serializers.CharField(max_length=64, help_text="the unit's external id")
    kind = serializers.ChoiceField(choices=Ownership.Kind.choices, required=False)
    contract_date = master_day()
    movein_date = master_day()


class UpsertResult(serializers.Serializer):
    external_id = serializers.CharField(allow_blank=True, help_text="as sent (empty if the record had none)")
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error"])
    id = serializers.IntegerField(allow_null=True, help_text="the record's id here; null for a new record not written")
    field = serializers.CharField(allow_blank=True, required=False, help_text="with `error`: the field at fault")
    message = serializers.CharField(allow_blank=True, required=False, help_text="with `error`: why, in Chinese")


class UpsertCounts(serializers.Serializer):
    """Records per status (each key always there; they add up to the records sent)."""

    created = serializers.IntegerField(min_value=0)
    updated = serializers.IntegerField(min_value=0)
    unchanged = serializers.IntegerField(min_value=0)
    error = serializers.IntegerField(min_value=0)


class UpsertResponse(serializers.Serializer):
    committed = serializers.BooleanField(help_text="false: all-or-nothing and a record failed, nothing written")
    counts = UpsertCounts(help_text="records per status: `created`, `updated`, `unchanged`, `error`")
    results = UpsertResult(many=True, help_text="one per record, in the order sent")


class ErrorOut(serializers.Serializer):
    """An error: `detail`, or for bad input each field with its messages, e.g.
    `{"page_size": ["page_size 应为 1 到 200 之间的整数。"]}`."""

    detail = serializers.CharField(required=False)


class CloseoutIn(serializers.Serializer):
    closeout_date = DayField(help_text=(  # i18n: data (the API's docs)
        "YYYY-MM-DD, from 2000-01-01 to one year after today (owners.services.closeout_date_check): "
        "on that day the project's open cases move to 客户事务部, at once for a day that has come."))

    def to_internal_value(self, data):
        """A field other than closeout_date is refused, as in a bulk call's body ({"closeoutDate": …}
        or {"closeout_date": …, "reason": …} was answered 200 with the extra field dropped)."""
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [gettext("未知字段；请求体只有 closeout_date。")]
                                                   for name in unknown})
        return super().to_internal_value(data)


class CloseoutOut(serializers.Serializer):
    project = serializers.IntegerField()
    closeout_date = serializers.DateField()
    cases_handed_over = serializers.IntegerField(min_value=0, help_text="open cases moved to 客户事务部 by this call")  # i18n: data


class ClientOut(serializers.Serializer):
    name = serializers.CharField()
    source = serializers.CharField()
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPE_CHOICES),
                                   help_text="`<resource>:read` or `<resource>:write` (write includes read)")
    projects = serializers.ListField(child=serializers.IntegerField(), allow_null=True,
                                     help_text="the ids of the client's projects; null: every project")

    @staticmethod
    def of(client):
        ids = client.project_ids()
        return {"name": client.name, "source": client.source, "scopes": list(client.scopes or []),
                "projects": None if ids is None else list(ids)}


