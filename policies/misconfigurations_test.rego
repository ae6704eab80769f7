package verdict.misconfigurations_test

import data.verdict.misconfigurations
import rego.v1

# A failed Checkov check without a severity (no platform key), as the evidence has it.
_checkov(fields) := object.union(
	{
		"fingerprint": "72ea56dea4e364dd6c9a261811e3d57f",
		"source": "reports/checkov.json",
		"tool": "checkov",
		"framework": "terraform",
		"check_id": "CKV_AWS_18",
		"aliases": [],
		"title": "Ensure the S3 bucket has access logging enabled",
		"severity": null,
		"status": "failed",
		"resource": "aws_s3_bucket.uploads",
		"file": "/infra/s3.tf",
		"start_line": 1,
		"end_line": 3,
		"guideline": "https://docs.prismacloud.io/s3-13-enable-logging",
		"resolution": null,
		"message": null,
		"skip_reason": null,
	},
	fields,
)

# A failed Trivy check, with a severity and the scanner's own resolution.
_trivy := _checkov({
	"fingerprint": "5e1f0c2a9b7d4e3f8a6c1b0d2e4f6a8c",
	"tool": "trivy",
	"framework": "dockerfile",
	"check_id": "DS002",
	"aliases": ["AVD-DS-0002"],
	"title": "Image user should not be 'root'",
	"severity": "HIGH",
	"resource": null,
	"file": "Dockerfile",
	"start_line": 12,
	"end_line": 12,
	"guideline": "https://avd.aquasec.com/misconfig/ds002",
	"resolution": "Add 'USER <non root user name>' line to the Dockerfile.",
})

_input(checks) := {"misconfigurations": checks}

# Checks with a severity ----------------------------------------------------------------------
#
# Each finding names its check; what it says (the check, the resource, how to change or skip
# it) verdict writes from the record, and src/policy/explain_tests.rs tests those texts. The
# severity is the record's, or UNKNOWN when the scanner gave none.

test_a_failed_high_check_fails if {
	misconfigurations.deny_failed_check == {{"fingerprint": "5e1f0c2a9b7d4e3f8a6c1b0d2e4f6a8c", "line": 12}} with input as _input([_trivy])
}

test_a_failed_critical_checkov_check_fails if {
	evidence := _input([_checkov({"severity": "CRITICAL"})])
	misconfigurations.deny_failed_check == {{"fingerprint": "72ea56dea4e364dd6c9a261811e3d57f", "line": 1}} with input as evidence
	count(misconfigurations.warn_unknown_severity) == 0 with input as evidence
}

test_failed_checks_below_the_blocking_severities_are_no_findings if {
	evidence := _input([_checkov({"severity": "MEDIUM"}), _checkov({"severity": "LOW"}), _checkov({"severity": "INFO"})])
	count(misconfigurations.deny_failed_check) == 0 with input as evidence
	count(misconfigurations.warn_unknown_severity) == 0 with input as evidence
}

test_checks_that_did_not_fail_are_no_findings if {
	evidence := _input([
		_checkov({"status": "passed"}), _checkov({"status": "skipped", "skip_reason": "logs bucket"}),
		object.union(_trivy, {"status": "passed"}), object.union(_trivy, {"status": "exception"}),
	])
	count(misconfigurations.deny_failed_check) == 0 with input as evidence
	count(misconfigurations.warn_unknown_severity) == 0 with input as evidence
}

test_the_blocking_severities_are_a_setting if {
	evidence := _input([_checkov({"severity": "MEDIUM"}), _trivy])
	config := {"misconfigurations": {"severities": ["MEDIUM"]}}
	{f.fingerprint | some f in misconfigurations.deny_failed_check} == {"72ea56dea4e364dd6c9a261811e3d57f"} with input as evidence with data.verdict.config as config
}

test_no_checks_no_findings if {
	count(misconfigurations.deny_failed_check) == 0 with input as {}
	count(misconfigurations.warn_unknown_severity) == 0 with input as {"misconfigurations": []}
}

# Checks without a severity -------------------------------------------------------------------

test_a_failed_check_without_severity_warns_by_default if {
	evidence := _input([_checkov({})])
	count(misconfigurations.deny_failed_check) == 0 with input as evidence
	count(misconfigurations.deny_unknown_severity) == 0 with input as evidence
	misconfigurations.warn_unknown_severity == {{
		"fingerprint": "72ea56dea4e364dd6c9a261811e3d57f",
		"line": 1,
		"severity": "UNKNOWN",
	}} with input as evidence
}

test_the_same_check_at_two_lines_is_two_findings if {
	evidence := _input([_checkov({}), _checkov({"start_line": 9}), _checkov({"start_line": null})])
	{f.line | some f in misconfigurations.warn_unknown_severity; f.line} == {1, 9} with input as evidence
	count(misconfigurations.warn_unknown_severity) == 3 with input as evidence
}

test_a_record_without_the_severity_field_is_unknown if {
	evidence := _input([object.remove(_checkov({}), ["severity"])])
	count(misconfigurations.warn_unknown_severity) == 1 with input as evidence
}

test_a_failed_check_without_severity_fails_when_set_to_fail if {
	evidence := _input([_checkov({})])
	config := {"misconfigurations": {"unknown_severity": "fail"}}
	count(misconfigurations.deny_unknown_severity) == 1 with input as evidence with data.verdict.config as config
	count(misconfigurations.warn_unknown_severity) == 0 with input as evidence with data.verdict.config as config
}

test_a_failed_check_without_severity_is_nothing_when_ignored if {
	evidence := _input([_checkov({})])
	config := {"misconfigurations": {"unknown_severity": "ignore"}}
	count(misconfigurations.deny_unknown_severity) == 0 with input as evidence with data.verdict.config as config
	count(misconfigurations.warn_unknown_severity) == 0 with input as evidence with data.verdict.config as config
}

test_the_word_unknown_is_no_severity if {
	evidence := _input([_checkov({"severity": "UNKNOWN"})])
	count(misconfigurations.warn_unknown_severity) == 1 with input as evidence
	count(misconfigurations.deny_failed_check) == 0 with input as evidence with data.verdict.config as {"misconfigurations": {"severities": ["UNKNOWN"]}}
}

# Files Checkov could not parse -----------------------------------------------------------------

_report_with(warnings) := {
	"sources": [{"path": "reports/results_json.json", "kind": "checkov", "warnings": warnings}],
	"misconfigurations": [],
}

_unparsed := {
	"code": "checkov/parsing-errors",
	"message": "checkov could not parse 2 file(s) for terraform: /main.tf, /vpc.tf",
	"path": "results.parsing_errors",
	"line": null,
}

test_files_checkov_could_not_parse_warn if {
	findings := misconfigurations.warn_unparsed with input as _report_with([_unparsed])
	count(findings) == 1
	some finding in findings
	finding.id == "misconfigurations-unparsed"
	finding.severity == "MEDIUM"
	finding.msg == "Checkov could not parse 2 file(s) for terraform: /main.tf, /vpc.tf, so no check ran on their resources (reports/results_json.json)"
	contains(finding.remediation, "checkov -f FILE")
}

test_other_warnings_of_a_report_do_not_warn if {
	mismatch := object.union(_unparsed, {"code": "checkov/summary-mismatch"})
	count(misconfigurations.warn_unparsed) == 0 with input as _report_with([mismatch])
	count(misconfigurations.warn_unparsed) == 0 with input as _report_with([])
}
