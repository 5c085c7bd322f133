"""Registry page forms: shape only; the services validate ID numbers, codes and rules."""

from __future__ import annotations

from typing import Any

from django import forms

from gridgov.areas.forms import AreaChoiceField
from gridgov.areas.models import Area
from gridgov.core.forms import DateInput, VersionedForm
from gridgov.registry import codes


def _optional(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


class GridChoiceForm(forms.Form):
    grid = AreaChoiceField(label="网格", queryset=Area.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = (
            Area.objects.for_user(user, "registry.change").grids().active().order_by("path")
        )


class AddressForm(GridChoiceForm):
    street = forms.CharField(label="街路巷/村组", max_length=80, required=False)
    door_no = forms.CharField(label="门牌号", max_length=20, required=False)
    compound = forms.CharField(label="小区/院落", max_length=80, required=False)
    building = forms.CharField(label="楼栋", max_length=20, required=False)
    unit_no = forms.CharField(label="单元", max_length=10, required=False)
    floor = forms.CharField(label="楼层", max_length=10, required=False)
    room = forms.CharField(label="户室", max_length=20, required=False)


class HouseForm(forms.Form):
    use = forms.ChoiceField(label="建筑用途", choices=codes.BuildingUse.choices)
    floor_area = forms.DecimalField(
        label="建筑面积(平方米)", min_value=0, max_digits=10, decimal_places=2, required=False
    )
    ownership = forms.ChoiceField(label="产权性质", choices=codes.Ownership.choices)
    occupancy = forms.ChoiceField(label="使用状况", choices=codes.Occupancy.choices)
    rental_no = forms.CharField(label="出租房编号(门牌)", max_length=50, required=False)
    rental_use = forms.ChoiceField(
        label="出租用途", choices=_optional(codes.RentalUse.choices), required=False
    )
    rental_hazard = forms.ChoiceField(
        label="隐患类型", choices=_optional(codes.RentalHazard.choices), required=False
    )
    owner_name = forms.CharField(label="房东/产权人姓名", max_length=50, required=False)
    owner_id_number = forms.CharField(
        label="房东/产权人公民身份号码",
        max_length=20,
        required=False,
        help_text="出租房必填。已登记的人员会自动关联,姓名可不填。",
    )
    fire_pledge_signed = forms.BooleanField(label="已签消防安全承诺书", required=False)
    fire_pledge_date = forms.DateField(label="承诺书签订日期", required=False, widget=DateInput())


class UnitForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=150)
    unit_type = forms.ChoiceField(label="单位类型", choices=codes.UnitType.choices)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=30, required=False)
    enterprise_category = forms.ChoiceField(
        label="企业类别", choices=_optional(codes.EnterpriseCategory.choices), required=False
    )
    social_org_type = forms.ChoiceField(
        label="社会组织类型", choices=_optional(codes.SocialOrgType.choices), required=False
    )
    legal_rep_name = forms.CharField(label="法定代表人", max_length=50, required=False)
    legal_rep_phone = forms.CharField(label="法定代表人联系方式", max_length=20, required=False)
    security_contact_name = forms.CharField(label="治保负责人", max_length=50, required=False)
    security_contact_phone = forms.CharField(
        label="治保负责人联系方式", max_length=20, required=False
    )
    headcount = forms.IntegerField(label="从业人数", min_value=0, required=False)
    hazard = forms.ChoiceField(label="安全隐患类型", choices=codes.SafetyHazard.choices)
    attention = forms.ChoiceField(label="关注程度", choices=codes.Attention.choices, initial="03")
    is_hazardous_chemicals = forms.BooleanField(label="危化企业", required=False)


class LetterForm(forms.Form):
    kind = forms.ChoiceField(label="责任书类型", choices=codes.LetterKind.choices)
    signed_on = forms.DateField(label="签订日期", widget=DateInput())
    valid_until = forms.DateField(label="有效期至", required=False, widget=DateInput())
    signer = forms.CharField(label="签订人", max_length=50, required=False)


