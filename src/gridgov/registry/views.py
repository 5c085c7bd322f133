"""Registry pages: addresses, houses, units, people and the person's file (一人一档).

Reads go through `for_user`; writes through `registry.services` via `core.pages.submit`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from gridgov.core.errors import DomainError, NotFound
from gridgov.core.exports import export_context
from gridgov.core.pages import render_list, submit
from gridgov.core.scoping import get_for_user_or_404, jurisdiction
from gridgov.registry import selectors, services
from gridgov.registry.codes import PersonStatus
from gridgov.registry.filters import (
    AddressFilterSet,
    HouseFilterSet,
    PersonFilterSet,
    UnitFilterSet,
)
from gridgov.registry.forms import (
    AddressForm,
    HouseEditForm,
    HouseForm,
    LetterForm,
    MergeForm,
    NewResidentForm,
    PersonEditForm,
    PersonStatusForm,
    UnitEditForm,
    UnitForm,
)
from gridgov.registry.models import Address, House, Person, Residence, ResponsibilityLetter, Unit


def _get(request: HttpRequest, model: type, pk: int, action: str = "registry.view") -> Any:
    try:
        return get_for_user_or_404(model, request.user, action, pk=pk)
    except NotFound as exc:
        raise Http404("未找到该记录。") from exc


def _require_anywhere(request: HttpRequest, action: str) -> None:
    if not jurisdiction(request.user).allows_anywhere(action):
        raise Http404


def _form_page(
    request: HttpRequest, form: Any, title: str, back: str, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "back": back, **extra}
    return render(request, "registry/form.html", context)


def _can_change(request: HttpRequest, path: str) -> bool:
    return jurisdiction(request.user).allows("registry.change", path)


# --- Lists ---------------------------------------------------------------------------------------


def _list(
    request: HttpRequest, model: type, filterset: type, name: str, **extra: Any
) -> HttpResponse:
    _require_anywhere(request, "registry.view")
    rows = model.objects.for_user(request.user, "registry.view")
    if model is House:
        rows = rows.select_related("address", "owner")
    elif model is Unit:
        rows = rows.select_related("address")
    elif model is Person or model is Address:
        rows = rows.select_related("grid")
    can_change = jurisdiction(request.user).allows_anywhere("registry.change")
    return render_list(
        request,
        queryset=rows.order_by("area_path", "pk"),
        filterset_class=filterset,
        template=f"registry/{name}_list.html",
        partial=f"registry/_{name}_table.html",
        context={"can_change": can_change, **extra},
    )


def _export(request: HttpRequest, key: str) -> dict[str, Any]:
    """The list's export links (core/exports.py; columns in registry/exports.py)."""
    return export_context(request, f"registry.{key}", reverse(f"registry:{key}_export"))


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    return _list(request, Person, PersonFilterSet, "person", **_export(request, "people"))


@login_required
def address_list(request: HttpRequest) -> HttpResponse:
    return _list(request, Address, AddressFilterSet, "address", **_export(request, "addresses"))


@login_required
def house_list(request: HttpRequest) -> HttpResponse:
    return _list(request, House, HouseFilterSet, "house", **_export(request, "houses"))


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    return _list(request, Unit, UnitFilterSet, "unit", **_export(request, "units"))


# --- Addresses, houses, units --------------------------------------------------------------------


@login_required
def address_create(request: HttpRequest) -> HttpResponse:
    _require_anywhere(request, "registry.change")
    form = AddressForm(request.POST or None, user=request.user)
    done = submit(
        request,
        form,
        lambda data: services.create_address(actor=request.user, **data),
        success=lambda a: f"已登记标准地址“{a.canonical}”。",
        next_url=lambda a: reverse("registry:address", args=[a.pk]),
    )
    return done or _form_page(request, form, "登记标准地址", reverse("registry:addresses"))


