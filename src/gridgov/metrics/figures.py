"""The one metrics module: every figure a page, dashboard or report shows is registered here.

A figure has a code ("events.closure_rate"), a Chinese label, a unit, its formula in words and,
where one exists, the national source of that formula (DESIGN.md "Numbers are computed, and
traceable"; docs/metrics.md lists them all). It is computed for (user, area, period):

- a `Count` is `records(user, area, period).count()`. `records` is the one queryset function of
  that count: it starts from the user's scoped queryset (`Model.objects.for_user(...)`), keeps
  the rows under `area` (`within`), and the list page of the count shows exactly that queryset,
  so a figure and its list cannot disagree;
- a `Rate` is numerator count / denominator count x 100, None when the denominator is 0;
- an `Average` is an aggregate over the records of one count.

Apps register their figures in `<app>/metrics.py`, which `MetricsConfig.ready` imports; this module
imports no domain app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import Avg, Q, QuerySet
from django.db.models import Count as CountOf
from django.utils import timezone

from gridgov.core.scoping import jurisdiction, path_prefix_q

# --- Periods --------------------------------------------------------------------------------------

PRESETS: dict[str, str] = {"week": "本周", "month": "本月", "quarter": "本季度", "year": "本年"}
# The longest period a page may ask for (ten years): every figure is a range scan.
MAX_DAYS = 3660


def _midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in the installation's time zone (Asia/Shanghai)."""
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone()
    )


