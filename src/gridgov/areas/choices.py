from django.db import models


class Level(models.TextChoices):
    """Levels of the area tree. GB/T 31000 code table 5.2 numbers the administrative ones."""

    PROVINCE = "province", "省级"
    CITY = "city", "地市级"
    COUNTY = "county", "区/县"
    TOWNSHIP = "township", "乡镇/街道"
    VILLAGE = "village", "村/社区"
    GRID = "grid", "网格"


# GB/T 31000-2015 table 5.2 (层级) codes, for data exchange. Grids have no code there.
GBT31000_LEVEL_CODE = {
    Level.PROVINCE: "02",
    Level.CITY: "03",
    Level.COUNTY: "04",
    Level.TOWNSHIP: "05",
    Level.VILLAGE: "06",
}

PARENT_LEVEL = {
    Level.CITY: Level.PROVINCE,
    Level.COUNTY: Level.CITY,
    Level.TOWNSHIP: Level.COUNTY,
    Level.VILLAGE: Level.TOWNSHIP,
    Level.GRID: Level.VILLAGE,
}
CHILD_LEVEL = {parent: child for child, parent in PARENT_LEVEL.items()}

# Total code length at each level: GB/T 2260 (6 digits) + 3 township + 3 village + 3 grid.
CODE_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
    Level.GRID: 15,
}

# Levels a deployment may start its tree at (a district, a city or a province installation).
ROOT_LEVELS = frozenset({Level.PROVINCE, Level.CITY, Level.COUNTY})


class GridKind(models.TextChoices):
    REAL = "real", "实体网格"
    VIRTUAL = "virtual", "专属网格"


class Status(models.TextChoices):
    ACTIVE = "active", "在用"
    RETIRED = "retired", "已撤销"


class Post(models.TextChoices):
    """Posts in a grid (定岗)."""

    CHIEF = "chief", "网格长"
    FULL_TIME = "full_time", "专职网格员"
    PART_TIME = "part_time", "兼职网格员"
    INSTRUCTOR = "instructor", "网格指导员"
    POLICE = "police", "网格民警"


# A grid "has a responsible worker" when one of these posts is filled (定人).
RESPONSIBLE_POSTS = frozenset({Post.CHIEF, Post.FULL_TIME})
# Posts whose holder works the grid and so gets a grid-worker membership with the assignment.
WORKER_POSTS = frozenset({Post.CHIEF, Post.FULL_TIME, Post.PART_TIME})


class Duty(models.TextChoices):
    """Duties of a grid worker (定责), after the common five (DOMAIN.md §2.1)."""

    INFORMATION = "information", "信息采集"
    PUBLICITY = "publicity", "政策宣传"
    MEDIATION = "mediation", "矛盾调解"
    SERVICE = "service", "便民服务"
    RISK = "risk", "风险排查"
