"""Configuration from environment variables only (no secrets.toml: st.secrets raises without one)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    address: str
    port: int
    idle_timeout_minutes: int
    absolute_timeout_hours: int
    password_max_age_days: int
    lockout_threshold: int
    lockout_minutes: int
    contact_review_days: int

    @property
    def cookie_key_path(self) -> Path:
        return self.data_dir / "cookie.key"


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("DUTYDESK_DATA_DIR", "./data")).resolve()
    default_url = f"sqlite:///{data_dir / 'dutydesk.sqlite'}"
    return Settings(
        data_dir=data_dir,
        database_url=os.environ.get("DUTYDESK_DATABASE_URL") or default_url,
        address=os.environ.get("DUTYDESK_ADDRESS", "127.0.0.1"),
        port=_int("DUTYDESK_PORT", 8501),
        idle_timeout_minutes=_int("DUTYDESK_IDLE_TIMEOUT_MINUTES", 30),
        absolute_timeout_hours=_int("DUTYDESK_ABSOLUTE_TIMEOUT_HOURS", 12),
        password_max_age_days=_int("DUTYDESK_PASSWORD_MAX_AGE_DAYS", 90),
        lockout_threshold=_int("DUTYDESK_LOCKOUT_THRESHOLD", 5),
        lockout_minutes=_int("DUTYDESK_LOCKOUT_MINUTES", 15),
        contact_review_days=_int("DUTYDESK_CONTACT_REVIEW_DAYS", 180),
    )


def cookie_key(settings: Settings) -> str:
    """The per-installation cookie signing key: random, created once, owner-only."""
    path = settings.cookie_key_path
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
