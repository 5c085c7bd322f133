"""`gridgov import people|houses|units FILE --user NAME`: the page's import, from a shell.

Same checks, same batches, same error report as an upload; the run is a job listed on the
user's job page. `--dry-run` checks without writing; `--resume JOB` continues an interrupted run
after its last committed batch; `--report PATH` writes the error report there as well.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gridgov.accounts.models import User
from gridgov.core.errors import DomainError
from gridgov.core.models import Job
from gridgov.registry.imports import KINDS, run_import


class Command(BaseCommand):
    help = "导入实有人口、实有房屋或实有单位(CSV 或 XLSX)。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help="people | houses | units")
        parser.add_argument("file", help="CSV (UTF-8 or GBK) or XLSX file")
        parser.add_argument("--user", required=True, help="the account the import acts as")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--resume", type=int, metavar="JOB", help="continue job JOB")
        parser.add_argument("--report", metavar="PATH", help="also write the error report here")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件:{path}")
        try:
            actor = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"没有启用的账号“{options['user']}”。") from None
        job = None
        if options["resume"]:
            job = Job.objects.filter(pk=options["resume"], owner=actor).first()
            if job is None or job.is_finished:
                raise CommandError("没有该账号可继续的导入任务。")
            Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)
        try:
            outcome = run_import(
                options["kind"],
                path,
                filename=path.name,
                actor=actor,
                dry_run=options["dry_run"],
                job=job,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for label, value in outcome.lines():
            self.stdout.write(f"{label}: {value}")
        job = outcome.job
        self.stdout.write(f"任务编号: {job.pk}")
        if options["report"] and job.report_file:
            with job.report_file.open("rb") as report:
                Path(options["report"]).write_bytes(report.read())
            self.stdout.write(f"错误报告: {options['report']}")
        if outcome.failed:
            self.stderr.write(f"有 {outcome.failed} 行未导入,原因见错误报告。")
