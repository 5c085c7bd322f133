"""Registry pages: addresses, houses, units, people and the person's file (一人一档).

Reads go through `for_user`; writes through `registry.services` via `core.pages.submit`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gridgov.core.errors import DomainError, NotFound
from gridgov.core.pages import render_list, submit
from gridgov.core.scoping import get_for_user_or_404, jurisdiction, unscoped
from gridgov.registry import selectors, services
from gridgov.registry.filters import (
    AddressFilterSet,
    HouseFilterSet,
    PersonFilterSet,
    UnitFilterSet,
)
from gridgov.registry.forms import (
    AddressForm,
    HouseForm,
    LetterForm,
    NewResidentForm,
    PersonStatusForm,
    UnitForm,
)
from gridgov.registry.models import Address, House, Person, Residence, Unit


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


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    return _list(request, Person, PersonFilterSet, "person")


@login_required
def address_list(request: HttpRequest) -> HttpResponse:
    return _list(request, Address, AddressFilterSet, "address")


@login_required
def house_list(request: HttpRequest) -> HttpResponse:
    return _list(request, House, HouseFilterSet, "house")


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    return _list(request, Unit, UnitFilterSet, "unit")


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
    with unscoped("letters of an authorised unit"):
        letters = list(unit.letters.all())
    return render(
        request,
        "registry/unit_detail.html",
        {"unit": unit, "letters": letters, "form": form, "can_change": can_change},
    )


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

    def register(data: dict[str, Any]) -> Person:
        data = _person_fields(data)
        return services.register_person(actor=request.user, house=house, **data)

    done = submit(
        request,
        form,
        register,
        success=lambda p: f"已登记“{p.name}”。",
        next_url=lambda p: reverse("registry:person", args=[p.pk]),
    )
    if done is None and request.method == "POST":
        # An ID number already on file: point at the record instead of a second one.
        existing = services.find_by_id_number(request.POST.get("id_number", ""))
        if existing and jurisdiction(request.user).allows("registry.view", existing.area_path):
            form.existing = existing
    back = reverse("registry:house", args=[house.pk])
    return done or _form_page(request, form, f"在“{house}”登记人员", back)


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
    status_form = (
        PersonStatusForm(initial={"version": person.version, "status": person.status})
        if j.allows("registry.change", person.area_path)
        else None
    )
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "residences": residences,
            "household": selectors.household_members(request.user, person),
            "sections": selectors.person_file_sections(request.user, person),
            "can_reveal": j.allows("registry.reveal", person.area_path),
            "status_form": status_form,
        },
    )


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
