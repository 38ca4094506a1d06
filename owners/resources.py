"""django-import-export mappings for customers, units and ownership (Chinese column headers)."""
from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from owners.masking import mask_id, mask_phone
from owners.matching import MASK_RE, id_matches, is_blank, name_matches
from owners.models import Building, Customer, Ownership, Project, Unit
from crm.validators import check_happened
from owners.validators import normalize_id, normalize_phone, validate_id_number, validate_phone


class ChoiceLabelWidget(widgets.Widget):
    """Accepts either the stored value or the Chinese label of a choice."""

    def __init__(self, choices, default=""):
        super().__init__()
        self.choices = choices
        self.default = default

    def clean(self, value, row=None, **kwargs):
        value = ("" if value is None else str(value)).strip()
        if not value:
            return self.default
        for code, label in self.choices:
            if value in (code, str(label)):
                return code
        raise ValueError(f"无效的取值“{value}”，可选：{'、'.join(str(label) for _, label in self.choices)}")

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(value, value)


class ProjectWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Project, "code")

    def clean(self, value, row=None, **kwargs):
        value = ("" if value is None else str(value)).strip()
        if not value:
            raise ValueError("请填写项目编码或名称")
        project = Project.objects.filter(code=value).first() or Project.objects.filter(name=value).first()
        if project is None:
            raise ValueError(f"没有项目“{value}”")
        return project


class ChineseBooleanWidget(widgets.BooleanWidget):
    TRUE_VALUES = ["1", 1, True, "true", "TRUE", "True", "是", "Y", "y"]
    FALSE_VALUES = ["0", 0, False, "false", "FALSE", "False", "否", "N", "n"]

    def clean(self, value, row=None, **kwargs):
        if value in ("", None):
            return False
        if value in self.TRUE_VALUES:
            return True
        if value in self.FALSE_VALUES:
            return False
        raise ValueError(f"“{value}”不是“是/否”")


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()


