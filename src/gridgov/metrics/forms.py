"""The area and period a metrics page is computed for."""

from __future__ import annotations

from django import forms

from gridgov.metrics.figures import MAX_DAYS, PRESETS, Period


class PeriodForm(forms.Form):
    """A preset (this week/month/quarter/year) or a from–to range of local dates; the range wins
    when both are given. Neither gives this month."""

    period = forms.ChoiceField(label="统计期", choices=list(PRESETS.items()), required=False)
    start = forms.DateField(label="起始日期", required=False)
    end = forms.DateField(label="截止日期", required=False)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        if start or end:
            if not (start and end):
                raise forms.ValidationError("请同时填写起始日期和截止日期。")
            if end < start:
                raise forms.ValidationError("截止日期不能早于起始日期。")
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError("统计期最长十年。")
            data["result"] = Period(start, end)
        else:
            data["result"] = Period.preset(data.get("period") or "month")
        return data

    @property
    def result(self) -> Period:
        """The period asked for; this month when the form is invalid."""
        if self.is_valid():
            return self.cleaned_data["result"]
        return Period.preset("month")
