"""`make audit` counts what it checked and skipped, and fails only on findings."""

import importlib.util
import json
import subprocess
from pathlib import Path

from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "audit.py"
spec = importlib.util.spec_from_file_location("audit_script", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

# pip-audit's JSON report, as it writes it: a checked package has "vulns", a skipped one
# a "skip_reason".
ALL_SKIPPED = {
    "dependencies": [
        {
            "name": "django",
            "skip_reason": "Dependency not found on PyPI and could not be audited: django (6.1)",
        },
        {
            "name": "urllib3",
            "skip_reason": "Dependency not found on PyPI and could not be audited: urllib3 (2.8.0)",
        },
    ],
    "fixes": [],
}
ONE_FINDING = {
    "dependencies": [
        {"name": "django", "version": "6.1", "vulns": []},
        {
            "name": "urllib3",
            "version": "2.0.0",
            "vulns": [{"id": "GHSA-v845-jxx5-vc9f", "fix_versions": ["2.0.6"]}],
        },
        {"name": "collab-survey", "skip_reason": "distribution marked as editable"},
    ],
    "fixes": [],
}


def fake_pip_audit(reports: dict[str, dict | None]):
    """A runner answering pip-audit per --vulnerability-service (None: unreachable)."""

    def run(command: list[str]) -> subprocess.CompletedProcess:
        service = command[command.index("--vulnerability-service") + 1]
        report = reports[service]
        if report is None:
            return subprocess.CompletedProcess(
                command, 1, "", "requests.exceptions.ConnectionError: api.osv.dev"
            )
        Path(command[command.index("--output") + 1]).write_text(json.dumps(report))
        return subprocess.CompletedProcess(command, 0, "", "")

    return run


def test_packages_the_service_has_no_data_for_are_not_called_safe():
    python = audit.audit_python(fake_pip_audit({"pypi": ALL_SKIPPED, "osv": None}))
    npm = audit.summarise_npm_audit({"message": "405 Method Not Allowed"}, 10)
    text, status = audit.render([*python, npm], {"Python": 2, "npm": 10})
    assert status == 0  # no findings: the tests still run without the network
    assert "0 checked, 2 skipped, 0 findings" in text
    assert "skipped 2: Dependency not found on PyPI" in text
    assert "osv advisory data): NOT CHECKED: advisory data unreachable" in text
    assert "npm audit, the registry's advisory data): NOT CHECKED" in text
    assert "NOT CHECKED against any advisory data: 2 Python and 10 npm packages" in text
    assert "no known vulnerabilities" not in text.lower()


def test_a_finding_fails_the_audit_and_names_the_fix():
    python = audit.audit_python(fake_pip_audit({"pypi": ONE_FINDING, "osv": None}))
    assert len(python) == 1  # PyPI checked packages: OSV is not asked
    text, status = audit.render(python, {"Python": 1, "npm": 0})
    assert status == 1
    assert "2 checked, 1 skipped, 1 findings" in text
    assert "FINDING urllib3 2.0.0: GHSA-v845-jxx5-vc9f (fixed in 2.0.6)" in text


def test_npm_findings_fail_from_moderate_severity_up():
    report = {
        "auditReportVersion": 2,
        "vulnerabilities": {
            "d3-color": {"severity": "high", "range": "<3.1.0"},
            "tiny": {"severity": "low", "range": "<1.0.1"},
        },
        "metadata": {"dependencies": {"total": 278}},
    }
    npm = audit.summarise_npm_audit(report, 278)
    text, status = audit.render([npm], {"Python": 0, "npm": 0})
    assert status == 1
    assert "278 checked, 0 skipped, 1 findings" in text
    assert "FINDING d3-color <3.1.0: high" in text
    assert "low severity, not failing: tiny <1.0.1: low" in text
