#!/usr/bin/env python3
"""政务值班台运维命令行（在服务器本机运行）。

  python manage.py migrate        升级数据库结构
  python manage.py create-admin   创建三员管理账号
  python manage.py demo           载入演示数据
  python manage.py audit-verify   校验审计日志和值班记录本的哈希链
  python manage.py backup         备份数据库
  python manage.py restore        从备份恢复数据库（须先停止应用）

配置只来自环境变量（DUTYDESK_DATA_DIR、DUTYDESK_DATABASE_URL 等，见 README）。
"""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

ADMIN_ROLES = ("system_admin", "security_admin", "audit_admin")


def cmd_migrate(args: argparse.Namespace) -> int:
    from services import maintenance

    maintenance.migrate()
    print("数据库已升级到最新结构")
    return 0


def _ask(prompt: str, value: str | None) -> str:
    return value if value is not None else input(prompt).strip()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("初始密码：")
    if getpass.getpass("再次输入初始密码：") != first:
        raise SystemExit("两次输入的密码不一致，未创建账号")
    return first


def cmd_create_admin(args: argparse.Namespace) -> int:
    from services import auth
    from services.permissions import ROLE_LABELS, SYSTEM_ACTOR

    username = _ask("用户名：", args.username)
    name = _ask("姓名：", args.name)
    role = args.role
    while role not in ADMIN_ROLES:
        choices = "、".join(f"{r}（{ROLE_LABELS[r]}）" for r in ADMIN_ROLES)
        role = input(f"角色 [{choices}]：").strip()
    password = _read_password(args.password_stdin)
    user_id = auth.create_user(SYSTEM_ACTOR, username, name, password, roles={role})
    print(f"已创建账号 {username.strip().lower()}（{ROLE_LABELS[role]}，编号 {user_id}），"
          "首次登录须修改密码")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    import demo

    result = demo.load()  # a refusal (already loaded) is a DomainError, shown by main()
    print(f"已载入演示数据：单位 {result['units']} 个，人员 {result['people']} 人，"
          f"通讯录 {result['contacts']} 条")
    print("演示账号（密码仅此一次显示；首次登录须修改密码）：")
    for acc in result["accounts"]:
        print(f"  {acc['username']:<14}{acc['role']:<8}{acc['name']:<8}{acc['password']}")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from services import audit
    from services.uow import reading

    from services.daily import logbook

    with reading() as s:
        report = audit.verify_chain(s)
        books = logbook.verify_log_books(s)   # 第十三条: the log books' chains too
    ok = True
    if report.intact:
        print(f"审计链完整，共 {report.rows} 条")
    else:
        print(f"审计链被破坏：第 {report.rows} 条记录（id={report.broken_id}）{report.reason}",
              file=sys.stderr)
        ok = False
    if not books.intact:
        print(f"值班记录本被破坏：记录本 id={books.broken_book_id}，"
              f"记录 id={books.broken_entry_id}：{books.reason}", file=sys.stderr)
        ok = False
    elif books.books:
        print(f"值班记录本完整，共 {books.books} 本、{books.entries} 条记录")
    return 0 if ok else 1


def cmd_backup(args: argparse.Namespace) -> int:
    from services import maintenance

    path = maintenance.backup(args.output)
    print(f"已备份到 {path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from services import maintenance

    safety = maintenance.restore(args.input)
    if safety:
        print(f"恢复前的数据库已另存为 {safety}")
    print(f"已从 {args.input} 恢复数据库；请运行 python manage.py audit-verify 校验审计链")
    return 0


def _help(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-h", "--help", action="help", help="显示本帮助并退出")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="manage.py", description="政务值班台运维命令行。配置来自环境变量，见 README。",
        add_help=False)
    _help(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p = sub.add_parser("migrate", help="升级数据库到最新结构（alembic upgrade heads）",
                       description="按 DUTYDESK_DATABASE_URL 升级数据库；必要时创建数据目录。",
                       add_help=False)
    _help(p)
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("create-admin", help="创建系统/安全/审计管理员账号",
                       description="创建三员管理账号之一。未给出的项会逐项询问；"
                                   "密码从终端读取（不回显）或用 --password-stdin 从标准输入读取一行。"
                                   "账号首次登录须修改密码。",
                       add_help=False)
    _help(p)
    p.add_argument("--username", help="用户名：3–32 位小写字母、数字或 _ . -，以字母开头")
    p.add_argument("--name", help="姓名")
    p.add_argument("--role", choices=ADMIN_ROLES,
                   help="角色：system_admin 系统管理员、security_admin 安全管理员、audit_admin 审计管理员")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取初始密码（一行）")
    p.set_defaults(func=cmd_create_admin)

    p = sub.add_parser("demo", help="载入演示数据（打印各角色演示账号及密码）",
                       description="载入一个演示街道：单位、人员、通讯录和每个角色一个演示账号。",
                       add_help=False)
    _help(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("audit-verify", help="校验审计日志哈希链（含值班记录本）",
                       description="逐条校验审计日志和值班记录本（第十三条）的哈希链。完整时退出码 0；"
                                   "被篡改时退出码 1，并指出第一条被破坏的记录。",
                       add_help=False)
    _help(p)
    p.set_defaults(func=cmd_audit_verify)

    p = sub.add_parser("backup", help="备份数据库",
                       description="SQLite 用在线备份接口复制，PostgreSQL 用 pg_dump -Fc。"
                                   "默认写到数据目录下 backups/，文件名带时间；文件仅所有者可读。",
                       add_help=False)
    _help(p)
    p.add_argument("--output", type=Path, help="备份文件路径（默认 数据目录/backups/dutydesk-时间）")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从备份恢复数据库（须先停止应用）",
                       description="用备份文件覆盖当前数据库。请先停止应用。"
                                   "恢复前会先把当前数据库另存一份备份。"
                                   "PostgreSQL 使用 pg_restore --clean --if-exists。",
                       add_help=False)
    _help(p)
    p.add_argument("--input", type=Path, required=True, help="备份文件路径")
    p.set_defaults(func=cmd_restore)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from services.errors import DomainError, ValidationError

    try:
        return args.func(args)
    except ValidationError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 1
    except DomainError as err:
        print(err.message, file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\n已取消", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
