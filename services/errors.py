"""Errors a page shows as they are: every message is Chinese and names the field or article."""
from __future__ import annotations


class DomainError(Exception):
    """A refused user action; `str(err)` is the message for the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    """One or more fields are wrong; `problems` lists every message."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


class PermissionDenied(DomainError):
    """Carries who tried what, so the refusal itself can be audited."""

    def __init__(self, message: str = "无权执行此操作", actor=None, action: str | None = None):
        super().__init__(message)
        self.actor = actor
        self.action = action


class ConcurrentEditError(DomainError):
    def __init__(self) -> None:
        super().__init__("该记录已被他人修改，请刷新后重试")


class NotFound(DomainError):
    pass


class DatabaseUnavailable(DomainError):
    """The database cannot be reached (connection lost) or accessed (disk error); the
    transaction was rolled back, so nothing of the action is stored."""

    CONNECTION = "数据库暂时无法连接，操作未保存，请稍后重试"
    STORAGE = "数据库暂时无法访问，操作未保存，请稍后重试"

    def __init__(self, message: str = CONNECTION) -> None:
        super().__init__(message)
