"""Check the installed Python packages and the npm packages against advisory data, honestly.

    python scripts/audit.py

Runs pip-audit on this environment (PyPI's advisory data first, then OSV's if PyPI's checked
nothing) and `npm audit` on package-lock.json, then prints for each: how many packages were
checked, how many were skipped and why, and every finding. A package is "checked" only when
the advisory service answered for its exact release; nothing is ever called free of known
vulnerabilities when it was not checked. Exits 1 only on findings (for npm: moderate, high
or critical); advisory data that cannot be reached is printed plainly, and is no failure,
so that `make test` still runs without the network.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"
SERVICES = ("pypi", "osv")
NPM_FAILING = ("moderate", "high", "critical")
EXAMPLES = 3


@dataclass
class Audit:
    """What one audit tool could check, what it skipped (by reason) and what it found."""

    source: str
    checked: int = 0
    skipped: dict[str, list[str]] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # checked, reported, not failing
    unreachable: str = ""  # why the advisory data could not be had at all

    @property
    def skipped_count(self) -> int:
        return sum(len(names) for names in self.skipped.values())


def summarise_pip_audit(report: dict, source: str) -> Audit:
    """Count checked and skipped packages and list findings in pip-audit's JSON report."""
    audit = Audit(source)
    for dependency in report.get("dependencies", []):
        label = f"{dependency['name']} {dependency.get('version', '')}".strip()
        if "skip_reason" in dependency:
            reason = dependency["skip_reason"].split(":")[0]
            audit.skipped.setdefault(reason, []).append(label)
            continue
        audit.checked += 1
        for vuln in dependency.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed release"
            audit.findings.append(f"{label}: {vuln['id']} (fixed in {fixed})")
    return audit


Runner = Callable[[list[str]], subprocess.CompletedProcess]


def _run(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


def audit_python(run: Runner = _run) -> list[Audit]:
    """Audit the environment with each advisory service until one checks something."""
    audits = []
    for service in SERVICES:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "report.json"
            done = run(
                [
                    str(PIP_AUDIT),
                    "--skip-editable",
                    "--progress-spinner",
                    "off",
                    "--vulnerability-service",
                    service,
                    "--format",
                    "json",
                    "--output",
                    str(out),
                ]
            )
            source = f"Python packages (pip-audit, {service} advisory data)"
            try:
                report = json.loads(out.read_text())
            except (OSError, ValueError):
                audits.append(Audit(source, unreachable=_last_line(done.stderr)))
                continue
        audit = summarise_pip_audit(report, source)
        audits.append(audit)
        if audit.checked:
            break
    return audits


def summarise_npm_audit(report: dict, packages: int) -> Audit:
    """Count and list npm audit's findings, or say why it could not answer."""
    audit = Audit("npm packages (npm audit, the registry's advisory data)")
    if "auditReportVersion" not in report:
        error = report.get("error", {})
        audit.unreachable = (
            report.get("message")
            or (error.get("summary") if isinstance(error, dict) else str(error))
            or "npm audit gave no report"
        )
        return audit
    audit.checked = (
        report.get("metadata", {}).get("dependencies", {}).get("total", packages)
    )
    for name, vuln in sorted(report.get("vulnerabilities", {}).items()):
        line = f"{name} {vuln.get('range', '')}: {vuln['severity']}".replace("  ", " ")
        if vuln["severity"] in NPM_FAILING:
            audit.findings.append(line)
        else:
            audit.notes.append(line)
    return audit


def npm_packages() -> int:
    """Return how many packages package-lock.json installs."""
    lock = json.loads((ROOT / "package-lock.json").read_text())
    return len([path for path in lock.get("packages", {}) if path])


def audit_npm(run: Runner = _run) -> Audit:
    """Run `npm audit` on package-lock.json and summarise it."""
    packages = npm_packages()
    if shutil.which("npm") is None:
        return Audit("npm packages (npm audit)", unreachable="npm is not installed")
    done = run(["npm", "audit", "--json", "--package-lock-only"])
    try:
        report = json.loads(done.stdout)
    except ValueError:
        report = {"message": _last_line(done.stderr)}
    return summarise_npm_audit(report, packages)


def render(audits: list[Audit], not_checked: dict[str, int]) -> tuple[str, int]:
    """Return the report to print and the exit status: 1 on any finding, else 0."""
    lines = []
    for audit in audits:
        if audit.unreachable:
            lines.append(
                f"{audit.source}: NOT CHECKED: advisory data unreachable: {audit.unreachable}"
            )
            continue
        lines.append(
            f"{audit.source}: {audit.checked} checked, {audit.skipped_count} skipped, "
            f"{len(audit.findings)} findings"
        )
        for reason, names in audit.skipped.items():
            more = f" and {len(names) - EXAMPLES} more" if len(names) > EXAMPLES else ""
            lines.append(
                f"  skipped {len(names)}: {reason} ({', '.join(names[:EXAMPLES])}{more})"
            )
        if not audit.checked and audit.skipped:
            lines.append(
                "  NOT CHECKED: the service answered, but with advisory data for none of "
                "these releases (an index or mirror that serves packages, not advisories?)"
            )
        lines += [f"  FINDING {finding}" for finding in audit.findings]
        lines += [f"  low severity, not failing: {note}" for note in audit.notes]
    findings = sum(len(audit.findings) for audit in audits)
    unchecked = [f"{count} {kind}" for kind, count in not_checked.items() if count]
    verdict = f"audit: {findings} findings"
    if unchecked:
        verdict += f"; NOT CHECKED against any advisory data: {' and '.join(unchecked)} packages"
    lines.append(verdict)
    return "\n".join(lines), 1 if findings else 0


def not_checked(python: list[Audit], npm: Audit) -> dict[str, int]:
    """Return how many packages of each kind no advisory service checked."""
    answered = [a for a in python if not a.unreachable]
    best = max(answered, key=lambda a: a.checked, default=None)
    python_left = best.skipped_count if best else None
    if python_left is None:
        python_left = len(_installed())
    npm_left = npm_packages() - npm.checked if not npm.checked else 0
    return {"Python": python_left, "npm": max(npm_left, 0)}


def _installed() -> list[str]:
    done = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "list",
            "--format",
            "freeze",
            "--exclude-editable",
        ]
    )
    return done.stdout.split()


def main() -> int:
    os.environ.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    python = audit_python()
    npm = audit_npm()
    text, status = render([*python, npm], not_checked(python, npm))
    sys.stdout.write(text + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