class PersonForm(forms.Form):
    id_number = forms.CharField(
        label="公民身份号码",
        max_length=30,
        required=False,
        help_text="18 位;15 位旧号自动升级。性别、出生日期由号码得出。",
    )
    name = forms.CharField(label="姓名", max_length=50)
    former_name = forms.CharField(label="曾用名", max_length=50, required=False)
    sex = forms.ChoiceField(
        label="性别",
        choices=_optional(codes.Sex.choices),
        required=False,
        help_text="有身份证号时可不填",
    )
    birth_date = forms.DateField(label="出生日期", required=False, widget=DateInput())
    ethnicity = forms.ChoiceField(label="民族", choices=codes.ETHNICITY_CHOICES, initial="01")
    residence_type = forms.ChoiceField(label="人口类型", choices=codes.ResidenceType.choices)
    phone = forms.CharField(label="联系方式", max_length=20, required=False)
    marital = forms.ChoiceField(
        label="婚姻状况", choices=_optional(codes.Marital.choices), required=False
    )
    political = forms.ChoiceField(
        label="政治面貌", choices=_optional(codes.Political.choices), required=False
    )
    education = forms.ChoiceField(
        label="学历", choices=_optional(codes.Education.choices), required=False
    )
    religion = forms.ChoiceField(
        label="宗教信仰", choices=_optional(codes.Religion.choices), required=False
    )
    occupation = forms.CharField(label="职业", max_length=30, required=False)
    workplace = forms.CharField(label="服务处所", max_length=100, required=False)
    native_place = forms.CharField(label="籍贯(6 位区划代码)", max_length=6, required=False)
    hukou_place = forms.CharField(label="户籍地(6 位区划代码)", max_length=6, required=False)
    hukou_address = forms.CharField(label="户籍门(楼)详址", max_length=80, required=False)
    inflow_reason = forms.ChoiceField(
        label="流入原因(流动人口)", choices=_optional(codes.InflowReason.choices), required=False
    )
    permit_type = forms.ChoiceField(
        label="办证类型(流动人口)", choices=_optional(codes.PermitType.choices), required=False
    )
    permit_no = forms.CharField(label="居住证号码", max_length=22, required=False)
    permit_valid_until = forms.DateField(label="居住证有效期至", required=False, widget=DateInput())
    dwelling_type = forms.ChoiceField(
        label="住所类型", choices=_optional(codes.DwellingType.choices), required=False
    )


class NewResidentForm(PersonForm):
    arrangement = forms.ChoiceField(label="居住类型", choices=codes.LivingArrangement.choices)
    since = forms.DateField(label="入住日期", required=False, widget=DateInput())


class PersonStatusForm(VersionedForm):
    # 已合并 is set by the merge, never chosen here.
    status = forms.ChoiceField(
        label="状态",
        choices=[c for c in codes.PersonStatus.choices if c[0] != codes.PersonStatus.MERGED],
    )
    on = forms.DateField(label="日期", required=False, widget=DateInput())


# --- Editing: prefilled from the record, carrying its version; numbers on file are never shown ---

_KEEP = "留空表示不修改"


def _keep_help(masked: str) -> str:
    return f"{_KEEP}(现登记为 {masked})。" if masked else f"{_KEEP}。"


class PersonEditForm(VersionedForm, PersonForm):
    """A person's details. The ID and phone fields start empty: empty keeps the number on file."""

    def __init__(self, *args: Any, person: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"].help_text = _keep_help(person.id_masked) + (
            "性别、出生日期由号码得出。" if person.id_masked else ""
        )
        self.fields["phone"].help_text = _keep_help(person.phone_masked)

    @staticmethod
    def initial_for(person: Any) -> dict[str, Any]:
        names = [n for n in PersonForm.base_fields if n not in ("id_number", "phone")]
        return {"version": person.version, **{n: getattr(person, n) for n in names}}


class HouseEditForm(VersionedForm, HouseForm):
    """A house's details. The landlord's ID field starts empty: empty keeps the number on file."""

    def __init__(self, *args: Any, house: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_id_number"].help_text = _keep_help(house.owner_id_masked)

    @staticmethod
    def initial_for(house: Any) -> dict[str, Any]:
        names = [n for n in HouseForm.base_fields if n != "owner_id_number"]
        return {"version": house.version, **{n: getattr(house, n) for n in names}}


class UnitEditForm(VersionedForm, UnitForm):
    """A unit's details. The phone fields start empty: empty keeps the number on file."""

    PHONES = ("legal_rep_phone", "security_contact_phone")

    def __init__(self, *args: Any, unit: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.PHONES:
            self.fields[name].help_text = _keep_help(getattr(unit, f"{name}_masked"))

    @staticmethod
    def initial_for(unit: Any) -> dict[str, Any]:
        names = [n for n in UnitForm.base_fields if n not in UnitEditForm.PHONES]
        return {"version": unit.version, **{n: getattr(unit, n) for n in names}}


class MergeForm(forms.Form):
    """Confirms a merge at the versions both records were shown at."""

    keep_version = forms.IntegerField(widget=forms.HiddenInput)
    drop_version = forms.IntegerField(widget=forms.HiddenInput)


IMPORT_MAX_BYTES = 300 * 1024 * 1024


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="导入内容",
        choices=[("people", "实有人口"), ("houses", "实有房屋"), ("units", "实有单位")],
    )
    file = forms.FileField(
        label="文件", help_text="Excel(.xlsx)或 CSV(UTF-8 或 GBK),可先下载导入模板填写。"
    )
    dry_run = forms.BooleanField(
        label="先试导入(只检查,不写入)",
        required=False,
        initial=True,
        help_text="检查完成后可在结果页“确认导入”有效的行。",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".xlsx", ".xlsm", ".xls", ".csv", ".txt")):
            raise forms.ValidationError("请上传 .xlsx 或 .csv 文件。")
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError("文件超过 300 MB,请拆分后分批导入。")
        return upload
