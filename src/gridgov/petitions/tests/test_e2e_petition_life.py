"""One petition's life in the browser: the township center registers a visit, the responsible
police station tells the petitioner it is accepted and answers in writing from a phone, a leader
takes the case, and the center records the petitioner's rating. Screenshots at phone and desktop
widths go to test-artifacts/e2e/."""

from __future__ import annotations

import pytest

from gridgov.core.testing.personas import build_world
from gridgov.core.tests.test_e2e_navigation import DESKTOP, PHONE, _login, _shot, browser
from gridgov.events.defaults import seed_defaults
from gridgov.events.models import Category, EventKind
from gridgov.petitions.defaults import ensure_matters
from gridgov.registry.demo import id_number

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["browser"]  # the fixture, shared with the navigation journeys

NUMBER = id_number("33020319800101042")


def _act(page, name: str, fill: dict[str, str] | None = None, check: str | None = None):
    """Open the step's form on the petition page, fill it and confirm."""
    box = page.locator(f"[data-testid=action-{name}]")
    box.locator("summary").click()
    for field, value in (fill or {}).items():
        box.locator(f"[name='{name}-{field}']").fill(value)
    if check:
        box.locator(check).check()
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已" in page.locator("ul.messages").inner_text()


def test_a_petition_from_registration_to_rating(browser, live_server):
    from gridgov.registry import services as registry

    world = build_world()
    seed_defaults(EventKind, Category)  # a transactional test before may have flushed them
    ensure_matters()
    registry.register_person(
        actor=world.system,
        id_number=NUMBER,
        grid=world.grid_a1,
        name="王信访",
        residence_type="registered",
    )
    errors: list[str] = []

    # 1. The township center registers the visit.
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    center = desk.new_page()
    center.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(center, live_server, "center_a")
    center.goto(f"{live_server.url}/petitions/")
    center.click("[data-testid=register-petition]")
    center.fill("#id_petitioners", NUMBER)
    center.select_option("#id_channel", label="走访")
    center.select_option("#id_category", label="劳动社保类信访")
    center.fill("#id_title", "反映企业拖欠工资")
    center.fill("#id_matter", "某五金厂拖欠三个月工资。")
    center.select_option("#id_department", label="横街派出所")
    _shot(center, "petition-1-center-register-desktop")
    center.click("button[type=submit].primary")
    center.wait_for_url("**/petitions/*/")
    assert center.locator("[data-testid=petition-stage]").inner_text() == "待受理告知"
    code = center.locator("h1 .code").inner_text()
    petition_url = center.url

    # 2. The police station, responsible, accepts and answers from a phone.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    handler = phone.new_page()
    handler.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(handler, live_server, "handler_a")
    handler.goto(petition_url)
    _act(handler, "decide", fill={"note": "属本所职责,予以受理。"})
    assert handler.locator("[data-testid=petition-stage]").inner_text() == "办理中"
    assert handler.locator("[data-testid=handle-due]").inner_text()
    _act(handler, "reply", fill={"reply": "已协调劳动监察部门,责令企业十日内补发工资。"})
    assert handler.locator("[data-testid=petition-stage]").inner_text() == "已答复"
    _shot(handler, "petition-2-department-replied-phone")
    phone.close()

    # 3. A leader takes the case.
    leader_desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    leader = leader_desk.new_page()
    leader.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(leader, live_server, "leader_a")
    leader.goto(f"{live_server.url}/petitions/?q={code}")
    leader.click(f"text={code}")
    _act(leader, "take_case", fill={"note": "跟踪工资补发到位。"})
    assert "甲领导" in leader.locator("[data-testid=leader-cases]").inner_text()
    leader_desk.close()

    # 4. The center records the petitioner's rating (回访).
    center.goto(petition_url)
    _act(center, "rate", check="input[name='rate-rating'][value='satisfied']")
    assert center.locator("[data-testid=petition-rating]").inner_text().startswith("满意")
    steps = center.locator("[data-testid=timeline] li strong").all_inner_texts()
    assert steps == ["上报", "信访登记", "告知受理", "书面答复", "领导包案", "信访人评价"]
    _shot(center, "petition-3-center-rated-desktop")
    desk.close()
    assert errors == []
