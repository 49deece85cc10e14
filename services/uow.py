"""One use case, one transaction: `with transaction() as s:` commits once or not at all."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models import db
from services.errors import ConcurrentEditError, DatabaseUnavailable, PermissionDenied


@contextmanager
def transaction() -> Iterator[Session]:
    """A write transaction. A refused permission is itself audited, in its own transaction,
    which is why services call `require` inside the `with` block."""
    session = db.session_factory()()
    try:
        session.connection(execution_options={"write": True})
        yield session
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise ConcurrentEditError() from exc
    except PermissionDenied as exc:
        session.rollback()
        _audit_denied(exc)
        raise
    except OperationalError as exc:
        session.rollback()
        if exc.connection_invalidated or _is_disconnect(exc):
            raise DatabaseUnavailable() from exc
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def reading() -> Iterator[Session]:
    """A read-only session for pages' lists; never commits."""
    session = db.session_factory()()
    try:
        yield session
    except PermissionDenied as exc:
        session.close()
        _audit_denied(exc)
        raise
    except OperationalError as exc:
        if exc.connection_invalidated or _is_disconnect(exc):
            raise DatabaseUnavailable() from exc
        raise
    finally:
        session.close()  # ends the transaction without expiring what was loaded


def _is_disconnect(exc: DBAPIError) -> bool:
    msg = str(exc.orig).lower() if exc.orig else ""
    return any(s in msg for s in ("connection", "could not connect", "server closed", "terminat"))


def _audit_denied(exc: PermissionDenied) -> None:
    if exc.actor is None:
        return
    from services import audit  # late: audit imports nothing of this module, but keep it lazy

    with transaction() as s:
        audit.record(s, exc.actor, "permission_denied", details={"action": exc.action},
                     outcome="denied")
