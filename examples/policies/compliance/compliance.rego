# METADATA
# title: Supply-chain compliance
# description: >-
#   What an audit asks of every build: components that can be traced, licenses that were
#   reviewed, and no check switched off without a written reason.
package compliance

import rego.v1

# Gatekeeper-style `violation` rules: each result is an object with `msg` and `details`, and
# the fields verdict understands (id, severity, fingerprint, purl, file, line, remediation).
# Evaluate with `--namespace compliance`.

# METADATA
# title: Components can be traced
# description: A component without a package URL cannot be matched to advisories or waivers.
# custom:
#   severity: MEDIUM
#   remediation: Generate the SBOM with a tool that writes purls (cyclonedx plugins, syft, trivy).
violation contains {
	"msg": sprintf("Component %s has no package URL (purl)", [_label(component)]),
	"id": "component-without-purl",
	"fingerprint": component.fingerprint,
	"details": {"source": component.source, "bom_ref": component.bom_ref},
} if {
	some component in input.components
	component.type in {"library", "framework", "application"}
	not _has_purl(component)
}

_has_purl(component) if {
	is_string(component.purl)
	startswith(component.purl, "pkg:")
}

_label(component) := sprintf("%s %s", [component.name, component.version]) if is_string(component.version)
else := component.name

# METADATA
# title: Licenses were reviewed
# description: >-
#   A license scanner rated a license forbidden or restricted; legal has to look at it
#   before release.
# custom:
#   severity: HIGH
violation_license_review contains finding if {
	some license in input.licenses
	license.category in _needs_review
	finding := {
		"msg": sprintf("License %s (%s) of %s needs a legal review", [license.name, license.category, _licensed(license)]),
		"id": license.name,
		"severity": _review_severity[license.category],
		"fingerprint": license.fingerprint,
		"details": {"target": license.target, "confidence": license.confidence},
	}
}

_needs_review := {"forbidden", "restricted"}

_review_severity := {"forbidden": "HIGH", "restricted": "MEDIUM"}

_licensed(license) := license.package if is_string(license.package)
else := license.file if is_string(license.file)
else := "an unknown file"

# METADATA
# title: Checks are skipped only with a reason
# description: >-
#   Skipping an infrastructure check in code is fine when the comment says why; without a
#   reason nobody can review the decision later.
# custom:
#   severity: LOW
#   remediation: "Add the reason to the skip comment: #checkov:skip=CKV_AWS_18:logs go to the central bucket"
violation_unexplained_skip contains finding if {
	some check in input.misconfigurations
	check.status == "skipped"
	not _explained(check)
	finding := {
		"msg": sprintf("Check %s is skipped on %s without a reason", [check.check_id, check.resource]),
		"id": check.check_id,
		"fingerprint": check.fingerprint,
		"file": check.file,
		"line": check.start_line,
		"details": {"tool": check.tool},
	}
}

_explained(check) if {
	is_string(check.skip_reason)
	regex.match(`\S`, check.skip_reason)
}

violation_missing_runner contains finding if {
	some runner in _required_runners
	not runner in _runners
	finding := {
		"msg": sprintf("No test report from %s was found", [runner]),
		"id": sprintf("missing-runner-%s", [runner]),
		"details": {"runners_found": sort(_runners)},
	}
}

# The runners every build must report from (data.compliance.required_runners), e.g.
# ["surefire", "jest-junit"]: a whole language's tests missing is a silent gap.
default _required_runners := []

_required_runners := data.compliance.required_runners

_runners contains source.tool.name if {
	some source in input.sources
	source.kind == "junit"
	is_object(source.tool)
}
