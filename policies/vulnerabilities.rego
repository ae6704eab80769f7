# Built-in pack: known vulnerabilities (input.vulnerabilities, from Trivy).
#
# A vulnerability of a blocking severity (vulnerabilities.severities, CRITICAL and HIGH by
# default) fails the gate when a fixed version exists: it is the cheapest risk to remove. One
# without a fix is what vulnerabilities.unfixed says, a warning by default: usually there is
# nothing the team can do about it today. One the scanner rated UNKNOWN (no severity in its
# database) with a fix is what vulnerabilities.unknown_severity says, a warning by default:
# it could be anything up to CRITICAL, so it is not passed over as a LOW one is.
#
# Each finding names its evidence record by fingerprint, and verdict writes what it says from
# the record (docs/policy.md, "Findings verdict explains"): the severity, package, version,
# target and title, and the upgrade to make, with the release line of the installed version
# first and, for a package of the operating system, how an image is rebuilt; without a fix,
# what to do by the advisory's status. This pack decides which records fail.
#
# One finding per evidence record. The evidence already keeps the same advisory in two
# lockfiles (or in the image and in a lockfile) apart, each with its own fingerprint, and this
# pack does not merge them: a waiver then accepts exactly the place that was reviewed, and a
# new lockfile that pulls the same package in is reported again. Grouping them for reading
# (same id, package and version) is the reports' job.
package verdict.vulnerabilities

import data.verdict.lib
import rego.v1

# METADATA
# title: No fixable vulnerability of a blocking severity
# description: >-
#   A known vulnerability with a fixed version available is the cheapest risk to remove:
#   upgrading the package removes it.
# custom:
#   severity: HIGH
#   remediation: Upgrade the package to a fixed version.
deny_fixable contains {"fingerprint": vuln.fingerprint} if {
	some vuln in _blocking
	vuln.fixed_versions[0]
}

# METADATA
# title: No vulnerability of a blocking severity, even without a fix
# description: >-
#   A vulnerability of a blocking severity has no fixed version yet; this project's
#   vulnerabilities.unfixed setting makes it a failure.
# custom:
#   severity: HIGH
#   remediation: Remove or replace the package, or apply the advisory's workaround.
deny_unfixed contains finding if {
	lib.level(lib.settings.vulnerabilities.unfixed) == "fail"
	some finding in _unfixed
}

# METADATA
# title: Vulnerability without a fix
# description: >-
#   A vulnerability of a blocking severity has no fixed version yet. It does not block,
#   because usually nothing can be done today, but it is shown so that it is not forgotten.
# custom:
#   severity: HIGH
#   remediation: Watch the advisory and upgrade as soon as a fix ships.
warn_unfixed contains finding if {
	lib.level(lib.settings.vulnerabilities.unfixed) == "warn"
	some finding in _unfixed
}

_unfixed contains {"fingerprint": vuln.fingerprint} if {
	some vuln in _blocking
	not vuln.fixed_versions[0]
}

# METADATA
# title: No fixable vulnerability the scanner could not rate
# description: >-
#   The scanner's database has no severity for this advisory (many GitLab and GitHub
#   advisories have none), so it could be anything up to CRITICAL, and a fixed version
#   exists; this project's vulnerabilities.unknown_severity setting makes it a failure.
# custom:
#   severity: MEDIUM
#   remediation: Upgrade the package to a fixed version, or look the advisory up and waive it if it does not apply.
deny_unknown_severity contains finding if {
	lib.level(lib.settings.vulnerabilities.unknown_severity) == "fail"
	some finding in _unrated
}

# METADATA
# title: Fixable vulnerability the scanner could not rate
# description: >-
#   The scanner's database has no severity for this advisory (many GitLab and GitHub
#   advisories have none), so it could be anything up to CRITICAL. A fixed version exists;
#   it does not block, because its severity is unknown, but it is shown rather than passed
#   over as a LOW one would be.
# custom:
#   severity: MEDIUM
#   remediation: Upgrade the package to a fixed version, or look the advisory up and waive it if it does not apply.
warn_unknown_severity contains finding if {
	lib.level(lib.settings.vulnerabilities.unknown_severity) == "warn"
	some finding in _unrated
}

_unrated contains {"fingerprint": vuln.fingerprint} if {
	not "UNKNOWN" in _blocking_severities
	some vuln in input.vulnerabilities
	vuln.severity == "UNKNOWN"
	vuln.fixed_versions[0]
}

