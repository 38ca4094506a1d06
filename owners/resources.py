"""django-import-export mappings for customers, units and ownership (Chinese column headers)."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from crm.imports import cell_date, cell_number, cell_text
from owners.masking import mask_id, mask_phone
from owners.matching import MASK_RE, id_matches, is_blank, name_matches
from owners.models import Building, Customer, Ownership, Project, Unit
from crm.validators import check_happened
from owners.validators import normalize_id, normalize_phone, validate_id_number, validate_phone


class ChoiceLabelWidget(widgets.Widget):
    """Accepts the stored value or the label of a choice: the Chinese label the office's files
    carry, whatever the importing user's language, or the label in that language."""

    def __init__(self, choices, default=""):
        super().__init__()
        self.choices = choices
        self.default = default

    def clean(self, value, row=None, **kwargs):
        value = ("" if value is None else str(value)).strip()
        if not value:
            return self.default
        with translation.override(settings.LANGUAGE_CODE):
            office = [str(label) for _code, label in self.choices]
        for (code, label), office_label in zip(self.choices, office, strict=True):
            if value in (code, office_label, str(label)):
                return code
        raise ValueError(gettext("无效的取值“{value}”，可选：{choices}").format(
            value=value, choices="、".join(str(label) for _code, label in self.choices)))

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(value, value)


class ProjectWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Project, "code")

    def clean(self, value, row=None, **kwargs):
        value = ("" if value is None else str(value)).strip()
        if not value:
            raise ValueError(gettext("请填写项目编码或名称"))
        project = Project.objects.filter(code=value).first() or Project.objects.filter(name=value).first()
        if project is None:
            raise ValueError(gettext("没有项目“{value}”").format(value=value))
        return project


class ChineseBooleanWidget(widgets.BooleanWidget):
    TRUE_VALUES = ["1", 1, True, "true", "TRUE", "True", "是", "Y", "y"]  # i18n: data
    FALSE_VALUES = ["0", 0, False, "false", "FALSE", "False", "否", "N", "n"]  # i18n: data

    def clean(self, value, row=None, **kwargs):
        if value in ("", None):
            return False
        if value in self.TRUE_VALUES:
            return True
        if value in self.FALSE_VALUES:
            return False
        raise ValueError(gettext("“{value}”不是“是/否”").format(value=value))


class DayWidget(widgets.DateWidget):
    """A date cell read as every import reads one (``crm.imports.cell_date``: a date cell, or text
    such as 2024-01-31, 2024/1/31, 2024年1月31日); one that is not a date is named in the user's
    language (django-import-export's own message is English: "Value could not be parsed …")."""

    def __init__(self):
        super().__init__("%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        if value is None or cell_text(value) == "":
            return None
        day = cell_date(value)
        if day is None:
            raise ValueError(gettext("“{value}”不是有效日期，请按“年-月-日”填写（如 2024-01-31）").format(
                value=cell_text(value)))
        return day


class NumberWidget(widgets.DecimalWidget):
    """A number cell; text that is not a number is named in the user's language (import-export let
    decimal's ConversionSyntax through as "[<class 'decimal.ConversionSyntax'>]")."""

    def clean(self, value, row=None, **kwargs):
        if value is None or cell_text(value) == "":
            return None
        number = cell_number(value)
        if number is None:
            raise ValueError(gettext("“{value}”不是有效的数字").format(value=cell_text(value)))
        return number


class WholeNumberWidget(NumberWidget):
    def clean(self, value, row=None, **kwargs):
        if value is None or cell_text(value) == "":
            return None
        number = cell_number(value)
        if number is None or number != number.to_integral_value():
            raise ValueError(gettext("“{value}”不是有效的整数").format(value=cell_text(value)))
        return int(number)


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()


class OncePerFile:
    """A resource mixin: a row whose record another row of the same file already names is refused
    ("与第 N 行重复", as the overdue list does), instead of being taken as an update of the record
    the earlier row created. ``row_key(row)`` says which record a row names (None: not known)."""

    duplicate_field = "__all__"

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._seen, self._lines = {}, getattr(dataset, "lines", None)

    def row_key(self, row):
        raise NotImplementedError

    def check_once(self, row, row_number, label: str) -> None:
        """Note (for ``import_instance``) whether this row repeats an earlier one: the row's other
        problems are still named with it."""
        self._repeated = {}
        key = self.row_key(row)
        if key is None or row_number is None:
            return
        line = self._lines[row_number - 1] if self._lines else row_number + 1
        first = self._seen.setdefault(key, line)
        if first != line:
            self._repeated = {self.duplicate_field: [gettext("{what} 与第 {line} 行重复").format(
                what=label, line=first)]}

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for name, messages in getattr(self, "_repeated", {}).items():
            errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)