@login_required
def address_detail(request: HttpRequest, pk: int) -> HttpResponse:
    address = _get(request, Address, pk)
    houses = House.objects.for_user(request.user, "registry.view").filter(address=address)
    units = Unit.objects.for_user(request.user, "registry.view").filter(address=address)
    return render(
        request,
        "registry/address_detail.html",
        {
            "address": address,
            "houses": houses,
            "units": units,
            "can_change": _can_change(request, address.area_path),
        },
    )


@login_required
def house_create(request: HttpRequest, pk: int) -> HttpResponse:
    address = _get(request, Address, pk, "registry.change")
    form = HouseForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: services.create_house(actor=request.user, address=address, **data),
        success="已登记房屋。",
        next_url=lambda h: reverse("registry:house", args=[h.pk]),
    )
    back = reverse("registry:address", args=[address.pk])
    return done or _form_page(request, form, f"登记房屋:{address}", back)


@login_required
def house_detail(request: HttpRequest, pk: int) -> HttpResponse:
    house = _get(request, House, pk)
    residences = (
        Residence.objects.for_user(request.user, "registry.view")
        .filter(house=house)
        .select_related("person")
        .order_by("until", "-since")
    )
    return render(
        request,
        "registry/house_detail.html",
        {
            "house": house,
            "residences": residences,
            "can_change": _can_change(request, house.area_path),
        },
    )


@login_required
def house_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a house. The landlord's ID field starts empty; empty keeps the number on file."""
    house = _get(request, House, pk, "registry.change")
    form = HouseEditForm(
        request.POST or None, house=house, initial=HouseEditForm.initial_for(house)
    )

    def save(data: dict[str, Any]) -> House:
        data = dict(data)
        data["owner_id_number"] = data.get("owner_id_number") or None
        return services.update_house(house, actor=request.user, **data)

    back = reverse("registry:house", args=[house.pk])
    done = submit(request, form, save, success="已保存房屋信息。", next_url=back)
    return done or _form_page(request, form, f"修改房屋:{house}", back)


@login_required
def unit_create(request: HttpRequest, pk: int) -> HttpResponse:
    address = _get(request, Address, pk, "registry.change")
    form = UnitForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: services.create_unit(actor=request.user, address=address, **data),
        success=lambda u: f"已登记单位“{u.name}”。",
        next_url=lambda u: reverse("registry:unit", args=[u.pk]),
    )
    back = reverse("registry:address", args=[address.pk])
    return done or _form_page(request, form, f"登记单位:{address}", back)


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _get(request, Unit, pk)
    can_change = _can_change(request, unit.area_path)
    form = LetterForm(request.POST or None) if can_change else None
    if form is not None:
        done = submit(
            request,
            form,
            lambda data: services.add_responsibility_letter(unit, actor=request.user, **data),
            success="已登记责任书。",
            next_url=reverse("registry:unit", args=[unit.pk]),
        )
        if done:
            return done
    letters = ResponsibilityLetter.objects.for_user(request.user, "registry.view").filter(unit=unit)
    return render(
        request,
        "registry/unit_detail.html",
        {"unit": unit, "letters": letters, "form": form, "can_change": can_change},
    )


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a unit. Its phone fields start empty; empty keeps the number on file."""
    unit = _get(request, Unit, pk, "registry.change")
    form = UnitEditForm(request.POST or None, unit=unit, initial=UnitEditForm.initial_for(unit))

    def save(data: dict[str, Any]) -> Unit:
        kept = {name: value for name, value in data.items() if value or name not in form.PHONES}
        return services.update_unit(unit, actor=request.user, **kept)

    back = reverse("registry:unit", args=[unit.pk])
    done = submit(
        request, form, save, success=lambda u: f"已保存单位“{u.name}”的信息。", next_url=back
    )
    return done or _form_page(request, form, f"修改单位:{unit}", back)


# --- People --------------------------------------------------------------------------------------


def _person_fields(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["sex"] = data.get("sex") or ""
    return data


@login_required
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a person living at house `pk` (people hang on an address)."""
    house = _get(request, House, pk, "registry.change")
    form = NewResidentForm(request.POST or None)
    registered: list[Person] = []

    def register(data: dict[str, Any]) -> Person:
        data = _person_fields(data)
        person = services.register_person(actor=request.user, house=house, **data)
        registered.append(person)
        return person

    done = submit(
        request,
        form,
        register,
        success=lambda p: f"已登记“{p.name}”。",
        next_url=lambda p: reverse("registry:person", args=[p.pk]),
    )
    if registered and not registered[0].id_hash:
        _warn_possible_duplicates(request, registered[0])
    if done is None and request.method == "POST":
        # An ID number already on file: point at the record instead of a second one.
        existing = services.find_by_id_number(request.POST.get("id_number", ""))
        if existing and jurisdiction(request.user).allows("registry.view", existing.area_path):
            form.existing = existing
    back = reverse("registry:house", args=[house.pk])
    return done or _form_page(request, form, f"在“{house}”登记人员", back)


