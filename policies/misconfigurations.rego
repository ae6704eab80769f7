# Built-in pack: infrastructure-as-code checks (input.misconfigurations, from Checkov and
# Trivy).
#
# A failed check of a blocking severity (misconfigurations.severities, CRITICAL and HIGH by
# default) fails the gate. Checkov without a platform API key reports no severity at all, and
# verdict does not invent one: such a failed check (or one rated UNKNOWN) is what
# misconfigurations.unknown_severity says, a warning by default. Blocking on every one of them
# would fail most infrastructure repositories on low-value checks; ignoring them would hide the
# real ones. Passed, skipped (suppressed in code) and excepted checks are never findings.
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
	not _unknown_severity(check)
	check.severity in _severities
	finding := _finding(check, check.severity)
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
	_unknown_severity(check)
	finding := _finding(check, "UNKNOWN")
}

_severities := lib.severity_set(lib.settings.misconfigurations.severities)

# object.get, because `not is_string(check.severity)` would be undefined in OPA (and true in
# regorus) for a record without the field.
_unknown_severity(check) if not is_string(object.get(check, "severity", null))

_unknown_severity(check) if check.severity == "UNKNOWN"

_finding(check, severity) := lib.result({
	"msg": lib.text([
		sprintf("Check %s failed", [check.check_id]),
		lib.part(" on ", check.resource, ""),
		lib.part(" (", lib.location(check.file, check.start_line), ")"),
		lib.part(": ", object.get(_titles, check.title, null), ""),
	]),
	"id": check.check_id,
	"severity": severity,
	"fingerprint": check.fingerprint,
	"file": check.file,
	"line": check.start_line,
	"url": check.guideline,
	"remediation": lib.text([
		"Change ", lib.first([check.resource, check.file, "the resource"]),
		lib.part(" in ", _file_if_resource(check), ""),
		lib.part(" (line ", check.start_line, ")"),
		" so that it meets the check",
		lib.part(": ", _resolution(check), ""),
		lib.part("; see ", check.guideline, ""),
		lib.part("; if it does not apply here, skip it in code with a reason: ", _skip_comment(check), ""),
	]),
})

# Each title's first line, worked out once: a check's title recurs in every resource it fails on.
_titles := {title: lib.oneline(title) | some title in _failed_titles}

_failed_titles := {check.title |
	some check in input.misconfigurations
	check.status == "failed"
}

# The scanner's own advice, when it gives some (Trivy does), without its final period.
_resolution(check) := trim_right(line, ".") if {
	line := lib.oneline(check.resolution)
	is_string(line)
} else := null

_file_if_resource(check) := check.file if is_string(check.resource)
else := null

# How each scanner is told, in the file itself, that a check does not apply there.
_skip_comment(check) := sprintf("#checkov:skip=%s:<reason>", [check.check_id]) if check.tool == "checkov"
else := sprintf("#trivy:ignore:%s", [check.check_id]) if check.tool == "trivy"
else := null