def _cell(row, title: str) -> str:
    return str(TextWidget().clean(row.get(title)))


class CustomerResource(OncePerFile, resources.ModelResource):
    """Customers keyed by phone: a known phone updates, a new one creates (with a new code)."""

    code = fields.Field(attribute="code", column_name="客户编码", readonly=True)  # i18n: data
    name = fields.Field(attribute="name", column_name="姓名", widget=TextWidget())  # i18n: data
    gender = fields.Field(attribute="gender", column_name="性别", widget=ChoiceLabelWidget(Customer.Gender.choices))  # i18n: data
    birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=DayWidget())  # i18n: data
    id_number = fields.Field(attribute="id_number", column_name="身份证号", widget=TextWidget())  # i18n: data
    phone = fields.Field(attribute="phone", column_name="手机", widget=TextWidget())  # i18n: data
    phone_alt = fields.Field(attribute="phone_alt", column_name="其他电话", widget=TextWidget())  # i18n: data
    email = fields.Field(attribute="email", column_name="电子邮箱", widget=TextWidget())  # i18n: data
    occupation = fields.Field(attribute="occupation", column_name="职业", widget=TextWidget())  # i18n: data
    address = fields.Field(attribute="address", column_name="通讯地址", widget=TextWidget())  # i18n: data
    project = fields.Field(attribute="project", column_name="所属项目", widget=ProjectWidget())  # i18n: data
    stage = fields.Field(attribute="stage", column_name="客户阶段",  # i18n: data
                         widget=ChoiceLabelWidget(Customer.Stage.choices, Customer.Stage.PROSPECT))
    source = fields.Field(attribute="source", column_name="客户来源",  # i18n: data
                          widget=ChoiceLabelWidget(Customer.Source.choices, Customer.Source.OTHER))
    online = fields.Field(attribute="online", column_name="线上客户", widget=ChineseBooleanWidget())  # i18n: data
    confidential = fields.Field(attribute="confidential", column_name="保密服务", widget=ChineseBooleanWidget())  # i18n: data
    external_source = fields.Field(attribute="external_source", column_name="外部系统", widget=TextWidget())  # i18n: data
    external_id = fields.Field(attribute="external_id", column_name="外部编号", widget=TextWidget())  # i18n: data

    class Meta:
        model = Customer
        import_id_fields = ["phone"]
        fields = ["code", "name", "gender", "birth_date", "id_number", "phone", "phone_alt", "email", "occupation",
                  "address", "project", "stage", "source", "online", "confidential", "external_source", "external_id"]
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = False  # one save per row, so simple-history writes a record for each

    def __init__(self, user=None):
        super().__init__()
        self.user = user

    def get_instance(self, instance_loader, row):
        return by_external_id(Customer, row) or super().get_instance(instance_loader, row)

    duplicate_field = "phone"

    def row_key(self, row):
        return _external_key(row) if all(_external_key(row)) else (_cell(row, "手机") or None)  # i18n: data

    def before_import_row(self, row, **kwargs):
        check_external_id(row)
        if row.get("手机") is not None:  # i18n: data
            row["手机"] = normalize_phone(str(TextWidget().clean(row.get("手机"))))  # i18n: data
        self.check_once(row, kwargs.get("row_number"),
                        gettext("手机号 {phone}").format(phone=mask_phone(_cell(row, "手机"))))  # i18n: data

    # Identifying columns: 手机 finds the customer (import_id_fields); 姓名, 身份证号 and, when the
    # file has it, 客户编码 must then agree with the customer found, or the row is refused: a known
    # phone with someone else's name is another person, not an update (issue 13, defect 7).
    # 身份证号 and 客户编码 are optional: blank (or masked as our exports write it) is no mismatch,
    # and a blank or masked ID never overwrites the one on file. The customer is the instance
    # import-export already read, so the check costs no query.
    def _identity_errors(self, instance, known: tuple, row) -> dict:
        pk, code, name, id_number = known
        errors = {}
        given_code = str(row.get("客户编码") or "").strip()  # i18n: data
        if pk is None:
            if given_code:
                errors["code"] = [gettext("客户编码“{code}”与手机 {phone} 不符：该手机号没有已建档客户（新客户请留空客户编码）")
                                  .format(code=given_code, phone=mask_phone(instance.phone))]
            return errors
        who = gettext("手机 {phone} 的已有客户 {code}").format(phone=mask_phone(instance.phone), code=code)
        if given_code and given_code != code:
            errors["code"] = [gettext("客户编码“{given}”与{who}不符（应为“{code}”）").format(given=given_code, who=who,
                                                                                   code=code)]
        if not is_blank(instance.name) and not name_matches(instance.name, name):
            errors["name"] = [gettext("姓名“{given}”与{who}不符（应为“{name}”）").format(given=instance.name, who=who,
                                                                             name=name)]
        if is_blank(instance.id_number) or (id_number and MASK_RE.search(instance.id_number or "")
                                            and id_matches(instance.id_number, id_number)):
            instance.id_number = id_number  # a blank or masked ID keeps the one on file
        elif id_number and not id_matches(instance.id_number, id_number):
            errors["id_number"] = [gettext("身份证号“{given}”与{who}不符（应为“{id}”）").format(
                given=mask_id(instance.id_number), who=who, id=mask_id(id_number))]
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
                check_happened(instance.birth_date, label=_("出生日期"))
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
        instance._created = instance.pk is None
        if not instance.code:
            from owners.services import customer_code

            instance.code = customer_code()
            instance.created_by = self.user
        instance._history_user = self.user

    def after_save_instance(self, instance, row, **kwargs):
        from owners.services import customer_event

        # Other systems hear of it as of a page's or the API's change (rolled back with a preview).
        customer_event(instance, "created" if instance._created else "updated")


