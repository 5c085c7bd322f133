"""`gridgov worker`: the background worker, whichever engine TASKS_BACKEND names.

- db (default): works the queue table with django-tasks-db's `db_worker`, and enqueues the
  periodic sweeps (`gridgov.core.tasks.PERIODIC_TASKS`) at start and then every
  SWEEP_INTERVAL_MINUTES. Several workers may run at once: a sweep already waiting in the queue
  is not enqueued again, and the sweeps are safe to run twice.
- celery: replaces itself with `celery -A gridgov worker -B` (the beat schedule in settings runs
  the sweeps). With several Celery workers, pass --no-beat to all but one, or run
  `celery -A gridgov beat` on its own.
- immediate: nothing is queued, so it just runs the sweeps in this process on the same schedule.

`--once` enqueues the sweeps, runs everything waiting in the queue and exits (db, immediate):
for cron, tests and a quick check after an upgrade.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from gridgov.core import tasks as jobs


def _backend_kind() -> str:
    from django_tasks import task_backends
    from django_tasks.backends.immediate import ImmediateBackend
    from django_tasks_db import DatabaseBackend
    from django_tasks_fennel import CeleryBackend

    backend = task_backends["default"]
    if isinstance(backend, DatabaseBackend):
        return "db"
    if isinstance(backend, CeleryBackend):
        return "celery"
    if isinstance(backend, ImmediateBackend):
        return "immediate"
    raise CommandError(
        f"不支持的任务后端:{type(backend).__name__}(TASKS_BACKEND=db|celery|immediate)"
    )


def enqueue_periodic(*, skip_waiting: bool = True) -> list[str]:
    """Enqueue every periodic sweep once; with `skip_waiting`, not one already waiting in the
    database queue. Returns the paths of the jobs enqueued."""
    from django_tasks import TaskResultStatus

    enqueued = []
    for job in jobs.PERIODIC_TASKS:
        if skip_waiting and _backend_kind() == "db":
            from django_tasks_db.models import DBTaskResult

            waiting = DBTaskResult.objects.filter(
                task_path=job.module_path, status=TaskResultStatus.READY
            ).exists()
            if waiting:
                continue
        job.enqueue()
        enqueued.append(job.module_path)
    return enqueued


class _Sweeper(threading.Thread):
    """Enqueues the periodic sweeps now and then every `minutes`, until stopped."""

    def __init__(self, minutes: float, log: Any) -> None:
        super().__init__(name="gridgov-sweeper", daemon=True)
        self.seconds = max(minutes * 60, 1.0)
        self.log = log
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                for path in enqueue_periodic():
                    self.log(f"已加入队列:{path}")
            except Exception as exc:  # keep sweeping next time; the queue may be back by then
                self.log(f"定时任务入队失败:{exc!r}")
            finally:
                connections.close_all()  # this thread's connections only
            self.stopped.wait(self.seconds)

    def stop(self) -> None:
        self.stopped.set()


class Command(BaseCommand):
    help = "运行后台任务进程(按 TASKS_BACKEND:db 数据库队列 | celery | immediate)。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="把定时清理任务加入队列,处理完队列中所有任务后退出(db、immediate)。",
        )
        parser.add_argument(
            "--sweep-minutes",
            type=float,
            default=None,
            help="定时清理任务的间隔(分钟),默认取 SWEEP_INTERVAL_MINUTES;0 表示不自动入队。",
        )
        parser.add_argument(
            "--queue-name",
            default="default",
            help="处理的队列,逗号分隔;'*' 表示全部(db)。",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="队列为空时再次检查前等待的秒数(db)。",
        )
        parser.add_argument(
            "--no-beat",
            action="store_true",
            help="不在本进程内运行 Celery beat 定时调度(celery,多个 worker 时只留一个带 beat)。",
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=None,
            help="Celery 并发进程数(celery)。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = _backend_kind()
        minutes = options["sweep_minutes"]
        if minutes is None:
            minutes = float(getattr(settings, "SWEEP_INTERVAL_MINUTES", 60))
        if minutes < 0:
            raise CommandError("--sweep-minutes 不能为负数。")
        if kind == "celery":
            if options["once"]:
                raise CommandError("--once 只用于数据库队列(TASKS_BACKEND=db)或 immediate。")
            self._exec_celery(beat=not options["no_beat"], concurrency=options["concurrency"])
        elif kind == "immediate":
            self._run_immediate(once=options["once"], minutes=minutes)
        else:
            self._run_db(
                once=options["once"],
                minutes=minutes,
                queue_name=options["queue_name"],
                interval=options["interval"],
                verbosity=options["verbosity"],
            )

    def _log(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    # --- db -----------------------------------------------------------------------------------

    def _run_db(
        self, *, once: bool, minutes: float, queue_name: str, interval: float, verbosity: int
    ) -> None:
        sweeper = None
        if once:
            for path in enqueue_periodic():
                self._log(f"已加入队列:{path}")
        elif minutes:
            sweeper = _Sweeper(minutes, self._log)
            sweeper.start()
            self._log(f"后台任务进程已启动(数据库队列),每 {minutes:g} 分钟执行一次定时清理。")
        else:
            self._log("后台任务进程已启动(数据库队列),不自动执行定时清理。")
        saved = _save_signals()
        try:
            call_command(
                "db_worker",
                queue_name=queue_name,
                interval=interval,
                batch=once,
                reload=False,
                startup_delay=not once,
                verbosity=verbosity,
            )
        finally:
            if sweeper is not None:
                sweeper.stop()
            _restore_signals(saved)

    # --- immediate ----------------------------------------------------------------------------

    def _run_immediate(self, *, once: bool, minutes: float) -> None:
        if once or not minutes:
            for path in enqueue_periodic(skip_waiting=False):
                self._log(f"已执行:{path}")
            return
        self._log(f"任务后端为 immediate:在本进程内每 {minutes:g} 分钟执行一次定时清理。")
        stop = threading.Event()
        saved = _save_signals()

        def _stop(signum: int, frame: Any) -> None:
            stop.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _stop)
        try:
            while not stop.is_set():
                for path in enqueue_periodic(skip_waiting=False):
                    self._log(f"已执行:{path}")
                connections.close_all()
                stop.wait(minutes * 60)
        finally:
            _restore_signals(saved)

    # --- celery -------------------------------------------------------------------------------

    def _exec_celery(self, *, beat: bool, concurrency: int | None) -> None:
        celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or shutil.which(
            "celery"
        )
        argv = [sys.executable, "-m", "celery"] if celery is None else [celery]
        argv += ["-A", "gridgov", "worker", "--loglevel=INFO"]
        if beat:
            # Beat's first interval ends an interval from now; sweep once at start as db does.
            try:
                for path in enqueue_periodic():
                    self._log(f"已加入队列:{path}")
            except Exception as exc:
                self._log(f"定时任务入队失败(Celery 启动后按计划重试):{exc!r}")
            var_dir = Path(settings.VAR_DIR)
            var_dir.mkdir(parents=True, exist_ok=True)
            argv += ["-B", "--schedule", str(var_dir / "celerybeat-schedule")]
        if concurrency:
            argv += ["--concurrency", str(concurrency)]
        env = dict(os.environ)
        src_dir = str(Path(settings.SRC_DIR).parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src_dir, env.get("PYTHONPATH", "")) if p)
        self._log("启动 Celery:" + " ".join(argv))
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(argv[0], argv, env)  # noqa: S606 - replaces this process, by design


_SIGNALS = [s for s in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, s)]


def _save_signals() -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {getattr(signal, s): signal.getsignal(getattr(signal, s)) for s in _SIGNALS}


def _restore_signals(saved: dict[int, Any]) -> None:
    """db_worker installs its own handlers; put the caller's back (tests call this in-process)."""
    for sig, handler in saved.items():
        if handler is not None:
            signal.signal(sig, handler)
