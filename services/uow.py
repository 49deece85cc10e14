"""One use case, one transaction: `with transaction() as s:` commits once or not at all."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models import db
from services import view_cache
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
        _raise_unavailable(exc)
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def reading() -> Iterator[Session]:
    """A read-only session for pages' lists; never commits. What a read computed and wants
    kept (`after_reading`) is written once its own transaction has ended."""
    session = db.session_factory()()
    try:
        yield session
        _end_read(session)
    except PermissionDenied as exc:
        session.close()
        _audit_denied(exc)
        raise
    except OperationalError as exc:
        _raise_unavailable(exc)
        raise
    finally:
        then = session.info.pop("after_reading", [])
        session.close()  # ends the transaction without expiring what was loaded
    for write in then:
        write()


def _end_read(session: Session) -> None:
    """End a clean read with COMMIT, not the ROLLBACK of `close()`: on every rollback psycopg
    drops its prepared statements (one more round trip, DEALLOCATE ALL), so each page's
    statements were parsed again on every run. A read that wrote anything (none should) is
    still rolled back."""
    if session.in_transaction() and not view_cache.has_written(session):
        session.commit()


def after_reading(session: Session, write) -> None:
    """Call `write()` (its own transaction) when the reading `session` ends without error."""
    session.info.setdefault("after_reading", []).append(write)


_DISCONNECT = ("connection", "could not connect", "server closed", "terminat")
# SQLite: the file or its disk, not a connection, is what fails.
_STORAGE = ("disk i/o error", "unable to open database file", "database or disk is full",
            "readonly database")


def _raise_unavailable(exc: DBAPIError) -> None:
    """Turn a lost connection or an inaccessible database file into DatabaseUnavailable."""
    msg = str(exc.orig).lower() if exc.orig else ""
    if exc.connection_invalidated or any(s in msg for s in _DISCONNECT):
        raise DatabaseUnavailable(DatabaseUnavailable.CONNECTION) from exc
    if any(s in msg for s in _STORAGE):
        raise DatabaseUnavailable(DatabaseUnavailable.STORAGE) from exc


def _audit_denied(exc: PermissionDenied) -> None:
    if exc.actor is None:
        return
    from services import audit  # late: audit imports nothing of this module, but keep it lazy

    with transaction() as s:
        audit.record(s, exc.actor, "permission_denied", details={"action": exc.action},
                     outcome="denied")
