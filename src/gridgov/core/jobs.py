"""Background jobs a user starts and watches: imports and big exports.

An app registers a handler under a name (`register("registry.people.import", run, ...)`); a page
or a command creates the job with `start_job(...)`, which stores the uploaded file and puts
`run_job` on the task queue (the database worker or Celery; immediately in the tests). The
handler gets a `Progress` to report counts and checkpoints; everything it raises becomes the
job's failure message (a DomainError's Chinese message as is, anything else a generic one with
the details in the log).

A job that stopped half-way (the worker was killed, the machine restarted) is `resume_job`-ed:
the handler finds its `checkpoint`, saved in the same transaction as the rows it covers, and
goes on from there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from gridgov.core.errors import DomainError, Invalid, NotPermitted
from gridgov.core.models import Job

logger = logging.getLogger("gridgov.jobs")

# A running job that has not reported for this long is taken to have died with its worker.
STALE_AFTER = timedelta(minutes=5)
# Progress is written at most this often (each write is one small UPDATE).
PROGRESS_EVERY = timedelta(seconds=1)


@dataclass(frozen=True)
class Handler:
    name: str
    kind: str
    run: Callable[[Job, Progress], None]
    label: str
    permission: str


_handlers: dict[str, Handler] = {}


def register(
    name: str, *, kind: str, run: Callable[[Job, Progress], None], label: str, permission: str
) -> None:
    """Make `run(job, progress)` available as job handler `name` (apps call this in ready()).

    `permission` is the action the actor needs somewhere to start it; "" for a generic handler
    that checks its own per job (core.export checks the export spec's action)."""
    _handlers[name] = Handler(name=name, kind=kind, run=run, label=label, permission=permission)


def handler_for(name: str) -> Handler:
    return _handlers[name]


class JobCancelled(Exception):
    """Raised inside a handler (by `Progress.tick`) when the owner cancelled the job."""


class Progress:
    """What a handler reports while it runs; counts are saved now and then, not on every row."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._last_saved = timezone.now()

    def tick(self, *, force: bool = False, **counts: int) -> None:
        """Set counts (processed, succeeded, failed_rows, skipped, total) and save them if a
        second has passed. Raises JobCancelled if the owner cancelled the job meanwhile."""
        for name, value in counts.items():
            setattr(self.job, name, value)
        now = timezone.now()
        if not force and now - self._last_saved < PROGRESS_EVERY:
            return
        self._last_saved = now
        self.job.heartbeat_at = now
        fields = ["heartbeat_at", "total", "processed", "succeeded", "failed_rows", "skipped"]
        Job.objects.filter(pk=self.job.pk).update(**{f: getattr(self.job, f) for f in fields})
        if Job.objects.filter(pk=self.job.pk, state=Job.State.CANCELLED).exists():
            raise JobCancelled

    def checkpoint(self, **state: Any) -> None:
        """Save the handler's resume state. Call it inside the transaction of the work it
        covers, so the two are committed (or rolled back) together."""
        self.job.checkpoint = {**self.job.checkpoint, **state}
        self.job.heartbeat_at = timezone.now()
        Job.objects.filter(pk=self.job.pk).update(
            checkpoint=self.job.checkpoint,
            heartbeat_at=self.job.heartbeat_at,
            processed=self.job.processed,
            succeeded=self.job.succeeded,
            failed_rows=self.job.failed_rows,
            skipped=self.job.skipped,
        )

    def save_file(self, field: str, name: str, content: bytes | File) -> None:
        """Store a result file (`output_file` or `report_file`) under `name`."""
        data = content if isinstance(content, File) else ContentFile(content)
        getattr(self.job, field).save(name, data, save=False)
        if field == "output_file":
            self.job.output_name = name
        Job.objects.filter(pk=self.job.pk).update(
            **{field: getattr(self.job, field).name, "output_name": self.job.output_name}
        )


def jobs_for(user: Any) -> QuerySet[Job]:
    """The jobs `user` may see: their own (a system administrator sees everyone's)."""
    if getattr(user, "is_superuser", False):
        return Job.objects.select_related("owner")
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(owner=user).select_related("owner")


def start_job(
    *,
    actor: Any,
    handler: str,
    title: str,
    params: dict[str, Any] | None = None,
    upload: File | None = None,
    upload_name: str = "",
    dry_run: bool = False,
) -> Job:
    """Create a job for `actor` and queue it. The upload (if any) is stored first."""
    spec = handler_for(handler)
    from gridgov.core.scoping import jurisdiction

    if spec.permission and not jurisdiction(actor).allows_anywhere(spec.permission):
        raise NotPermitted()
    job = Job(
        kind=spec.kind,
        handler=handler,
        title=title,
        owner=actor,
        params=params or {},
        dry_run=dry_run,
    )
    if upload is not None:
        name = upload_name or getattr(upload, "name", "") or "upload"
        job.input_name = name[-200:]
        job.input_file.save(name, upload, save=False)
    job.save()
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def resume_job(job: Job, *, actor: Any) -> Job:
    """Run a failed or stalled job again from its checkpoint."""
    if job.owner_id != actor.pk and not actor.is_superuser:
        raise NotPermitted()
    stale = job.state == Job.State.RUNNING and (
        job.heartbeat_at is None or timezone.now() - job.heartbeat_at > STALE_AFTER
    )
    if job.state != Job.State.FAILED and not stale:
        raise Invalid("只有失败或中断的任务才能继续。")
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED, message="")
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    job.refresh_from_db()
    return job


def cancel_job(job: Job, *, actor: Any) -> Job:
    """Stop a queued or running job; work already committed stays (and is listed)."""
    if job.owner_id != actor.pk and not actor.is_superuser:
        raise NotPermitted()
    if job.is_finished:
        raise Invalid("任务已结束,无法取消。")
    Job.objects.filter(pk=job.pk).update(state=Job.State.CANCELLED, finished_at=timezone.now())
    job.refresh_from_db()
    return job


@task()
def run_job(job_id: int) -> str:
    """Run one job to its end. Safe to call twice: a finished job is left alone."""
    job = Job.objects.select_related("owner").get(pk=job_id)
    if job.state not in (Job.State.QUEUED, Job.State.RUNNING):
        return job.state
    job.state = Job.State.RUNNING
    job.started_at = job.started_at or timezone.now()
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["state", "started_at", "heartbeat_at"])
    progress = Progress(job)
    try:
        handler_for(job.handler).run(job, progress)
    except JobCancelled:
        job.state, job.message = Job.State.CANCELLED, "任务已取消,取消前已完成的部分保留。"
    except DomainError as exc:
        job.state, job.message = Job.State.FAILED, exc.message
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.handler)
        job.state = Job.State.FAILED
        job.message = "任务因系统错误中断,已完成的部分已保存,可以稍后“继续”。"
    else:
        job.state = Job.State.DONE
    job.finished_at = timezone.now()
    fields = ["state", "message", "finished_at", "summary", "total", "processed"]
    fields += ["succeeded", "failed_rows", "skipped"]
    Job.objects.filter(pk=job.pk).exclude(state=Job.State.CANCELLED).update(
        **{f: getattr(job, f) for f in fields}
    )
    return job.state


def job_result_context(job: Job) -> list[tuple[str, Any]]:
    """The handler's summary as (label, value) lines for the page (`summary["lines"]`)."""
    return [(str(label), value) for label, value in job.summary.get("lines", [])]