# verdict evaluates this first and gives the rules of this file only the vulnerabilities of
# these severities (policies/README.md): the blocking ones, and UNKNOWN unless
# vulnerabilities.unknown_severity ignores it.
_severities := _blocking_severities | _unrated_severities

_blocking_severities := lib.severity_set(lib.settings.vulnerabilities.severities)

_unrated_severities := {"UNKNOWN"} if {
	lib.level(lib.settings.vulnerabilities.unknown_severity) != "ignore"
} else := set()

# The vulnerabilities of a blocking severity, picked out once for both rules above. The
# evidence's severities are already upper-case words (docs/evidence.md), and this runs once
# per record: a builtin call more here costs milliseconds at twenty thousand records.
_blocking := [vuln |
	some vuln in input.vulnerabilities
	vuln.severity in _blocking_severities
]

# A vulnerability has a fix when its list of fixed versions (never null in the evidence) has a
# first element: `vuln.fixed_versions[0]` above, written inline because a function call per
# record (`count(fixes(vuln)) > 0`) took regorus about 4 µs, a third of these rules' time.

# METADATA
# title: The vulnerabilities an SBOM lists are judged
# description: >-
#   An SBOM lists vulnerabilities (Trivy's or grype's CycloneDX output of a vulnerability
#   scan, a VDR), and no vulnerability scanner's report was read beside it. verdict judges
#   vulnerabilities from a scanner's JSON report, so these were not judged: the gate cannot
#   say they are fixed, nor that they are not.
# custom:
#   severity: HIGH
#   remediation: Give verdict the vulnerability scanner's JSON report as well.
warn_listed_in_sbom contains finding if {
	not _scanned
	some source in input.sources
	source.kind == "cyclonedx"
	some warning in source.warnings
	warning.code == "cyclonedx/vulnerabilities"
	# Read by key, as in misconfigurations.rego: the pack's view has no such record field.
	text := object.get(warning, "message", "")
	finding := {
		"msg": sprintf("%s%s (%s): no vulnerability scanner's report was read, so not one of them was judged", [
			upper(substring(text, 0, 1)),
			substring(text, 1, -1),
			source.path,
		]),
		"id": "vulnerabilities-in-sbom",
		"file": source.path,
		"severity": "HIGH",
		"remediation": concat("", [
			"Give verdict a vulnerability report it judges, Trivy's JSON: `trivy sbom ", source.path,
			" --format json --output trivy.json` scans this SBOM, or run the scan that wrote it again with ",
			"`--format json`",
		]),
	}
}

# METADATA
# title: The image's operating system still gets security fixes
# description: >-
#   Trivy found that the operating system of what it scanned is past its end of life (EOSL):
#   its distribution publishes no more security fixes for it, and advisories published since
#   may be missing from the scan's data, so a clean scan says little. Trivy only warns of it
#   by default (--exit-on-eol makes it fail); so does this rule.
# custom:
#   severity: HIGH
#   remediation: Rebuild the image on a supported release of its distribution.
warn_end_of_life contains finding if {
	some source in input.sources
	source.kind == "trivy"
	os := object.get(source, "os", null)
	os.end_of_life == true
	release := trim_space(concat(" ", [os.family, os.name]))
	finding := {
		"msg": sprintf("The operating system of %s, %s, is past its end of life: it gets no more security fixes, and vulnerabilities found since may be missing from this scan (%s)", [
			_scanned_subject(source),
			release,
			source.path,
		]),
		# A waiver names it by id, which takes no space: `os-end-of-life/alpine-3.9.4`.
		"id": sprintf("os-end-of-life/%s", [replace(release, " ", "-")]),
		"file": source.path,
		"severity": "HIGH",
		"remediation": sprintf("Rebuild the image on a supported release of %s: move the base image (the Dockerfile's FROM) to a current one, then scan again", [os.family]),
	}
}

# What a scan was of: its subject (the image), else the report.
_scanned_subject(source) := subject if {
	subject := object.get(source, "subject", null)
	is_string(subject)
} else := source.path

# A Trivy report that checked packages for vulnerabilities was read.
_scanned if {
	some source in input.sources
	source.kind == "trivy"
	object.get(source, "package_targets", 0) > 0
}

