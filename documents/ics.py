"""iCalendar (RFC 5545) text for duty shifts, written by hand: no dependency.

Lines end in CRLF; times are UTC ("…Z"); TEXT values escape backslash, semicolon,
comma and newline (§3.3.11); content lines longer than 75 octets are folded with CRLF
and one space, never inside a UTF-8 character (§3.1).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

CRLF = "\r\n"
PRODID = "-//Baiquan Street Office//DutyDesk//ZH"


@dataclass(frozen=True)
class Event:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    status: str = "CONFIRMED"     # CONFIRMED | TENTATIVE | CANCELLED
    sequence: int = 0


def utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime refused: iCalendar times are written in UTC")
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """One content line, folded at 75 octets (continuations start with a space)."""
    out, current, size, limit = [], [], 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append("".join(current))
            current, size, limit = [" "], 1, 75
        current.append(ch)
        size += n
    out.append("".join(current))
    return CRLF.join(out)


def calendar(name: str, events: Iterable[Event], stamp: datetime) -> bytes:
    """A VCALENDAR of `events`; `stamp` is the DTSTAMP (the export time)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}", "X-WR-TIMEZONE:Asia/Shanghai"]
    for e in events:
        lines += ["BEGIN:VEVENT", f"UID:{e.uid}", f"DTSTAMP:{utc(stamp)}",
                  f"DTSTART:{utc(e.starts_at)}", f"DTEND:{utc(e.ends_at)}",
                  f"SEQUENCE:{int(e.sequence)}", f"SUMMARY:{escape(e.summary)}"]
        if e.description:
            lines.append(f"DESCRIPTION:{escape(e.description)}")
        if e.location:
            lines.append(f"LOCATION:{escape(e.location)}")
        lines += [f"STATUS:{e.status}", "TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return (CRLF.join(fold(line) for line in lines) + CRLF).encode("utf-8")
