# Built-in pack: infrastructure-as-code checks (input.misconfigurations, from Checkov and
# Trivy).
#
# A failed check of a blocking severity (misconfigurations.severities, CRITICAL and HIGH by
# default) fails the gate. Checkov without a platform API key reports no severity at all, and
# verdict does not invent one: such a failed check (or one rated UNKNOWN) is what
# misconfigurations.unknown_severity says, a warning by default. Blocking on every one of them
# would fail most infrastructure repositories on low-value checks; ignoring them would hide the
# real ones. Passed, skipped (suppressed in code) and excepted checks are never findings.
#
# Each finding names its check by fingerprint, and verdict writes what it says from the record
# (docs/policy.md, "Findings verdict explains"): the check, resource, place and title, and how
# to change the resource, with the scanner's resolution and guideline and how to skip the check
# in code. This pack decides which checks fail, and at what severity.
package verdict.misconfigurations

import data.verdict.lib
import rego.v1

# METADATA
# title: No failed infrastructure check of a blocking severity
# description: >-
#   An infrastructure-as-code check of a blocking severity failed: the resource is deployed
#   in a way that is known to be unsafe.
# custom:
#   severity: HIGH
#   remediation: Change the resource so that it meets the check, as its guideline explains.
deny_failed_check contains finding if {
	some check in input.misconfigurations
	check.status == "failed"
	check.severity in _severities
	check.severity != "UNKNOWN"
	finding := {key: value |
		some key, value in {"fingerprint": check.fingerprint, "line": object.get(check, "start_line", null)}
		value != null
	}
}

# METADATA
# title: No failed infrastructure check, even without a severity
# description: >-
#   An infrastructure-as-code check failed and the scanner gave it no severity; this
#   project's misconfigurations.unknown_severity setting makes it a failure.
# custom:
#   severity: MEDIUM
#   remediation: Change the resource so that it meets the check, or skip the check in code with a reason.
deny_unknown_severity contains finding if {
	lib.level(lib.settings.misconfigurations.unknown_severity) == "fail"
	some finding in _unknown
}

# METADATA
# title: Failed infrastructure check without a severity
# description: >-
#   An infrastructure-as-code check failed and the scanner gave it no severity (Checkov
#   reports none without a platform API key), so it is shown rather than blocking.
# custom:
#   severity: MEDIUM
#   remediation: Change the resource so that it meets the check, or skip the check in code with a reason.
warn_unknown_severity contains finding if {
	lib.level(lib.settings.misconfigurations.unknown_severity) == "warn"
	some finding in _unknown
}

_unknown contains finding if {
	some check in input.misconfigurations
	check.status == "failed"
	object.get(check, "severity", null) in {null, "UNKNOWN"}
	finding := {key: value |
		some key, value in {
			"fingerprint": check.fingerprint,
			"line": object.get(check, "start_line", null),
			"severity": "UNKNOWN",
		}
		value != null
	}
}

# METADATA
# title: Checkov read every infrastructure file
# description: >-
#   Checkov could not parse some infrastructure files (a syntax error, a construct its parser
#   does not support, a file that is not what its name says), so not one check ran on the
#   resources in them, and its counts leave them out: "0 failed" says nothing about those
#   files.
# custom:
#   severity: MEDIUM
#   remediation: Fix the files Checkov could not parse, or keep them out of the scan.
warn_unparsed contains finding if {
	some source in input.sources
	source.kind == "checkov"
	some warning in source.warnings
	warning.code == "checkov/parsing-errors"
	# The warning's text, read by key: in this file, the field read with a dot would look like
	# the check field of that name, which the pack's view of a check leaves out (a test in
	# src/policy/input.rs looks for such reads).
	text := object.get(warning, "message", "")
	finding := {
		"msg": sprintf("%s%s, so no check ran on their resources (%s)", [
			upper(substring(text, 0, 1)),
			substring(text, 1, -1),
			source.path,
		]),
		"id": "misconfigurations-unparsed",
		"severity": "MEDIUM",
		"remediation": concat("", [
			"Run checkov -f FILE on each file named to see the parser's error, and fix the file ",
			"(terraform validate, helm lint or kubectl apply --dry-run=client show the same mistakes); ",
			"if a file is not infrastructure code, keep it out of the scan with --skip-path",
		]),
	}
}

_severities := lib.severity_set(lib.settings.misconfigurations.severities)

# Each finding names its record by fingerprint and line (the fingerprint leaves the line out,
# and the same check can fail on one resource at two lines), without a line the record does
# not have: lib.result's rule, written out in each rule because two function calls per failed
# check (a finding helper, then lib.result) took regorus about a third of these rules' time.
# A record's severity is a string or null (docs/evidence.md): object.get also covers a record
# without the field, which `check.severity == null` would leave undefined.
