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
deny_failed_check contains _finding(check, null) if {
	some check in input.misconfigurations
	check.status == "failed"
	not _unknown_severity(check)
	check.severity in _severities
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

_unknown contains _finding(check, "UNKNOWN") if {
	some check in input.misconfigurations
	check.status == "failed"
	_unknown_severity(check)
}

_severities := lib.severity_set(lib.settings.misconfigurations.severities)

# The record, by fingerprint and line: the fingerprint leaves the line out, and the same check
# can fail on one resource at two lines. A severity of null is the record's.
_finding(check, severity) := lib.result({
	"fingerprint": check.fingerprint,
	"line": object.get(check, "start_line", null),
	"severity": severity,
})

# object.get, because `not is_string(check.severity)` would be undefined in OPA (and true in
# regorus) for a record without the field.
_unknown_severity(check) if not is_string(object.get(check, "severity", null))

_unknown_severity(check) if check.severity == "UNKNOWN"
