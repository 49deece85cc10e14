"""Operator maintenance on the server itself (manage.py): migrate, back up, restore.

Backups hold password hashes and personal data: files and their folder are owner-only.
Backup and restore are themselves audited (等保 2.0 安全审计) as the system actor.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from config import Settings, load_settings
from models import db
from services import audit, clock
from services.errors import DomainError
from services.permissions import SYSTEM_ACTOR
from services.uow import transaction

ROOT = Path(__file__).resolve().parent.parent


def _ensure_data_dir(settings: Settings) -> None:
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)


def migrate(settings: Settings | None = None) -> None:
    """Upgrade the configured database to the newest schema (alembic upgrade heads)."""
    settings = settings or load_settings()
    _ensure_data_dir(settings)
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    command.upgrade(cfg, "heads")


# ---------------------------------------------------------------- backup and restore

def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> Path:
    return Path(make_url(url).database).resolve()


def _pg_connection(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI for pg_dump/pg_restore, the password passed in the environment, not argv."""
    u = make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    uri = u._replace(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run_pg_tool(args: list[str], env: dict[str, str]) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise DomainError(f"未找到 {args[0]}：请安装 PostgreSQL 客户端（Debian 软件包 postgresql-client）")
    # A list of arguments, no shell; the tool is pg_dump/pg_restore found on PATH.
    done = subprocess.run([tool, *args[1:]], env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise DomainError(f"{args[0]} 失败（退出码 {done.returncode}）：{done.stderr.strip()}")


def _new_backup_path(settings: Settings, suffix: str) -> Path:
    folder = settings.data_dir / "backups"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = clock.local(clock.now()).strftime("%Y%m%d-%H%M%S")
    path, n = folder / f"dutydesk-{stamp}{suffix}", 1
    while path.exists():
        n += 1
        path = folder / f"dutydesk-{stamp}-{n}{suffix}"
    return path


def _record(action: str, details: dict) -> None:
    with transaction() as s:
        audit.record(s, SYSTEM_ACTOR, action, "database", None, details=details)


def backup(output: Path | None = None, settings: Settings | None = None) -> Path:
    """Copy the live database: SQLite through its online backup API, PostgreSQL by pg_dump -Fc."""
    settings = settings or load_settings()
    url = settings.database_url
    sqlite = _is_sqlite(url)
    target = Path(output) if output else _new_backup_path(settings, ".sqlite" if sqlite else ".dump")
    target = target.resolve()
    if target.exists():
        raise DomainError(f"备份文件已存在，不会覆盖：{target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Recorded first, so the copy carries the record of its own making.
    _record("maintenance.backup", {"file": target.name})
    if sqlite:
        _sqlite_backup(_sqlite_path(url), target)
    else:
        target.touch(mode=0o600)
        uri, env = _pg_connection(url)
        _run_pg_tool(["pg_dump", "--format=custom", f"--file={target}", f"--dbname={uri}"], env)
    target.chmod(0o600)
    return target


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.exists():
        raise DomainError(f"数据库文件不存在：{source}")
    src = sqlite3.connect(source)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()


def _check_sqlite_backup(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            has_audit = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='audit_event'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DomainError(f"不是有效的 SQLite 备份文件：{path}（{exc}）") from exc
    if ok != "ok" or not has_audit:
        raise DomainError(f"不是完整的政务值班台备份：{path}")


def restore(input_path: Path, settings: Settings | None = None) -> Path | None:
    """Put a backup back in place; the application must be stopped.

    The current database is first backed up beside the others (returned), so a restore
    of the wrong file can itself be undone.
    """
    settings = settings or load_settings()
    url = settings.database_url
    source = Path(input_path).resolve()
    if not source.is_file():
        raise DomainError(f"备份文件不存在：{source}")
    if _is_sqlite(url):
        _check_sqlite_backup(source)
        target = _sqlite_path(url)
        safety = backup(settings=settings) if target.exists() else None
        db.engine().dispose()
        target.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    else:
        uri, env = _pg_connection(url)
        _run_pg_tool(["pg_restore", "--list", str(source)], env)  # a pg_dump archive at all?
        safety = backup(settings=settings)
        db.engine().dispose()
        _run_pg_tool(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl",
                      "--single-transaction", f"--dbname={uri}", str(source)], env)
    _record("maintenance.restore", {"file": source.name,
                                    "safety_backup": safety.name if safety else None})
    return safety