def _warn_possible_duplicates(request: HttpRequest, person: Person) -> None:
    """After registering someone without an ID number: flash the records they may duplicate,
    each linked to the side-by-side merge page (the earlier record kept), or to its file."""
    duplicates = list(selectors.possible_duplicates(request.user, person))
    if not duplicates:
        return
    links = format_html_join(
        "、",
        '<a href="{}">{}</a>',
        (
            (
                reverse("registry:person_merge", args=[d.pk, person.pk])
                if _can_change(request, d.area_path)
                else reverse("registry:person", args=[d.pk]),
                f"{d.name}({d.birth_date:%Y-%m-%d})" if d.birth_date else d.name,
            )
            for d in duplicates
        ),
    )
    messages.warning(
        request,
        format_html(
            "“{}”没有登记公民身份号码,与已登记的 {} 人姓名、出生日期、住址相同,可能重复:{}。"
            "请核对,确为同一人的请合并档案。",
            person.name,
            len(duplicates),
            links,
        ),
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's file (一人一档). Opening it is written to the access log."""
    person = _get(request, Person, pk)
    services.record_file_view(person, actor=request.user)
    residences = (
        Residence.objects.for_user(request.user, "registry.view")
        .filter(person=person)
        .select_related("house__address")
        .order_by("until", "-since")
    )
    j = jurisdiction(request.user)
    merged = person.status == PersonStatus.MERGED
    can_change = j.allows("registry.change", person.area_path) and not merged
    status_form = (
        PersonStatusForm(initial={"version": person.version, "status": person.status})
        if can_change
        else None
    )
    visible = Person.objects.for_user(request.user, "registry.view")
    duplicates = [
        (d, can_change and j.allows("registry.change", d.area_path))
        for d in selectors.possible_duplicates(request.user, person).select_related("grid")
    ]
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "residences": residences,
            "household": selectors.household_members(request.user, person),
            "sections": selectors.person_file_sections(request.user, person),
            "can_reveal": j.allows("registry.reveal", person.area_path),
            "can_change": can_change,
            "status_form": status_form,
            "duplicates": duplicates,
            # Where a merged record went (None if outside the user's reach), and what came in.
            "merged_into": visible.filter(pk=person.merged_into_id).first() if merged else None,
            "merged_from": visible.filter(merged_into=person).order_by("status_date", "pk"),
        },
    )


