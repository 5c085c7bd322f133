"""`gridgov rotate_keys`: bring every stored ID and phone number under the current keys.

After an operator puts a new key first in GRIDGOV_FIELD_KEYS and/or GRIDGOV_HASH_KEYS (keeping the
old ones after it) and restarts, this command

- re-encrypts every token made with an older field key (`crypto.rotate`, which keeps the token's
  timestamp), and
- recomputes every look-up hash that is not the current key's hash of the decrypted value,

in batches of `--batch-size` rows ordered by primary key, one transaction each. Each batch locks
its rows (`select_for_update`), so a user editing a person at the same moment is neither
overwritten nor overwrites the batch: the services re-read the row under the same lock. Rows
already current are skipped, so the command can be stopped and run again at any time; a second run
finds nothing to do. When it reports nothing left, the old keys can be removed from the settings.

Writes go through each model's `_base_manager.bulk_update` inside `unscoped("key rotation")`:
no `version` bump and no `updated_at` change (a re-encryption is not an edit: nobody's open form
becomes stale), and no per-row audit entry (bulk_update sends no signals, and the token and hash
columns are excluded from the audit diff anyway). Instead the run writes one audit entry,
action code ``registry.keys.rotated``, by the system actor, with the counts; it is filed under no
area, so only the installation's system administrator sees it on the audit page.

A token no configured key opens, or a recomputed ID hash that another person already holds (a
duplicate registered during the rotation, when searches still used the old hashes), is not
written: it is listed at the end and the command exits with an error, after finishing the rest.

    gridgov rotate_keys --dry-run      # count only
    gridgov rotate_keys                # do it; safe to interrupt and re-run
"""

from __future__ import annotations

from argparse import ArgumentParser
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from gridgov.core import audit, crypto
from gridgov.core.scoping import unscoped
from gridgov.registry.models import House, Person, Unit

AUDIT_CODE = "registry.keys.rotated"
MAX_LISTED_PROBLEMS = 20


@dataclass(frozen=True)
class Secret:
    """One encrypted column, and the look-up hash column kept beside it (if any)."""

    token: str
    hash: str = ""
    kind: str = ""  # the look-up hash kind: "id", "phone"
    unique: bool = False  # the hash column carries a unique constraint


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    label: str
    secrets: tuple[Secret, ...]

    @property
    def columns(self) -> list[str]:
        return [c for s in self.secrets for c in (s.token, s.hash) if c]


TABLES = (
    Table(
        Person,
        "实有人口",
        (
            Secret("id_token", "id_hash", "id", unique=True),
            Secret("phone_token", "phone_hash", "phone"),
        ),
    ),
    Table(House, "实有房屋", (Secret("owner_id_token", "owner_id_hash", "id"),)),
    Table(
        Unit,
        "实有单位",
        (Secret("legal_rep_phone_token"), Secret("security_contact_phone_token")),
    ),
)


@dataclass
class Change:
    """What a batch rewrites in one row: re-encrypted token columns, re-hashed columns (with
    their old value, in case the new one must be given up)."""

    row: Any
    tokens: list[str] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)


@dataclass
class Tally:
    checked: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    tokens: int = 0
    hashes: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.problems.append(text)