class UnitResource(OncePerFile, resources.ModelResource):
    project = fields.Field(attribute="project", column_name="项目", widget=ProjectWidget())  # i18n: data
    building = fields.Field(attribute="building", column_name="楼栋", widget=TextWidget())  # i18n: data
    number = fields.Field(attribute="number", column_name="房号", widget=TextWidget())  # i18n: data
    floor = fields.Field(attribute="floor", column_name="楼层", widget=WholeNumberWidget())  # i18n: data
    area = fields.Field(attribute="area", column_name="建筑面积", widget=NumberWidget())  # i18n: data
    layout = fields.Field(attribute="layout", column_name="户型", widget=TextWidget())  # i18n: data
    delivery_date = fields.Field(attribute="delivery_date", column_name="交付日期",  # i18n: data
                                 widget=DayWidget())
    external_source = fields.Field(attribute="external_source", column_name="外部系统", widget=TextWidget())  # i18n: data
    external_id = fields.Field(attribute="external_id", column_name="外部编号", widget=TextWidget())  # i18n: data

    class Meta:
        model = Unit
        fields = ["project", "building", "number", "floor", "area", "layout", "delivery_date", "external_source",
                  "external_id"]
        import_id_fields = []
        clean_model_instances = True
        use_bulk = False

    def __init__(self, user=None):
        super().__init__()
        self.user = user

    def get_instance(self, instance_loader, row):
        found = by_external_id(Unit, row)
        if found is not None:
            return found
        project = Project.objects.filter(code=row.get("项目")).first() or Project.objects.filter(  # i18n: data
            name=row.get("项目")).first()  # i18n: data
        if project is None:
            return None
        return Unit.objects.filter(building__project=project, building__name=str(row.get("楼栋") or "").strip(),  # i18n: data
                                   number=str(TextWidget().clean(row.get("房号")))).first()  # i18n: data

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

    duplicate_field = "number"

    def row_key(self, row):
        if all(_external_key(row)):
            return _external_key(row)
        return (_cell(row, "项目"), _cell(row, "楼栋"), _cell(row, "房号"))  # i18n: data

    def before_import_row(self, row, **kwargs):
        check_external_id(row)
        if not str(row.get("楼栋") or "").strip():  # i18n: data
            raise ValidationError({"building": [gettext("请填写楼栋")]})
        self.check_once(row, kwargs.get("row_number"), " ".join(self.row_key(row)))

    def before_save_instance(self, instance, row, **kwargs):
        building, _created = Building.objects.get_or_create(project=instance.project, name=str(row.get("楼栋")).strip())  # i18n: data
        instance.building = building
        instance._history_user = self.user


class CustomerCodeWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Customer, "code")

    def clean(self, value, row=None, **kwargs):
        value = ("" if value is None else str(value)).strip()
        customer = Customer.objects.filter(code=value).first() if value else None
        if customer is None:
            raise ValueError(gettext("没有客户编码“{value}”").format(value=value))
        return customer


