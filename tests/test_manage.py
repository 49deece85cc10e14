"""manage.py as an operator runs it: a subprocess against a real SQLite file or PostgreSQL
database, configured only by environment variables."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from conftest import IN_CI, PG_ADMIN_URL, ROOT, _pg_available, create_pg_database

PASSWORD = "Duty#Desk2026"


class Manage:
    """One installation: a data directory and a database URL, driven through manage.py."""

    def __init__(self, kind: str, data_dir: Path, database_url: str | None):
        self.kind = kind
        self.data_dir = data_dir
        self.url = database_url or f"sqlite:///{data_dir / 'dutydesk.sqlite'}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DUTYDESK_")}
        self.env.update(DUTYDESK_DATA_DIR=str(data_dir), DUTYDESK_BCRYPT_ROUNDS="4")
        if database_url:
            self.env["DUTYDESK_DATABASE_URL"] = database_url

    def __call__(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              input=stdin, capture_output=True, text=True, timeout=120)

    def create_admin(self, username: str, role: str = "system_admin") -> subprocess.CompletedProcess:
        return self("create-admin", "--username", username, "--name", "张三", "--role", role,
                    "--password-stdin", stdin=PASSWORD + "\n")

    def scalar(self, sql: str, **params):
        engine = create_engine(self.url)
        try:
            with engine.connect() as c:
                return c.execute(text(sql), params).scalar()
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def manage(request, tmp_path):
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        yield Manage("sqlite", data_dir, None)
        return
    if not _pg_available():
        if IN_CI:
            pytest.fail("CI=true: PostgreSQL must be reachable at " + PG_ADMIN_URL)
        pytest.skip("PostgreSQL not reachable (set DUTYDESK_TEST_PG_URL)")
    url, drop = create_pg_database()
    try:
        yield Manage("postgresql", data_dir, url)
    finally:
        drop()


@pytest.fixture
def migrated(manage):
    done = manage("migrate")
    assert done.returncode == 0, done.stderr
    return manage


def test_help_is_in_chinese():
    done = subprocess.run([sys.executable, "manage.py", "--help"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0
    for command in ("migrate", "create-admin", "demo", "audit-verify", "backup", "restore"):
        assert command in done.stdout
    assert "校验审计日志哈希链" in done.stdout and "显示本帮助并退出" in done.stdout


def test_migrate_creates_the_data_dir_and_is_repeatable(manage):
    first = manage("migrate")
    assert first.returncode == 0, first.stderr
    assert "数据库已升级到最新结构" in first.stdout
    assert manage.data_dir.is_dir()
    assert stat.S_IMODE(manage.data_dir.stat().st_mode) == 0o700
    assert manage.scalar("SELECT count(*) FROM alembic_version") == 1
    assert manage("migrate").returncode == 0


def test_create_admin_then_audit_verify(migrated):
    done = migrated.create_admin("sysadmin")
    assert done.returncode == 0, done.stderr
    assert "sysadmin" in done.stdout and "系统管理员" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    assert migrated.scalar("SELECT must_change_password FROM app_user WHERE username = 'sysadmin'")
    assert migrated.scalar("SELECT role FROM user_role") == "system_admin"
    assert migrated.scalar("SELECT action FROM audit_event") == "user.create"

    verify = migrated("audit-verify")
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.strip() == "审计链完整，共 1 条"


def test_create_admin_asks_for_what_is_missing(migrated):
    done = migrated("create-admin", "--password-stdin",
                    stdin=f"secadmin\n李四\nsecurity_admin\n{PASSWORD}\n")
    assert done.returncode == 0, done.stderr
    assert "安全管理员" in done.stdout
    assert migrated.scalar("SELECT display_name FROM app_user") == "李四"


def test_create_admin_refuses_a_weak_password_and_a_taken_username(migrated):
    weak = migrated("create-admin", "--username", "weak", "--name", "王五", "--role",
                    "audit_admin", "--password-stdin", stdin="12345678\n")
    assert weak.returncode == 1
    assert "密码" in weak.stderr
    assert migrated.scalar("SELECT count(*) FROM app_user") == 0

    assert migrated.create_admin("sysadmin").returncode == 0
    again = migrated.create_admin("sysadmin", role="audit_admin")
    assert again.returncode == 1
    assert "sysadmin 已存在" in again.stderr
    assert migrated.scalar("SELECT count(*) FROM app_user") == 1


def test_audit_verify_names_the_first_tampered_row(migrated):
    for name in ("alpha", "bravo", "charlie"):
        assert migrated.create_admin(name).returncode == 0
    target = migrated.scalar("SELECT id FROM audit_event ORDER BY id LIMIT 1 OFFSET 1")
    engine = create_engine(migrated.url)
    with engine.begin() as c:  # someone with database access bypasses app and trigger
        if migrated.kind == "sqlite":
            c.execute(text("DROP TRIGGER audit_event_no_update"))
        else:
            c.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change"))
        c.execute(text("UPDATE audit_event SET outcome = 'failure' WHERE id = :i"), {"i": target})
    engine.dispose()

    verify = migrated("audit-verify")
    assert verify.returncode == 1
    assert f"id={target}" in verify.stderr
    assert "内容被篡改" in verify.stderr


def test_backup_and_restore_round_trip(migrated):
    for name in ("alpha", "bravo"):
        assert migrated.create_admin(name).returncode == 0
    backup = migrated("backup")
    assert backup.returncode == 0, backup.stderr
    path = Path(backup.stdout.split("已备份到", 1)[1].strip())
    assert path.parent == migrated.data_dir / "backups" and path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    users_at_backup = migrated.scalar("SELECT count(*) FROM app_user")
    events_at_backup = migrated.scalar("SELECT count(*) FROM audit_event")

    # Life goes on after the backup, then the backup is put back.
    assert migrated.create_admin("charlie").returncode == 0
    restore = migrated("restore", "--input", str(path))
    assert restore.returncode == 0, restore.stderr
    assert "恢复前的数据库已另存为" in restore.stdout

    assert migrated.scalar("SELECT count(*) FROM app_user") == users_at_backup == 2
    assert migrated.scalar("SELECT count(*) FROM app_user WHERE username = 'charlie'") == 0
    # The restored trail is the backed-up one plus the record of the restore itself.
    assert migrated.scalar("SELECT count(*) FROM audit_event") == events_at_backup + 1
    assert migrated.scalar("SELECT action FROM audit_event ORDER BY id DESC LIMIT 1") == \
        "maintenance.restore"
    verify = migrated("audit-verify")
    assert verify.returncode == 0, verify.stderr
    assert f"共 {events_at_backup + 1} 条" in verify.stdout

    # The restored trail is still append-only, and the application can write again.
    engine = create_engine(migrated.url)
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as c:
            c.execute(text("UPDATE audit_event SET action = 'forged'"))
    engine.dispose()
    assert migrated.create_admin("delta").returncode == 0
    assert migrated("audit-verify").returncode == 0


def test_backup_to_a_chosen_file_never_overwrites(migrated, tmp_path):
    assert migrated.create_admin("alpha").returncode == 0
    target = tmp_path / "chosen.bak"
    assert migrated("backup", "--output", str(target)).returncode == 0
    assert target.stat().st_size > 0
    again = migrated("backup", "--output", str(target))
    assert again.returncode == 1
    assert "不会覆盖" in again.stderr


def test_restore_refuses_a_missing_or_foreign_file(migrated, tmp_path):
    missing = migrated("restore", "--input", str(tmp_path / "nope.sqlite"))
    assert missing.returncode == 1 and "备份文件不存在" in missing.stderr
    foreign = tmp_path / "foreign.bak"
    foreign.write_bytes(b"not a backup at all" * 100)
    refused = migrated("restore", "--input", str(foreign))
    assert refused.returncode == 1
    assert not (migrated.data_dir / "backups").exists()  # refused before touching anything
    assert migrated("audit-verify").returncode == 0


def test_demo_loads_once_and_prints_the_demo_accounts(migrated):
    done = migrated("demo")
    assert done.returncode == 0, done.stderr
    assert "演示账号" in done.stdout
    for username in ("zhiban", "daiban", "danwei", "dangzhengban", "xitong", "anquan", "shenji"):
        assert username in done.stdout
    again = migrated("demo")
    assert again.returncode == 1 and "已载入" in again.stderr
    assert migrated("audit-verify").returncode == 0
