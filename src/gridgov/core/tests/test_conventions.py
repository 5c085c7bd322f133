"""Project conventions as tests (Zulip's custom lint rules, in small): a rule a reviewer would
have to remember is checked here instead. Each rule names its reason."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps

SRC = Path(__file__).resolve().parents[2]  # src/gridgov
APP_DIRS = [p for p in SRC.iterdir() if p.is_dir() and (p / "apps.py").exists()]


def _files(*patterns: str) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns:
        found += [
            p for p in SRC.rglob(pattern) if "tests" not in p.parts and "migrations" not in p.parts
        ]
    return sorted(set(found))


READ_DOORS = _files(
    "*views.py", "api/*.py", "forms.py", "filters.py", "templatetags/*.py", "home.py", "exports.py"
)


@pytest.mark.parametrize("path", READ_DOORS, ids=lambda p: str(p.relative_to(SRC)))
def test_read_doors_query_scoped_models_only_through_for_user(path):
    """Pages and API read through `for_user`; an unscoped `.objects.` there is a leak waiting."""
    scoped = {m.__name__ for m in apps.get_models() if hasattr(m.objects, "for_user")}
    # A personal model (a notification) belongs to a person, not an area: read via for_recipient.
    personal = {m.__name__ for m in apps.get_models() if hasattr(m.objects, "for_recipient")}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        for model in re.findall(r"\b(\w+)\.objects\.", line):
            if model in scoped:
                assert re.search(rf"{model}\.objects\.(for_user|none)\(", line), (
                    f"{path.name}:{number}: {model}.objects without for_user(): {line.strip()}"
                )
            if model in personal:
                assert re.search(rf"{model}\.objects\.(for_recipient|none)\(", line), (
                    f"{path.name}:{number}: {model}.objects without for_recipient(): {line.strip()}"
                )


# jobs.py is the background-job service; imports.py is an app's bulk-import service (batches of
# rows in one transaction, audited per batch): both write on purpose.
WRITERS_ALLOWED = {
    "services.py",
    "demo.py",
    "access_log.py",
    "system.py",
    "jobs.py",
    "imports.py",
    "audit.py",
}


@pytest.mark.parametrize("path", _files("*.py"), ids=lambda p: str(p.relative_to(SRC)))
def test_only_services_write(path):
    """Writes go through services (one transaction, permission, version, audit)."""
    if path.name in WRITERS_ALLOWED or "management" in path.parts or "testing" in path.parts:
        return
    text = path.read_text()
    for pattern in (r"\.save\(", r"\.bulk_create\(", r"\.objects\.create\(", r"\.delete\(\)"):
        match = re.search(pattern, text)
        assert match is None, f"{path.relative_to(SRC)} writes ({pattern}); call a service instead"


@pytest.mark.parametrize("path", _files("*.py"), ids=lambda p: str(p.relative_to(SRC)))
def test_no_naive_now(path):
    """Deadlines and audit times are timezone-aware: use django.utils.timezone."""
    assert (
        "datetime.now(" not in path.read_text()
        and "date.today()" not in path.read_text().replace("default=dt.date.today", "")
    ), f"{path.relative_to(SRC)}: use timezone.now()/timezone.localdate()"


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.html")), ids=lambda p: str(p.relative_to(SRC)))
def test_templates_escape_everything_and_load_nothing_remote(path):
    text = path.read_text()
    assert "|safe" not in text and "autoescape off" not in text, f"{path.name}: no unescaped output"
    assert not re.search(r"(src|href)=\"https?://", text), (
        f"{path.name}: no remote assets (air-gapped)"
    )
    assert "<script>" not in text and "onclick=" not in text, f"{path.name}: no inline script (CSP)"


def test_every_role_action_is_declared_by_an_app():
    from gridgov.accounts.roles import ROLE_ACTIONS

    declared: dict[str, str] = {}
    for app_dir in APP_DIRS:
        try:
            module = importlib.import_module(f"gridgov.{app_dir.name}.permissions")
        except ModuleNotFoundError:
            continue
        declared.update(module.ACTIONS)
    for role, actions in ROLE_ACTIONS.items():
        assert actions <= declared.keys(), f"{role}: undeclared {actions - declared.keys()}"


def test_every_scoped_model_keeps_an_indexed_path():
    from gridgov.core.scoping import ScopedModel

    for model in apps.get_models():
        if issubclass(model, ScopedModel):
            field = model._meta.get_field(model.scope_path_field)
            # its own index, or a composite one that starts with it (a range on the path)
            leads = any(index.fields[:1] == [field.name] for index in model._meta.indexes)
            assert field.db_index or field.unique or leads, (
                f"{model.__name__}.{field.name} must be indexed"
            )


def test_every_domain_model_is_audited():
    from auditlog.registry import auditlog

    from gridgov.core.models import DomainModel

    for model in apps.get_models():
        if issubclass(model, DomainModel):
            assert auditlog.contains(model), f"{model.__name__} is not registered with auditlog"
