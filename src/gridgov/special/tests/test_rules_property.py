"""Property tests of the rules that need no database: due dates and the details checker."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.core import workcalendar
from gridgov.core.errors import Invalid
from gridgov.special import details
from gridgov.special.services import due_after

days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2027, 12, 31))


@given(day=days, value=st.integers(min_value=1, max_value=366))
def test_natural_day_intervals_are_exact(day, value):
    assert (due_after(day, value, "natural_days") - day).days == value


@settings(max_examples=60, deadline=None)
@given(day=days, value=st.integers(min_value=1, max_value=40))
def test_working_day_intervals_land_on_the_value_th_working_day_after(day, value):
    due = due_after(day, value, "work_days")
    assert due > day and workcalendar.is_working_day(due)
    counted = sum(
        workcalendar.is_working_day(day + dt.timedelta(days=i))
        for i in range(1, (due - day).days + 1)
    )
    assert counted == value


def _values(item: details.Item):
    if item.kind == "code":
        return st.sampled_from([c for c, _ in item.choices if c not in item.retired])
    if item.kind == "codes":
        return st.lists(st.sampled_from([c for c, _ in item.choices]), max_size=4)
    if item.kind == "bool":
        return st.booleans()
    if item.kind == "int":
        return st.integers(min_value=0, max_value=9999)
    if item.kind == "date":
        return days
    return st.text(alphabet="帮扶人情况abc 123", max_size=item.max_length)


@st.composite
def typed_details(draw):
    code = draw(st.sampled_from(sorted(details.SPECS)))
    items = details.items_for(code)
    chosen = draw(st.lists(st.sampled_from(items), unique_by=lambda i: i.name, max_size=len(items)))
    return code, {item.name: draw(_values(item)) for item in chosen}


@settings(max_examples=80, deadline=None)
@given(typed_details())
def test_cleaned_details_are_stable_and_only_known_items(case):
    code, data = case
    cleaned = details.clean(code, data)
    assert set(cleaned) <= {i.name for i in details.items_for(code)}
    assert details.clean(code, cleaned, previous=cleaned) == cleaned
    # Every stored value is shown with a label, never a raw Python value.
    for label, shown in details.display(code, cleaned):
        assert label and isinstance(shown, str)


@given(
    code=st.text(min_size=1, max_size=3).filter(
        lambda c: c not in {c for c, _ in details.SPECS["drug"][1].choices}
    )
)
def test_a_code_outside_its_table_is_refused(code):
    with pytest.raises(Invalid) as error:
        details.clean("drug", {"control_state": code})
    assert error.value.field == "control_state"