class Command(BaseCommand):
    help = (
        "密钥轮换后,用当前的字段加密密钥重新加密所有身份证号和联系方式,并用当前的哈希密钥"
        "重新计算查找码(分批提交,可中断后重跑)。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="只统计需要更新的记录,不写入数据库。"
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="每批(一个事务)处理的记录数,默认 2000。"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size 至少为 1。")
        dry_run = options["dry_run"]
        field_keys, hash_keys = (
            crypto._setting("GRIDGOV_FIELD_KEYS"),
            crypto._setting("GRIDGOV_HASH_KEYS"),
        )
        self._say(
            f"字段加密密钥 {len(field_keys)} 个、查找哈希密钥 {len(hash_keys)} 个,"
            "以第一个为当前密钥。" + ("(试运行,不写入)" if dry_run else "")
        )
        tally = Tally()
        try:
            with unscoped("key rotation"):
                for table in TABLES:
                    self._rotate_table(table, tally, batch_size=batch_size, dry_run=dry_run)
        finally:
            # Also after an interruption: the batches committed so far are on record.
            if not dry_run and sum(tally.updated.values()):
                self._record(tally)
        self._report(tally, dry_run=dry_run)

    # --- Work -----------------------------------------------------------------------------------

    def _rotate_table(self, table: Table, tally: Tally, *, batch_size: int, dry_run: bool) -> None:
        manager = table.model._base_manager
        total = manager.count()
        last_pk: Any = None
        while True:
            with transaction.atomic():
                rows = manager.order_by("pk").only("pk", *table.columns)
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                if not dry_run:
                    rows = rows.select_for_update()
                batch = list(rows[:batch_size])
                if not batch:
                    break
                changes = [c for c in (self._refresh(table, row, tally) for row in batch) if c]
                self._keep_unique(table, changes, tally)
                changes = [c for c in changes if c.tokens or c.hashes]
                if changes and not dry_run:
                    manager.bulk_update([c.row for c in changes], table.columns)
            last_pk = batch[-1].pk
            tally.checked[table.label] += len(batch)
            tally.updated[table.label] += len(changes)
            tally.tokens += sum(len(c.tokens) for c in changes)
            tally.hashes += sum(len(c.hashes) for c in changes)
            verb = "需更新" if dry_run else "已更新"
            self._say(
                f"{table.label}:已检查 {tally.checked[table.label]}/{total} 条,"
                f"{verb} {tally.updated[table.label]} 条"
            )

    def _refresh(self, table: Table, row: Any, tally: Tally) -> Change | None:
        """Bring the row's tokens and hashes up to date in memory; what changed, if anything."""
        change = Change(row)
        for secret in table.secrets:
            token = getattr(row, secret.token)
            if not token:
                continue
            try:
                if crypto.needs_rotation(token):
                    token = crypto.rotate(token)
                    setattr(row, secret.token, token)
                    change.tokens.append(secret.token)
                if secret.hash:
                    current = crypto.lookup_hash(crypto.decrypt(token), secret.kind)
                    stored = getattr(row, secret.hash)
                    if stored != current:
                        change.hashes[secret.hash] = stored
                        setattr(row, secret.hash, current)
            except crypto.DecryptionError:
                tally.problem(
                    f"{table.label} #{row.pk} 的 {secret.token} 无法解密"
                    "(加密它的密钥已不在配置中,或密文已损坏)"
                )
        return change if change.tokens or change.hashes else None

    def _keep_unique(self, table: Table, changes: list[Change], tally: Tally) -> None:
        """A row whose new hash another row already holds (the same ID number registered twice,
        during the rotation) keeps its old hash, so the unique constraint holds; it is reported.
        Its token is still re-encrypted."""
        for secret in table.secrets:
            if not secret.unique:
                continue
            moving = [c for c in changes if secret.hash in c.hashes]
            if not moving:
                continue
            wanted = Counter(getattr(c.row, secret.hash) for c in moving)
            held = dict(
                table.model._base_manager.filter(**{f"{secret.hash}__in": list(wanted)})
                .exclude(pk__in=[c.row.pk for c in moving])
                .values_list(secret.hash, "pk")
            )
            for change in moving:
                new = getattr(change.row, secret.hash)
                if new in held or wanted[new] > 1:
                    setattr(change.row, secret.hash, change.hashes.pop(secret.hash))
                    other = f"#{held[new]}" if new in held else "本批中的另一条记录"
                    tally.problem(
                        f"{table.label} #{change.row.pk} 与 {other} 的号码相同(重复登记):"
                        f"未更新其 {secret.hash},请合并这两条记录后重跑"
                    )

    # --- Record and report ------------------------------------------------------------------

    def _record(self, tally: Tally) -> None:
        from gridgov.accounts.system import system_actor

        actor = system_actor()
        updated = "、".join(f"{label} {n} 条" for label, n in tally.updated.items() if n)
        audit.record_bulk(
            actor,
            AUDIT_CODE,
            model=Person,
            object_repr="个人信息加密字段(实有人口、实有房屋、实有单位)",
            changes={
                "重新加密的密文": f"{tally.tokens} 个",
                "重新计算的查找码": f"{tally.hashes} 个",
                "更新的记录": updated,
            },
        )

    def _report(self, tally: Tally, *, dry_run: bool) -> None:
        checked = sum(tally.checked.values())
        updated = sum(tally.updated.values())
        if dry_run:
            self._say(
                f"试运行完成:检查 {checked} 条记录,需更新 {updated} 条"
                f"(重新加密 {tally.tokens} 个密文,重新计算 {tally.hashes} 个查找码)。"
            )
        else:
            self._say(
                f"完成:检查 {checked} 条记录,更新 {updated} 条"
                f"(重新加密 {tally.tokens} 个密文,重新计算 {tally.hashes} 个查找码)。"
            )
        if tally.problems:
            for text in tally.problems[:MAX_LISTED_PROBLEMS]:
                self.stderr.write(text)
            more = len(tally.problems) - MAX_LISTED_PROBLEMS
            if more > 0:
                self.stderr.write(f"……另有 {more} 个问题未列出。")
            raise CommandError(
                f"有 {len(tally.problems)} 个值未能轮换,在处理完之前不要移除旧密钥。"
            )
        if not dry_run:
            self._say("所有记录均已使用当前密钥,可以从配置中移除旧密钥。")

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