class OwnershipResource(OncePerFile, resources.ModelResource):
    customer = fields.Field(attribute="customer", column_name="客户编码", widget=CustomerCodeWidget())  # i18n: data
    project = fields.Field(column_name="项目")  # i18n: data
    building = fields.Field(column_name="楼栋")  # i18n: data
    number = fields.Field(column_name="房号")  # i18n: data
    kind = fields.Field(attribute="kind", column_name="关系",  # i18n: data
                        widget=ChoiceLabelWidget(Ownership.Kind.choices, Ownership.Kind.OWNER))
    contract_date = fields.Field(attribute="contract_date", column_name="签约日期", widget=DayWidget())  # i18n: data
    movein_date = fields.Field(attribute="movein_date", column_name="入住日期", widget=DayWidget())  # i18n: data
    external_source = fields.Field(attribute="external_source", column_name="外部系统", widget=TextWidget())  # i18n: data
    external_id = fields.Field(attribute="external_id", column_name="外部编号", widget=TextWidget())  # i18n: data

    class Meta:
        model = Ownership
        fields = ["customer", "project", "building", "number", "kind", "contract_date", "movein_date",
                  "external_source", "external_id"]
        import_id_fields = []
        clean_model_instances = True
        use_bulk = False

    def __init__(self, user=None):
        super().__init__()
        self.user = user

    def _unit(self, row):
        project = str(row.get("项目") or "").strip()  # i18n: data
        return Unit.objects.filter(building__name=str(row.get("楼栋") or "").strip(),  # i18n: data
                                   number=str(TextWidget().clean(row.get("房号")))).filter(  # i18n: data
            models_q(project)).first()

    duplicate_field = "unit"

    def row_key(self, row):
        if all(_external_key(row)):
            return _external_key(row)
        return tuple(_cell(row, title) for title in ("客户编码", "项目", "楼栋", "房号", "关系"))  # i18n: data

    def before_import_row(self, row, **kwargs):
        check_external_id(row)
        key = self.row_key(row)
        self.check_once(row, kwargs.get("row_number"), " ".join(key))

    def get_instance(self, instance_loader, row):
        found = by_external_id(Ownership, row)
        if found is not None:
            return found
        unit = self._unit(row)
        code = str(row.get("客户编码") or "").strip()  # i18n: data
        kind = ChoiceLabelWidget(Ownership.Kind.choices, Ownership.Kind.OWNER)
        try:
            kind_value = kind.clean(row.get("关系"))  # i18n: data
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
        given_name = row.get("姓名")  # i18n: data
        customer = instance.customer if instance.customer_id else None
        if customer is not None and not is_blank(given_name) and not name_matches(given_name, customer.name):
            errors["name"] = [gettext("姓名“{given}”与客户编码 {code} 不符（应为“{name}”）").format(
                given=str(given_name).strip(), code=customer.code, name=customer.name)]
        # 签约日期 and 入住日期 have happened, and one moves in after signing (issue 13, defect 6).
        for name, label, after in (("contract_date", _("签约日期"), ()),
                                   ("movein_date", _("入住日期"), [(instance.contract_date, _("签约日期"))])):
            if name not in errors:
                try:
                    check_happened(getattr(instance, name), label=label, after=after)
                except ValidationError as exc:
                    errors[name] = exc.messages
        unit = self._unit(row)
        if unit is None:
            errors["unit"] = [gettext("找不到该房号（请核对项目、楼栋、房号）")]
        else:
            instance.unit = unit
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = self.user


def _external_key(row) -> tuple[str, str]:
    return (str(TextWidget().clean(row.get("外部系统"))), str(TextWidget().clean(row.get("外部编号"))))  # i18n: data


def check_external_id(row) -> None:
    """The same external ids as the API (api/upsert.py): 外部系统 and 外部编号 together, or neither."""
    source, external_id = _external_key(row)
    if bool(source) != bool(external_id):
        raise ValidationError({"external_id": [gettext("外部系统和外部编号须同时填写")]})


def by_external_id(model, row):
    """The record the sending system knows by this row's 外部系统 + 外部编号, if any: it is the
    one the row updates, as an API call with the same external id would."""
    source, external_id = _external_key(row)
    if not (source and external_id):
        return None
    return model.objects.filter(external_source=source, external_id=external_id).first()


def models_q(project: str):
    from django.db.models import Q

    return Q(project__code=project) | Q(project__name=project)


RESOURCES = {"customers": CustomerResource, "units": UnitResource, "ownerships": OwnershipResource}
