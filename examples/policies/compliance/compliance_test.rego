package compliance_test

import data.compliance
import rego.v1

_component(purl) := {
	"fingerprint": "161fa5150da06c39b10b1b1e73c43175", "source": "sbom.cdx.json", "bom_ref": "ref-1",
	"type": "library", "name": "left-pad", "version": "1.3.0", "purl": purl, "licenses": [],
}

test_a_component_without_purl_is_a_violation if {
	compliance.violation == {{
		"msg": "Component left-pad 1.3.0 has no package URL (purl)",
		"id": "component-without-purl",
		"fingerprint": "161fa5150da06c39b10b1b1e73c43175",
		"details": {"source": "sbom.cdx.json", "bom_ref": "ref-1"},
	}} with input as {"components": [_component(null)]}
}

test_a_component_with_purl_is_fine if {
	count(compliance.violation) == 0 with input as {"components": [_component("pkg:npm/left-pad@1.3.0")]}
}

test_files_and_os_components_need_no_purl if {
	file := object.union(_component(null), {"type": "file"})
	count(compliance.violation) == 0 with input as {"components": [file]}
}

test_forbidden_and_restricted_licenses_need_review if {
	licenses := [
		{"fingerprint": "a", "name": "AGPL-3.0", "category": "forbidden", "package": "ghostscript", "file": null, "target": "debian 12", "confidence": null},
		{"fingerprint": "b", "name": "LGPL-2.1", "category": "restricted", "package": null, "file": "lib/x.c", "target": "src", "confidence": 0.9},
		{"fingerprint": "c", "name": "MIT", "category": "notice", "package": "lodash", "file": null, "target": "web", "confidence": null},
	]
	found := compliance.violation_license_review with input as {"licenses": licenses}
	{[f.msg, f.severity] | some f in found} == {
		["License AGPL-3.0 (forbidden) of ghostscript needs a legal review", "HIGH"],
		["License LGPL-2.1 (restricted) of lib/x.c needs a legal review", "MEDIUM"],
	}
}

test_a_skip_without_reason_is_a_violation if {
	check := {
		"fingerprint": "9274c599f9fca79ba95e75688866169f", "tool": "checkov", "check_id": "CKV_AWS_19",
		"status": "skipped", "resource": "aws_s3_bucket.logs", "file": "infra/s3.tf", "start_line": 4, "skip_reason": "  ",
	}
	compliance.violation_unexplained_skip == {{
		"msg": "Check CKV_AWS_19 is skipped on aws_s3_bucket.logs without a reason",
		"id": "CKV_AWS_19",
		"fingerprint": "9274c599f9fca79ba95e75688866169f",
		"file": "infra/s3.tf",
		"line": 4,
		"details": {"tool": "checkov"},
	}} with input as {"misconfigurations": [check]}
}

test_a_skip_with_reason_is_fine if {
	check := {"check_id": "CKV_AWS_19", "status": "skipped", "resource": "r", "skip_reason": "central logging"}
	count(compliance.violation_unexplained_skip) == 0 with input as {"misconfigurations": [check]}
}

test_a_required_runner_without_report_is_a_violation if {
	sources := [{"kind": "junit", "tool": {"name": "surefire", "version": "3.5.2"}}, {"kind": "trivy", "tool": {"name": "trivy"}}]
	found := compliance.violation_missing_runner with input as {"sources": sources} with data.compliance.required_runners as ["surefire", "jest-junit"]
	found == {{
		"msg": "No test report from jest-junit was found",
		"id": "missing-runner-jest-junit",
		"details": {"runners_found": ["surefire"]},
	}}
}

test_no_required_runner_by_default if {
	count(compliance.violation_missing_runner) == 0 with input as {"sources": []}
}
