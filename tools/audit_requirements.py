"""Audit the pinned requirements.txt for known vulnerabilities (`make audit`, run by CI).

pip-audit cannot work from here: its PyPI service reads the per-release JSON
(/pypi/<name>/<version>/json), which this network's PyPI answers with 404, so every
requirement is skipped and the run passes; its OSV service (api.osv.dev) does not resolve.
What does answer is the project JSON (/pypi/<name>/json), whose "vulnerabilities" are those
of the project's latest release (PyPI's OSV data: id, aliases, fixed_in, withdrawn).

So, for each `name==version` pin:
- the per-release JSON is tried first: where it answers, its list is the pin's own;
- else the project JSON: when the pin is the latest release, its list is the pin's own too;
  when the pin is older, PyPI publishes nothing about it here, so the pin is reported as
  UNVERIFIED (the latest release's advisories that `fixed_in` shows also reach the pin are
  still reported as vulnerable).
Exit status: 0 clean; 1 a pinned version is affected by a known vulnerability; 2 the audit
could not be completed (PyPI unreachable, a line not pinned with ==, a pin not on PyPI, an
unverified pin: pass --allow-unverified to report those without failing). Never a silent pass.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PYPI = "https://pypi.org/pypi"
TIMEOUT = 20
ATTEMPTS = 3
PIN_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([0-9A-Za-z.!+_-]+)\s*(;.*)?$")


class Unreachable(Exception):
    """PyPI did not answer (network, DNS, 5xx) after every attempt."""


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    line: int


@dataclass(frozen=True)
class Finding:
    pin: Pin
    vuln_id: str
    aliases: tuple[str, ...]
    fixed_in: tuple[str, ...]
    summary: str
    link: str


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)    # the audit could not be completed
    unverified: list[str] = field(default_factory=list)  # pins PyPI said nothing about here
    checked: int = 0


# ---------------------------------------------------------------- requirements

def parse_requirements(text: str) -> tuple[list[Pin], list[str]]:
    """Every `name==version` line (extras and markers allowed); anything else is a problem:
    an audit of unpinned or included requirements would not be an audit of what is installed."""
    pins, problems = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        found = PIN_RE.match(line)
        if not found:
            problems.append(f"requirements line {number}: not pinned as name==version: {raw.strip()}")
            continue
        pins.append(Pin(found.group(1), found.group(3), number))
    return pins, problems


# ---------------------------------------------------------------- version matching

def _versions(values) -> list[Version]:
    out = []
    for value in values or ():
        try:
            out.append(Version(str(value)))
        except InvalidVersion:
            continue
    return sorted(out)


def is_affected(pinned: str, fixed_in) -> bool:
    """Whether an advisory whose fixes are `fixed_in` still affects `pinned`.

    Not affected: at or above the newest fix, or at or above a fix on the pin's own
    major.minor line (a backport, e.g. fixed_in 3.2.5 and 4.0.1 cover 3.2.7). Otherwise
    affected, including when no fix is listed (or none parses): unknown counts as affected.
    """
    version = Version(pinned)
    fixes = _versions(fixed_in)
    if not fixes:
        return True
    if version >= fixes[-1]:
        return False
    line = version.release[:2]
    return not any(fix.release[:2] == line and version >= fix for fix in fixes)


def _finding(pin: Pin, vuln: dict) -> Finding:
    return Finding(pin, str(vuln.get("id") or "?"), tuple(vuln.get("aliases") or ()),
                   tuple(str(v) for v in vuln.get("fixed_in") or ()),
                   " ".join(str(vuln.get("summary") or vuln.get("details") or "").split())[:160],
                   str(vuln.get("link") or ""))


def audit_pin(pin: Pin, fetch: Callable[[str], dict | None]) -> Report:
    """One pin against PyPI; `fetch(url)` returns the parsed JSON, or None on 404."""
    report = Report(checked=1)
    name = canonicalize_name(pin.name)
    try:
        pinned = Version(pin.version)
    except InvalidVersion:
        report.problems.append(f"{pin.name}=={pin.version}: not a valid version")
        return report
    release = fetch(f"{PYPI}/{name}/{pin.version}/json")
    if release is not None:
        vulns, own = release.get("vulnerabilities"), True
    else:
        project = fetch(f"{PYPI}/{name}/json")
        if project is None:
            report.problems.append(f"{pin.name}: not found on PyPI")
            return report
        if pin.version not in (project.get("releases") or {}) and not any(
                _same(pinned, v) for v in project.get("releases") or {}):
            report.problems.append(f"{pin.name}=={pin.version}: no such release on PyPI")
            return report
        vulns = project.get("vulnerabilities")
        latest = project.get("info", {}).get("version", "")
        own = _same(pinned, latest)
        if not own:
            report.unverified.append(
                f"{pin.name}=={pin.version}: PyPI here lists only the vulnerabilities of the "
                f"latest release {latest}; those fixed after {pin.version} cannot be checked "
                f"(upgrade the pin, or check it by hand)")
    if vulns is None:  # never read a missing field as "no vulnerabilities"
        report.problems.append(f"{pin.name}: PyPI's answer has no 'vulnerabilities' field")
        return report
    for vuln in vulns:
        if vuln.get("withdrawn"):
            continue
        # the pin's own list: every advisory applies; the latest's: only those reaching back
        if own or is_affected(pin.version, vuln.get("fixed_in")):
            report.findings.append(_finding(pin, vuln))
    return report


def _same(pinned: Version, other: str) -> bool:
    try:
        return Version(other) == pinned
    except InvalidVersion:
        return False


# ---------------------------------------------------------------- PyPI

def fetch_json(url: str) -> dict | None:
    """GET a PyPI JSON document: None on 404, Unreachable after ATTEMPTS failures."""
    last = ""
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(2 ** attempt)
        try:
            # a fixed https://pypi.org URL (PYPI above)
            with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:  # noqa: S310
                return json.load(resp)
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return None
            last = f"HTTP {err.code}"
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as err:
            last = str(getattr(err, "reason", err))
    raise Unreachable(f"{url}: {last}")


def run(pins: list[Pin], fetch: Callable[[str], dict | None] | None = None) -> Report:
    fetch = fetch or fetch_json
    total = Report()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for part in pool.map(lambda p: audit_pin(p, fetch), pins):
            total.findings += part.findings
            total.problems += part.problems
            total.unverified += part.unverified
            total.checked += part.checked
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("requirements", nargs="?", default="requirements.txt")
    parser.add_argument("--allow-unverified", action="store_true",
                        help="report pins older than PyPI's latest release without failing")
    args = parser.parse_args(argv)
    started = time.monotonic()
    pins, problems = parse_requirements(Path(args.requirements).read_text(encoding="utf-8"))
    try:
        report = run(pins)
    except Unreachable as err:
        print(f"audit FAILED: PyPI could not be reached, nothing was audited: {err}",
              file=sys.stderr)
        return 2
    report.problems[:0] = problems
    for f in sorted(report.findings, key=lambda f: (f.pin.name.lower(), f.vuln_id)):
        aliases = f" ({', '.join(f.aliases)})" if f.aliases else ""
        fixed = ", ".join(f.fixed_in) or "no fix released"
        print(f"VULNERABLE  {f.pin.name}=={f.pin.version}  {f.vuln_id}{aliases}  "
              f"fixed in: {fixed}  {f.summary}  {f.link}".rstrip())
    for line in report.unverified:
        print(f"UNVERIFIED  {line}")
    for line in report.problems:
        print(f"ERROR       {line}", file=sys.stderr)
    print(f"audit: {report.checked} pinned requirements of {args.requirements} checked against "
          f"PyPI in {time.monotonic() - started:.1f} s: {len(report.findings)} known "
          f"vulnerabilities, {len(report.unverified)} unverified, {len(report.problems)} errors")
    if report.findings:
        return 1
    if report.problems or (report.unverified and not args.allow_unverified):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