def _calendar_unit(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the week (Monday first), month, quarter or year holding `day`."""
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if kind == "month":
        start = day.replace(day=1)
    elif kind == "quarter":
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    elif kind == "year":
        start = day.replace(month=1, day=1)
    else:
        raise ValueError(f"unknown period kind {kind!r}")
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    month0 = start.month - 1 + months
    following = dt.date(start.year + month0 // 12, month0 % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A run of whole local days, `start` through `end` inclusive, seen at the instant `as_of`
    (what "now" means for a snapshot figure and for a deadline that has not come yet)."""

    start: dt.date
    end: dt.date
    as_of: dt.datetime = field(default_factory=timezone.now, compare=False)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")

    @classmethod
    def preset(cls, kind: str, *, as_of: dt.datetime | None = None) -> Period:
        """This week, month, quarter or year (whole calendar units) in local time."""
        as_of = as_of or timezone.now()
        start, end = _calendar_unit(kind, timezone.localtime(as_of).date())
        return cls(start, end, as_of)

    @property
    def since(self) -> dt.datetime:
        """The first instant of the period (aware)."""
        return _midnight(self.start)

    @property
    def until(self) -> dt.datetime:
        """The first instant after the period (aware, exclusive)."""
        return _midnight(self.end + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def kind(self) -> str:
        """The calendar unit (week, month, quarter, year) the period is exactly, or ""."""
        for kind in ("year", "quarter", "month", "week"):
            if (self.start, self.end) == _calendar_unit(kind, self.start):
                return kind
        return ""

    def previous(self) -> Period:
        """The period before, of the same length: the previous calendar month, quarter or year
        for a whole one (March → February), else the same number of days just before."""
        kind = self.kind
        if kind:
            start, end = _calendar_unit(kind, self.start - dt.timedelta(days=1))
            return Period(start, end, self.as_of)
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end, self.as_of)

    def q(self, field_name: str) -> Q:
        """`field_name` (a datetime) falls in the period."""
        return Q(**{f"{field_name}__gte": self.since, f"{field_name}__lt": self.until})

    def passed_q(self, field_name: str) -> Q:
        """`field_name` falls in the part of the period that has already passed at `as_of`."""
        return Q(
            **{f"{field_name}__gte": self.since, f"{field_name}__lt": min(self.until, self.as_of)}
        )

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


# --- Figures --------------------------------------------------------------------------------------

Records = Callable[[Any, Any, Period], QuerySet]


def within(queryset: QuerySet, area: Any, field_name: str = "area_path") -> QuerySet:
    """The rows of `queryset` lying in `area` or below it (an index range on the path)."""
    return queryset.filter(path_prefix_q(field_name, [area.path]))


@dataclass(frozen=True, kw_only=True)
class Figure:
    code: str
    label: str
    formula: str
    # Where the formula comes from: a national standard, or "gridgov" for a local definition.
    source: str = ""
    # "up" when a higher value is better, "down" when lower is better, "" when neither.
    better: str = ""
    # A state at `as_of` (超期未办结), not a flow over the period: it has no previous period.
    snapshot: bool = False
    unit: str = ""

    kind: ClassVar[str] = ""

    @property
    def group(self) -> str:
        return self.code.split(".", 1)[0]


@dataclass(frozen=True, kw_only=True)
class Count(Figure):
    """How many records: `records(user, area, period).count()`."""

    records: Records
    unit: str = "件"
    # The records' path column (what `within` ranges over). `by_area` groups one query on it to
    # count many areas at once; "" makes `by_area` count each area on its own.
    area_field: str = "area_path"
    kind: ClassVar[str] = "count"


@dataclass(frozen=True, kw_only=True)
class Rate(Figure):
    """numerator / denominator x 100 (two registered counts); None when the denominator is 0."""

    numerator: str
    denominator: str
    unit: str = "%"
    kind: ClassVar[str] = "rate"


@dataclass(frozen=True, kw_only=True)
class Average(Figure):
    """The average of `expression` over the records of the count `over`, in `unit`.

    `expression()` builds the expression for `aggregate(Avg(...))`; `scale` turns the aggregate
    into the unit (a timedelta is taken in seconds first, so 3600 gives hours).
    """

    over: str
    expression: Callable[[], Any]
    scale: float = 1.0
    unit: str = "小时"
    kind: ClassVar[str] = "average"


@dataclass(frozen=True, kw_only=True)
class Group:
    """The figures of one module (事件, 矛盾纠纷 …), shown together on one page."""

    code: str
    title: str
    # The action the user must hold somewhere to see the group.
    action: str
    # The partial listing a count's records: it gets `page` (a Page) and `query`.
    list_template: str
    # The codes shown per row in the table of sub-areas, and the rate that sorts it (lowest first).
    breakdown: tuple[str, ...] = ()
    sort_by: str = ""
    # The page: (heading, figure codes) in order.
    layout: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # select_related/order_by applied to the records of a list page (never to a count).
    prepare_list: Callable[[QuerySet], QuerySet] | None = None
    # The headline figures of the module on the dashboard (metrics:dashboard), in order.
    key: tuple[str, ...] = ()
    # Ways to split a count's records by one of their fields (事件类别 …), on the dashboard and
    # in the records list (?dim=<code>&value=<v>).
    dimensions: tuple[Dimension, ...] = ()
    # The columns of a records list's Excel export for records of `model`: (header, getter)
    # pairs or core.exports Columns. None: the group's lists are not exported.
    export_columns: Callable[[type], Sequence[Any]] | None = None

    def dimension(self, code: str) -> Dimension:
        """The group's dimension `code`; KeyError if it has none."""
        for dimension in self.dimensions:
            if dimension.code == code:
                return dimension
        raise KeyError(code)


# The value of a dimension for records that have none (a blank or null field) in a query string.
NO_VALUE = ""


@dataclass(frozen=True, kw_only=True)
class Dimension:
    """A split of a count's records by one field (事件类别, 信访形式, 人员类型 …).

    `split` counts the records of each value in one grouped query; `filter` keeps the records of
    one value. Both read the same field of the same queryset, so the values' counts add up to the
    figure and each equals the length of its filtered list. `field` is a lookup on the records'
    model ("category", "event__category"); `name_field` names a related value ("category__name"),
    else a field's choices name it. `counts` are the counts whose records have the field; empty
    means every count of the group.
    """

    code: str
    label: str
    field: str
    name_field: str = ""
    counts: tuple[str, ...] = ()

    def applies_to(self, code: str) -> bool:
        return code in self.counts if self.counts else isinstance(_figures.get(code), Count)

    def _model_field(self, model: type) -> Any:
        target: Any = None
        for part in self.field.split("__"):
            target = model._meta.get_field(part)
            model = target.related_model or model
        return target

    def filter(self, queryset: QuerySet, value: str) -> QuerySet:
        """The records whose field is `value` (NO_VALUE: blank or null). ValueError or
        ValidationError when `value` cannot be a value of the field."""
        target = self._model_field(queryset.model)
        if value == NO_VALUE:
            empty = Q(**{f"{self.field}__isnull": True})
            if not target.is_relation:
                empty |= Q(**{self.field: ""})
            return queryset.filter(empty)
        return queryset.filter(**{self.field: target.to_python(value)})

    def name_of(self, queryset: QuerySet, value: str) -> str:
        """The name of `value` as `split` gives it; `queryset` is already `filter`ed to it."""
        if value == NO_VALUE:
            return "未填写"
        target = self._model_field(queryset.model)
        if target.choices:
            return str(dict(target.flatchoices).get(target.to_python(value), value))
        if self.name_field:
            names = queryset.order_by().values_list(self.name_field, flat=True)[:1]
            return str(next(iter(names), value))
        return value

    def split(self, queryset: QuerySet) -> list[tuple[str, str, int]]:
        """(value, name, count) of every value the records have, the largest count first;
        one grouped query. The value is the query-string form that `filter` takes."""
        target = self._model_field(queryset.model)
        names = dict(target.flatchoices) if target.choices else {}
        fields = [self.field, *([self.name_field] if self.name_field else [])]
        counted = CountOf("pk", distinct=queryset.query.distinct)
        rows = queryset.order_by().values(*fields).annotate(n=counted).values_list(*fields, "n")
        totals: dict[str, list[Any]] = {}
        for row in rows:
            raw, n = row[0], row[-1]
            value = NO_VALUE if raw in (None, "") else str(raw)
            name = row[1] if self.name_field else names.get(raw, raw)
            entry = totals.setdefault(value, [name if value != NO_VALUE else "未填写", 0])
            entry[1] += n
        ranked = sorted(totals.items(), key=lambda item: (-item[1][1], str(item[1][0])))
        return [(value, str(name), n) for value, (name, n) in ranked]


_groups: dict[str, Group] = {}
_figures: dict[str, Figure] = {}


def register_group(group: Group) -> Group:
    if group.code in _groups and _groups[group.code] != group:
        raise ValueError(f"metrics group {group.code!r} is registered twice")
    _groups[group.code] = group
    return group


def register(*figures: Figure) -> None:
    """Register figures (a rate or an average after the counts it uses). Registering the same
    figure again is harmless; another figure under a used code is an error."""
    for figure in figures:
        if figure.group not in _groups:
            raise ValueError(f"{figure.code}: register the group {figure.group!r} first")
        if figure.code in _figures and _figures[figure.code] != figure:
            raise ValueError(f"metrics figure {figure.code!r} is registered twice")
        parts = []
        if isinstance(figure, Rate):
            parts = [figure.numerator, figure.denominator]
        elif isinstance(figure, Average):
            parts = [figure.over]
        for code in parts:
            if not isinstance(_figures.get(code), Count):
                raise ValueError(f"{figure.code}: {code!r} is not a registered count")
        _figures[figure.code] = figure


def get(code: str) -> Figure:
    """The registered figure `code`; KeyError if there is none."""
    return _figures[code]


def group(code: str) -> Group:
    return _groups[code]


def figures(group_code: str | None = None) -> list[Figure]:
    """Registered figures in registration order, of one group or all."""
    return [f for f in _figures.values() if group_code is None or f.group == group_code]


def groups() -> list[Group]:
    """Registered groups in registration order."""
    return list(_groups.values())


def groups_for(user: Any) -> list[Group]:
    """The groups whose figures `user` may see somewhere."""
    rights = jurisdiction(user)
    return [g for g in _groups.values() if rights.allows_anywhere(g.action)]


# --- Evaluation -----------------------------------------------------------------------------------


@dataclass
class Result:
    figure: Figure
    value: int | float | None
    numerator: Result | None = None
    denominator: Result | None = None
    over: Result | None = None

    @property
    def display(self) -> str:
        """The value as shown: "—" for no value, two decimals for a rate, one for an average."""
        return format_value(self.figure, self.value)


def format_value(figure: Figure, value: int | float | None) -> str:
    if value is None:
        return "—"
    if isinstance(figure, Rate):
        return f"{value:.2f}"
    if isinstance(figure, Average):
        return f"{value:.1f}"
    return str(value)


class Evaluator:
    """Computes figures for one (user, area, period), each count once however many rates use it."""

    def __init__(self, user: Any, area: Any, period: Period) -> None:
        self.user, self.area, self.period = user, area, period
        self._results: dict[str, Result] = {}

    def records(self, code: str) -> QuerySet:
        """The queryset of the count `code` (the list its figure links to)."""
        figure = get(code)
        if not isinstance(figure, Count):
            raise TypeError(f"{code} is a {figure.kind}, not a count: it has no records")
        return figure.records(self.user, self.area, self.period)

    def __call__(self, code: str) -> Result:
        if code not in self._results:
            self._results[code] = self._compute(get(code))
        return self._results[code]

    def values(self, codes: Iterable[str]) -> dict[str, Result]:
        return {code: self(code) for code in codes}

    def _compute(self, figure: Figure) -> Result:
        if isinstance(figure, Count):
            return Result(figure, self.records(figure.code).count())
        if isinstance(figure, Rate):
            numerator, denominator = self(figure.numerator), self(figure.denominator)
            value = (
                None
                if not denominator.value
                else round(numerator.value * 100 / denominator.value, 4)
            )
            return Result(figure, value, numerator=numerator, denominator=denominator)
        if isinstance(figure, Average):
            over = self(figure.over)
            average = self.records(figure.over).aggregate(value=Avg(figure.expression()))["value"]
            if isinstance(average, dt.timedelta):
                average = average.total_seconds()
            value = None if average is None else round(average / figure.scale, 4)
            return Result(figure, value, over=over)
        raise TypeError(f"unknown figure type {type(figure).__name__}")


def evaluate(user: Any, area: Any, period: Period, code: str) -> Result:
    """One figure for (user, area, period)."""
    return Evaluator(user, area, period)(code)


def by_area(
    user: Any, parent: Any, areas: Sequence[Any], period: Period, codes: Iterable[str]
) -> dict[int, dict[str, Result]]:
    """The figures `codes` for each of `areas` (areas under `parent` none of which lies under
    another: its children, or its grids), keyed by area pk.

    The values are those of `Evaluator(user, area, period)`, but every count is computed for all
    the areas by one query: the count's records for `parent`, grouped on their path, each path
    credited to the area it lies in. A row lies under an area exactly when its path starts with
    the area's path, and `within` selects the same rows, so each area's value is its list's length.
    Rates are made of those counts; averages are aggregated area by area.
    """
    areas = list(areas)
    codes = list(codes)
    evaluators = {area.pk: Evaluator(user, area, period) for area in areas}
    by_path = {area.path: area.pk for area in areas}
    for code in _counts_behind(codes):
        figure = get(code)
        if not figure.area_field:
            continue  # each evaluator counts it itself
        totals = dict.fromkeys(evaluators, 0)
        records = figure.records(user, parent, period).order_by()
        # A records set made distinct counts each record once, as its `.count()` does.
        counted = CountOf("pk", distinct=records.query.distinct)
        rows = records.values(figure.area_field).annotate(n=counted)
        for path, n in rows.values_list(figure.area_field, "n"):
            pk = _area_holding(path or "", by_path)
            if pk is not None:
                totals[pk] += n
        for pk, evaluator in evaluators.items():
            evaluator._results[code] = Result(figure, totals[pk])
    return {pk: evaluator.values(codes) for pk, evaluator in evaluators.items()}


def _counts_behind(codes: Iterable[str]) -> list[str]:
    """The counts that `codes` are or are made of, each once."""
    found: dict[str, None] = {}
    for code in codes:
        figure = get(code)
        if isinstance(figure, Count):
            found[code] = None
        elif isinstance(figure, Rate):
            found[figure.numerator] = found[figure.denominator] = None
        elif isinstance(figure, Average):
            found[figure.over] = None
    return list(found)


def _area_holding(path: str, by_path: dict[str, int]) -> int | None:
    """The pk of the area in `by_path` whose path `path` starts with, if any."""
    end = path.find("/")
    while end != -1:
        pk = by_path.get(path[: end + 1])
        if pk is not None:
            return pk
        end = path.find("/", end + 1)
    return None
