"""Code tables of the petitions module (信访), fixed in code."""

from django.db import models


class Channel(models.TextChoices):
    """How the petition came in (信访形式)."""

    VISIT = "visit", "走访"
    LETTER = "letter", "来信"
    ONLINE = "online", "网上信访"
    PHONE = "phone", "来电"


class Stage(models.TextChoices):
    """Stages of a petition under the 信访工作条例 (2022): each open one has a legal time limit
    that the event hub's clock carries (see services.py)."""

    REGISTERED = "registered", "待受理告知"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    ACCEPTED = "accepted", "办理中"
    REPLIED = "replied", "已答复"
    REVIEW_REQUESTED = "review_requested", "复查中"
    REVIEWED = "reviewed", "已复查"
    RE_REVIEW_REQUESTED = "re_review_requested", "复核中"
    RE_REVIEWED = "re_reviewed", "已复核"
    CLOSED = "closed", "已办结"


# Stages in which an organ owes the petitioner an answer by a deadline (the hub's clock runs).
CLOCK_STAGES = frozenset(
    {Stage.REGISTERED, Stage.ACCEPTED, Stage.REVIEW_REQUESTED, Stage.RE_REVIEW_REQUESTED}
)
# Stages after a written answer: the petitioner may still rate it or ask for the next step.
ANSWERED_STAGES = frozenset({Stage.REPLIED, Stage.REVIEWED, Stage.RE_REVIEWED, Stage.CLOSED})
FINAL_STAGES = frozenset({Stage.NOT_ACCEPTED, Stage.CLOSED})


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"
