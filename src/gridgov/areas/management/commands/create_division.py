"""Create an installation's top area (and optionally its children) from the national codes.

    gridgov create_division 330203 --with-children    # 海曙区 and its 17 townships and streets
    gridgov create_division 330203101                 # one township, under its existing county

Acts as the system; everything is audited like any other change. Villages, communities and grids
are then added on the area pages or through the API.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from gridgov.accounts.system import system_actor
from gridgov.areas import divisions, services
from gridgov.areas.models import Area
from gridgov.core.errors import DomainError
from gridgov.core.scoping import unscoped


class Command(BaseCommand):
    help = "从国家区划代码创建区域(区县、乡镇街道),可连同其全部下级一起创建。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="国家区划代码,如 330203(区县)或 330203101(乡镇)")
        parser.add_argument(
            "--with-children", action="store_true", help="同时创建其全部下级(如区县的乡镇街道)"
        )

    @transaction.atomic
    def handle(self, *args: Any, code: str, with_children: bool, **options: Any) -> None:
        division = divisions.lookup(code)
        if division is None:
            raise CommandError(f"{code} 不在国家区划代码表({divisions.AS_OF})中。")
        actor = system_actor()
        with unscoped("create_division command"):
            area = Area.objects.filter(code=code).first()
            parent = (
                Area.objects.filter(code=division.parent_code).first()
                if division.parent_code
                else None
            )
        try:
            if area is None:
                area = services.create_area(
                    actor=actor,
                    parent=parent,
                    code=code,
                    name=division.name,
                    level=None if parent else division.level,
                )
                self.stdout.write(f"已创建 {area.code} {divisions.full_name(code)}")
            else:
                self.stdout.write(f"已存在 {area.code} {area.name}")
            if with_children:
                with unscoped("create_division command"):
                    existing = set(Area.objects.filter(parent=area).values_list("code", flat=True))
                missing = [d.code for d in divisions.children_of(code) if d.code not in existing]
                created = services.create_areas_from_divisions(
                    actor=actor, parent=area, division_codes=missing
                )
                self.stdout.write(f"新建下级 {len(created)} 个,已存在 {len(existing)} 个。")
        except DomainError as error:
            raise CommandError(error.message) from error