def _comparison(keep: Person, drop: Person, user: Any) -> list[tuple[str, str, str]]:
    """Rows of the side-by-side merge page: (label, kept record's value, dropped one's)."""

    def current_address(person: Person) -> str:
        current = (
            Residence.objects.for_user(user, "registry.view")
            .filter(person=person, until__isnull=True)
            .select_related("house__address")
            .first()
        )
        return current.house.address.canonical if current else "—"

    def residences(person: Person) -> str:
        count = Residence.objects.for_user(user, "registry.view").filter(person=person).count()
        return f"{count} 条"

    rows: list[tuple[str, Any]] = [
        ("公民身份号码", lambda p: p.id_masked or "—"),
        ("性别", lambda p: p.get_sex_display()),
        ("出生日期", lambda p: f"{p.birth_date:%Y-%m-%d}" if p.birth_date else "—"),
        ("民族", lambda p: p.get_ethnicity_display()),
        ("人口类型", lambda p: p.get_residence_type_display()),
        ("状态", lambda p: p.get_status_display()),
        ("联系方式", lambda p: p.phone_masked or "—"),
        ("曾用名", lambda p: p.former_name or "—"),
        ("职业 / 服务处所", lambda p: f"{p.occupation or '—'} / {p.workplace or '—'}"),
        ("户籍地", lambda p: f"{p.hukou_place} {p.hukou_address}".strip() or "—"),
        ("所属网格", lambda p: p.grid.name),
        ("当前住址", current_address),
        ("居住记录", residences),
        ("登记时间", lambda p: f"{timezone.localtime(p.created_at):%Y-%m-%d %H:%M}"),
    ]
    return [(label, value(keep), value(drop)) for label, value in rows]


@login_required
def person_merge(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """Merge the record `other` into `pk`: both side by side, then POST to confirm."""
    keep = _get(request, Person, pk, "registry.change")
    drop = _get(request, Person, other, "registry.change")
    form = MergeForm(
        request.POST or None,
        initial={"keep_version": keep.version, "drop_version": drop.version},
    )
    done = submit(
        request,
        form,
        lambda data: services.merge_people(keep, drop, actor=request.user, **data),
        success=lambda kept: f"已将“{drop.name}”的档案合并至“{kept.name}”,两份档案的记录均已保留。",
        next_url=lambda kept: reverse("registry:person", args=[kept.pk]),
    )
    if done:
        return done
    flagged = selectors.possible_duplicates(request.user, keep).filter(pk=drop.pk).exists()
    return render(
        request,
        "registry/person_merge.html",
        {
            "keep": keep,
            "drop": drop,
            "rows": _comparison(keep, drop, request.user),
            "flagged": flagged,
            "form": form,
        },
    )


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a person's details. The full ID and phone numbers are never shown here: their
    fields start empty, and empty keeps the number on file."""
    person = _get(request, Person, pk, "registry.change")
    form = PersonEditForm(
        request.POST or None, person=person, initial=PersonEditForm.initial_for(person)
    )

    def save(data: dict[str, Any]) -> Person:
        data = _person_fields(data)
        data["id_number"] = data.get("id_number") or None
        data["phone"] = data.get("phone") or None
        return services.update_person(person, actor=request.user, **data)

    back = reverse("registry:person", args=[person.pk])
    done = submit(request, form, save, success=lambda p: f"已保存“{p.name}”的信息。", next_url=back)
    return done or _form_page(request, form, f"修改“{person}”的信息", back)


@login_required
@require_POST
def person_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """htmx: swap a masked number for the full one (logged), if the role allows it."""
    person = _get(request, Person, pk)
    try:
        value = services.reveal_person_field(person, actor=request.user, field=field)
    except DomainError as error:
        return render(request, "registry/_revealed.html", {"error": error.message}, status=403)
    return render(request, "registry/_revealed.html", {"value": value})


@login_required
def person_status(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get(request, Person, pk, "registry.change")
    form = PersonStatusForm(request.POST or None, initial={"version": person.version})
    done = submit(
        request,
        form,
        lambda data: services.set_person_status(person, actor=request.user, **data),
        success="已变更人员状态。",
        next_url=reverse("registry:person", args=[person.pk]),
    )
    back = reverse("registry:person", args=[person.pk])
    return done or _form_page(request, form, f"变更“{person}”的状态", back)
