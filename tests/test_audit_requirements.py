"""tools/audit_requirements.py (make audit): parsing the pins, matching versions against an
advisory's fixes, and the exit status; PyPI is a stub here (no network)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "tools" / "audit_requirements.py"
_spec = importlib.util.spec_from_file_location("audit_requirements", _PATH)
ar = importlib.util.module_from_spec(_spec)
sys.modules["audit_requirements"] = ar  # dataclasses look their module up
_spec.loader.exec_module(ar)

URL = ar.PYPI


def vuln(vid: str, fixed_in=(), withdrawn=None) -> dict:
    return {"id": vid, "aliases": [f"CVE-{vid}"], "fixed_in": list(fixed_in),
            "summary": f"{vid} summary", "link": f"https://osv.dev/{vid}", "withdrawn": withdrawn}


def project(latest: str, releases, vulns) -> dict:
    return {"info": {"version": latest}, "releases": {r: [] for r in releases},
            "vulnerabilities": vulns}


def stub(documents: dict[str, dict]):
    """A fetch that answers `documents` by URL and 404 (None) for anything else."""
    return lambda url: documents.get(url)


# ---------------------------------------------------------------- requirements.txt

def test_pins_are_read_with_extras_markers_and_comments():
    pins, problems = ar.parse_requirements(
        "# comment\n\nstreamlit==1.67.0\npsycopg[binary]==3.3.9  # extras\n"
        'tzdata==2026.6 ; sys_platform == "win32"\n')
    assert [(p.name, p.version, p.line) for p in pins] == [
        ("streamlit", "1.67.0", 3), ("psycopg", "3.3.9", 4), ("tzdata", "2026.6", 5)]
    assert problems == []


@pytest.mark.parametrize("line", ["pandas>=3", "pandas", "-r other.txt", "pandas==3.*,<4"])
def test_anything_not_pinned_exactly_is_a_problem(line):
    pins, problems = ar.parse_requirements(line + "\n")
    assert pins == [] and len(problems) == 1 and "not pinned" in problems[0]


def test_the_projects_requirements_are_all_pinned():
    text = (_PATH.parent.parent / "requirements.txt").read_text(encoding="utf-8")
    pins, problems = ar.parse_requirements(text)
    assert problems == [] and len(pins) >= 10


# ---------------------------------------------------------------- version matching

@pytest.mark.parametrize("pinned, fixed_in, affected", [
    ("1.0.0", [], True),                       # no fix released
    ("1.0.0", ["1.0.1"], True),
    ("1.0.1", ["1.0.1"], False),               # the fix itself
    ("1.2.0", ["1.0.1"], False),               # above the newest fix
    ("3.2.7", ["3.2.5", "4.0.1"], False),      # a backport on the pin's own line
    ("3.2.4", ["3.2.5", "4.0.1"], True),
    ("3.3.0", ["3.2.5", "4.0.1"], True),       # a line without a fix
    ("4.0.0", ["3.2.5", "4.0.1"], True),
    ("4.1.0", ["3.2.5", "4.0.1"], False),
    ("2.0.0rc1", ["2.0.0"], True),             # a pre-release is before its release
    ("1.10.0", ["1.9.2"], False),              # numeric, not string, comparison
    ("1.9.1", ["1.10.0"], True),
    ("2026.6", ["2026.10"], True),             # calendar versions
    ("1.0.0", ["not a version"], True),        # unparseable fixes count as none
    ("1.0", ["1.0.0"], False),                 # 1.0 == 1.0.0
])
def test_is_affected(pinned, fixed_in, affected):
    assert ar.is_affected(pinned, fixed_in) is affected


# ---------------------------------------------------------------- one pin against PyPI

def test_the_per_release_list_is_the_pins_own():
    pin = ar.Pin("Demo_Pkg", "1.0.0", 1)
    report = ar.audit_pin(pin, stub({f"{URL}/demo-pkg/1.0.0/json": {"vulnerabilities": [
        vuln("A", ["1.0.1"]), vuln("B", []), vuln("W", ["1.0.1"], withdrawn="2026-01-01")]}}))
    assert [f.vuln_id for f in report.findings] == ["A", "B"]   # withdrawn ones are not
    assert report.findings[0].fixed_in == ("1.0.1",) and not report.unverified


def test_without_per_release_json_the_latest_pin_uses_the_project_list():
    pin = ar.Pin("demo", "2.0.0", 1)
    report = ar.audit_pin(pin, stub({f"{URL}/demo/json": project(
        "2.0.0", ["1.0.0", "2.0.0"], [vuln("A", ["2.0.1"])])}))
    assert [f.vuln_id for f in report.findings] == ["A"]
    assert not report.unverified and not report.problems


def test_an_older_pin_is_unverified_and_still_gets_what_reaches_back():
    pin = ar.Pin("demo", "1.0.0", 1)
    report = ar.audit_pin(pin, stub({f"{URL}/demo/json": project(
        "2.0.0", ["1.0.0", "2.0.0"], [vuln("A", ["2.0.1"]), vuln("B", ["1.0.5", "2.0.1"])])}))
    assert [f.vuln_id for f in report.findings] == ["A", "B"]
    assert len(report.unverified) == 1 and "latest release 2.0.0" in report.unverified[0]


def test_a_clean_latest_pin():
    report = ar.audit_pin(ar.Pin("demo", "2.0", 1), stub({f"{URL}/demo/json": project(
        "2.0.0", ["2.0.0"], [])}))
    assert (report.findings, report.unverified, report.problems) == ([], [], [])


@pytest.mark.parametrize("documents, message", [
    ({}, "not found on PyPI"),
    ({f"{URL}/demo/json": project("2.0.0", ["2.0.0"], [])}, "no such release"),
    ({f"{URL}/demo/json": {"info": {"version": "1.0.0"}, "releases": {"1.0.0": []}}},
     "no 'vulnerabilities' field"),
])
def test_what_cannot_be_audited_is_a_problem(documents, message):
    report = ar.audit_pin(ar.Pin("demo", "1.0.0", 1), stub(documents))
    assert report.findings == [] and message in report.problems[0]


# ---------------------------------------------------------------- the exit status

@pytest.fixture
def requirements(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("demo==1.0.0\n")
    return str(path)


def with_pypi(monkeypatch, documents):
    monkeypatch.setattr(ar, "fetch_json", stub(documents))


def test_exit_0_when_clean(monkeypatch, requirements, capsys):
    with_pypi(monkeypatch, {f"{URL}/demo/json": project("1.0.0", ["1.0.0"], [])})
    assert ar.main([requirements]) == 0
    assert "0 known vulnerabilities" in capsys.readouterr().out


def test_exit_1_and_a_list_on_a_known_vulnerability(monkeypatch, requirements, capsys):
    with_pypi(monkeypatch, {f"{URL}/demo/json": project("1.0.0", ["1.0.0"],
                                                        [vuln("PYSEC-1", ["1.0.1"])])})
    assert ar.main([requirements]) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE  demo==1.0.0  PYSEC-1 (CVE-PYSEC-1)  fixed in: 1.0.1" in out


def test_exit_2_on_an_unverified_pin_unless_allowed(monkeypatch, requirements, capsys):
    with_pypi(monkeypatch, {f"{URL}/demo/json": project("1.1.0", ["1.0.0", "1.1.0"], [])})
    assert ar.main([requirements]) == 2
    assert ar.main([requirements, "--allow-unverified"]) == 0
    assert "UNVERIFIED  demo==1.0.0" in capsys.readouterr().out


def test_exit_2_loudly_when_pypi_cannot_be_reached(monkeypatch, requirements, capsys):
    def down(url):
        raise ar.Unreachable(f"{url}: [Errno -2] Name or service not known")
    monkeypatch.setattr(ar, "fetch_json", down)
    assert ar.main([requirements]) == 2
    assert "PyPI could not be reached, nothing was audited" in capsys.readouterr().err


def test_fetch_json_retries_then_raises(monkeypatch):
    calls = []

    def refuse(url, timeout):
        calls.append(url)
        raise ar.urllib.error.URLError("connection refused")
    monkeypatch.setattr(ar.urllib.request, "urlopen", refuse)
    monkeypatch.setattr(ar.time, "sleep", lambda s: None)
    with pytest.raises(ar.Unreachable, match="connection refused"):
        ar.fetch_json(f"{URL}/demo/json")
    assert len(calls) == ar.ATTEMPTS
