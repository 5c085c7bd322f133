"""`manage.py seed_demo`: the demo township 横街镇 with its villages, grids, departments and people
(areas/demo.py), then the registry records of its grids (registry/demo.py), in one transaction,
then a few weeks of events (events/demo.py).

Idempotent (`make demo` runs it every time): what exists already is skipped, never duplicated.
"""

from __future__ import annotations

import time
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.areas import demo
from gridgov.core.errors import DomainError, Invalid
from gridgov.disputes import demo as disputes_demo
from gridgov.events import demo as events_demo
from gridgov.metrics import demo as metrics_demo
from gridgov.petitions import demo as petitions_demo
from gridgov.registry import demo as registry_demo
from gridgov.special import demo as special_demo


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = (
        "写入演示数据:海曙区及其乡镇街道,横街镇的村社区、网格、部门、网格员、"
        "各角色演示账号,以及各实体网格的地址、房屋、人口和单位(可重复运行)。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help=f"随机种子:同一种子生成同样的村名和人名(默认 {demo.DEFAULT_SEED})。",
        )
        parser.add_argument(
            "--password",
            default=demo.DEFAULT_PASSWORD,
            help=f"所有新建演示账号共用的密码(默认 {demo.DEFAULT_PASSWORD})。",
        )
        parser.add_argument(
            "--without-registry",
            action="store_true",
            help="只写区域、部门和账号,不写一标三实演示数据(地址、房屋、人口、单位)。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            # The registry's records come after the areas, in the same transaction.
            result = registry_demo.seed_demo(
                seed=options["seed"],
                password=options["password"],
                with_registry=not options["without_registry"],
            )
            if not options["without_registry"]:
                events_demo.seed_demo_events(
                    seed=options["seed"], created=result.created, existing=result.existing
                )
                disputes_demo.seed_demo_disputes(
                    seed=options["seed"], created=result.created, existing=result.existing
                )
                petitions_demo.seed_demo_petitions(
                    seed=options["seed"], created=result.created, existing=result.existing
                )
                special_demo.seed_demo_special(
                    seed=options["seed"], created=result.created, existing=result.existing
                )
            metrics_demo.seed_demo_targets(created=result.created, existing=result.existing)
        except Invalid as exc:
            messages = [m for ms in exc.as_dict().values() for m in ms]
            raise CommandError("演示数据未写入:" + " ".join(messages)) from exc
        except DomainError as exc:
            raise CommandError(f"演示数据未写入:{exc.message}") from exc
        elapsed = time.monotonic() - started
        self.report(result, elapsed)

    def report(self, result: demo.SeedResult, elapsed: float) -> None:
        out = self.stdout
        out.write("")
        if result.created_anything:
            out.write(self.style.SUCCESS(f"演示数据已写入(用时 {elapsed:.1f} 秒)。"))
        else:
            out.write(
                self.style.SUCCESS(
                    f"演示数据已存在,本次未新建也未重复任何记录(用时 {elapsed:.1f} 秒)。"
                )
            )
        out.write(f"  {_pad('', 36)}  新建  已存在")
        kinds = {**demo.KINDS, **registry_demo.KINDS, **events_demo.KINDS}
        kinds |= disputes_demo.KINDS
        kinds |= petitions_demo.KINDS
        kinds |= special_demo.KINDS
        kinds |= metrics_demo.KINDS
        for kind, label in kinds.items():
            created, existing = result.created[kind], result.existing[kind]
            out.write(f"  {_pad(label, 36)}  {created:>4}  {existing:>6}")

        headers = ("登录名 username", "角色 role", "姓名", "辖区/部门 where")
        rows = [(r.username, r.role_label, r.full_name, r.where) for r in result.logins]
        widths = [max(_width(x) for x in column) for column in zip(headers, *rows, strict=False)]
        out.write("")
        out.write(self.style.MIGRATE_HEADING("演示账号 Demo logins"))
        out.write(
            "  " + "  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()
        )
        out.write("  " + "  ".join("-" * w for w in widths))
        for row in rows:
            out.write(
                "  " + "  ".join(_pad(x, w) for x, w in zip(row, widths, strict=True)).rstrip()
            )
        out.write("")
        out.write(f"  密码 password: {result.password}(所有演示账号相同)")
        if result.existing["user"]:
            out.write("  已存在的账号保留原有密码,本次未修改。")
        out.write(f"  网格员账号:gw + 网格代码(如 gw{demo.TOWNSHIP_CODE}201001)。")
        out.write(f"  打开 {demo.DEMO_URL} 登录。")