class CustomerResource(resources.ModelResource):
    """Customers keyed by phone: a known phone updates, a new one creates (with a new code)."""

    code = fields.Field(attribute="code", column_name="客户编码", readonly=True)
    name = fields.Field(attribute="name", column_name="姓名", widget=TextWidget())
    gender = fields.Field(attribute="gender", column_name="性别", widget=ChoiceLabelWidget(Customer.Gender.choices))
    birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=widgets.DateWidget("%Y-%m-%d"))
    id_number = fields.Field(attribute="id_number", column_name="身份证号", widget=TextWidget())
    phone = fields.Field(attribute="phone", column_name="手机", widget=TextWidget())
    phone_alt = fields.Field(attribute="phone_alt", column_name="其他电话", widget=TextWidget())
    email = fields.Field(attribute="email", column_name="电子邮箱", widget=TextWidget())
    occupation = fields.Field(attribute="occupation", column_name="职业", widget=TextWidget())
    address = fields.Field(attribute="address", column_name="通讯地址", widget=TextWidget())
    project = fields.Field(attribute="project", column_name="所属项目", widget=ProjectWidget())
    stage = fields.Field(attribute="stage", column_name="客户阶段",
                         widget=ChoiceLabelWidget(Customer.Stage.choices, Customer.Stage.PROSPECT))
    source = fields.Field(attribute="source", column_name="客户来源",
                          widget=ChoiceLabelWidget(Customer.Source.choices, Customer.Source.OTHER))
    online = fields.Field(attribute="online", column_name="线上客户", widget=ChineseBooleanWidget())
    confidential = fields.Field(attribute="confidential", column_name="保密服务", widget=ChineseBooleanWidget())

    class Meta:
        model = Customer
        import_id_fields = ["phone"]
        fields = ["code", "name", "gender", "birth_date", "id_number", "phone", "phone_alt", "email", "occupation",
                  "address", "project", "stage", "source", "online", "confidential"]
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = False  # one save per row, so simple-history writes a record for each

    def __init__(self, user=None):
        super().__init__()
        self.user = user

    def before_import_row(self, row, **kwargs):
        if row.get("手机") is not None:
            row["手机"] = normalize_phone(str(TextWidget().clean(row.get("手机"))))

    # Identifying columns: 手机 finds the customer (import_id_fields); 姓名, 身份证号 and, when the
    # file has it, 客户编码 must then agree with the customer found, or the row is refused: a known
    # phone with someone else's name is another person, not an update (issue 13, defect 7).
    # 身份证号 and 客户编码 are optional: blank (or masked as our exports write it) is no mismatch,
    # and a blank or masked ID never overwrites the one on file. The customer is the instance
    # import-export already read, so the check costs no query.
    def _identity_errors(self, instance, known: tuple, row) -> dict:
        pk, code, name, id_number = known
        errors = {}
        given_code = str(row.get("客户编码") or "").strip()
        if pk is None:
            if given_code:
                errors["code"] = [f"客户编码“{given_code}”与手机 {mask_phone(instance.phone)} 不符：该手机号没有已建档客户"
                                  "（新客户请留空客户编码）"]
            return errors
        who = f"手机 {mask_phone(instance.phone)} 的已有客户 {code}"
        if given_code and given_code != code:
            errors["code"] = [f"客户编码“{given_code}”与{who}不符（应为“{code}”）"]
        if not is_blank(instance.name) and not name_matches(instance.name, name):
            errors["name"] = [f"姓名“{instance.name}”与{who}不符（应为“{name}”）"]
        if is_blank(instance.id_number) or (id_number and MASK_RE.search(instance.id_number or "")
                                            and id_matches(instance.id_number, id_number)):
            instance.id_number = id_number  # a blank or masked ID keeps the one on file
        elif id_number and not id_matches(instance.id_number, id_number):
            errors["id_number"] = [f"身份证号“{mask_id(instance.id_number)}”与{who}不符（应为“{mask_id(id_number)}”）"]
        if is_blank(instance.name):
            instance.name = name
        return errors

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        known = (instance.pk, instance.code, instance.name, instance.id_number)
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for name, messages in self._identity_errors(instance, known, row).items():
            errors.setdefault(name, messages)
        if "phone" not in errors:
            try:
                validate_phone(instance.phone)
            except ValidationError as exc:
                errors["phone"] = exc.messages
        if "birth_date" not in errors:
            try:
                check_happened(instance.birth_date, label="出生日期")
            except ValidationError as exc:
                errors["birth_date"] = exc.messages
        if instance.id_number and "id_number" not in errors and instance.id_number != known[3]:
            instance.id_number = normalize_id(instance.id_number)
            try:
                validate_id_number(instance.id_number)
            except ValidationError as exc:
                errors["id_number"] = exc.messages
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not instance.code:
            exclude = list(errors) + ["code"]
        else:
            exclude = list(errors)
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        if not instance.code:
            from owners.services import customer_code

            instance.code = customer_code()
            instance.created_by = self.user
        instance._history_user = self.user


class UnitResource(resources.ModelResource):
    project = fields.Field(attribute="project", column_name="项目", widget=ProjectWidget())
    building = fields.Field(attribute="building", column_name="楼栋", widget=TextWidget())
    number = fields.Field(attribute="number", column_name="房号", widget=TextWidget())
    floor = fields.Field(attribute="floor", column_name="楼层", widget=widgets.IntegerWidget())
    area = fields.Field(attribute="area", column_name="建筑面积", widget=widgets.DecimalWidget())
    layout = fields.Field(attribute="layout", column_name="户型", widget=TextWidget())
    delivery_date = fields.Field(attribute="delivery_date", column_name="交付日期",
                                 widget=widgets.DateWidget("%Y-%m-%d"))

    class Meta:
        model = Unit
        fields = ["project", "building", "number", "floor", "area", "layout", "delivery_date"]
        import_id_fields = []
        clean_model_instances = True
        use_bulk = False

    def __init__(self, user=None):
        super().__init__()
        self.user = user

    def get_instance(self, instance_loader, row):
        project = Project.objects.filter(code=row.get("项目")).first() or Project.objects.filter(
            name=row.get("项目")).first()
        if project is None:
            return None
        return Unit.objects.filter(building__project=project, building__name=str(row.get("楼栋") or "").strip(),
                                   number=str(TextWidget().clean(row.get("房号")))).first()

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "building":
            return  # resolved in before_save_instance, once the project is known
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=list(errors) + ["building"], validate_unique=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_import_row(self, row, **kwargs):
        if not str(row.get("楼栋") or "").strip():
            raise ValidationError({"building": ["请填写楼栋"]})

    def before_save_instance(self, instance, row, **kwargs):
        building, _ = Building.objects.get_or_create(project=instance.project, name=str(row.get("楼栋")).strip())
        instance.building = building
        instance._history_user = self.user


class CustomerCodeWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Customer, "code")

    def clean(self, value, row=None, **kwargs):
        value = ("" if value is None else str(value)).strip()
        customer = Customer.objects.filter(code=value).first() if value else None
        if customer is None:
            raise ValueError(f"没有客户编码“{value}”")
        return customer


class OwnershipResource(resources.ModelResource):
    customer = fields.Field(attribute="customer", column_name="客户编码", widget=CustomerCodeWidget())
    project = fields.Field(column_name="项目")
    building = fields.Field(column_name="楼栋")
    number = fields.Field(column_name="房号")
    kind = fields.Field(attribute="kind", column_name="关系",
                        widget=ChoiceLabelWidget(Ownership.Kind.choices, Ownership.Kind.OWNER))
    contract_date = fields.Field(attribute="contract_date", column_name="签约日期", widget=widgets.DateWidget("%Y-%m-%d"))
    movein_date = fields.Field(attribute="movein_date", column_name="入住日期", widget=widgets.DateWidget("%Y-%m-%d"))

    class Meta:
        model = Ownership
        fields = ["customer", "project", "building", "number", "kind", "contract_date", "movein_date"]
        import_id_fields = []
        clean_model_instances = True
        use_bulk = False

    def __init__(self, user=None):
        super().__init__()
        self.user = user

    def _unit(self, row):
        project = str(row.get("项目") or "").strip()
        return Unit.objects.filter(building__name=str(row.get("楼栋") or "").strip(),
                                   number=str(TextWidget().clean(row.get("房号")))).filter(
            models_q(project)).first()

    def get_instance(self, instance_loader, row):
        unit = self._unit(row)
        code = str(row.get("客户编码") or "").strip()
        kind = ChoiceLabelWidget(Ownership.Kind.choices, Ownership.Kind.OWNER)
        try:
            kind_value = kind.clean(row.get("关系"))
        except ValueError:
            return None
        return Ownership.objects.filter(unit=unit, customer__code=code, kind=kind_value).first() if unit else None

    def import_instance(self, instance, row, **kwargs):
        # Identifying columns: 客户编码 (the customer), 项目 + 楼栋 + 房号 (the unit, all three must
        # name it) and, when the file has it, 姓名: it must be the name of the customer the code
        # names (blank is no mismatch). The customer is the one the widget already read.
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        given_name = row.get("姓名")
        customer = instance.customer if instance.customer_id else None
        if customer is not None and not is_blank(given_name) and not name_matches(given_name, customer.name):
            errors["name"] = [f"姓名“{str(given_name).strip()}”与客户编码 {customer.code} 不符（应为“{customer.name}”）"]
        # 签约日期 and 入住日期 have happened, and one moves in after signing (issue 13, defect 6).
        for name, label, after in (("contract_date", "签约日期", ()),
                                   ("movein_date", "入住日期", [(instance.contract_date, "签约日期")])):
            if name not in errors:
                try:
                    check_happened(getattr(instance, name), label=label, after=after)
                except ValidationError as exc:
                    errors[name] = exc.messages
        unit = self._unit(row)
        if unit is None:
            errors["unit"] = ["找不到该房号（请核对项目、楼栋、房号）"]
        else:
            instance.unit = unit
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = self.user


def models_q(project: str):
    from django.db.models import Q

    return Q(project__code=project) | Q(project__name=project)


RESOURCES = {"customers": CustomerResource, "units": UnitResource, "ownerships": OwnershipResource}
