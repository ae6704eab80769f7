package verdict.tests_test

import data.verdict.tests
import rego.v1

# A test case as the evidence has it (docs/evidence.md, tests.cases), passed by default.
_case(fields) := object.union(
	{
		"fingerprint": "9ed2304630bc3e35c0c0b89d27b248bf",
		"source": "reports/junit/TEST-com.acme.shop.CartServiceTest.xml",
		"suite": "com.acme.shop.CartServiceTest",
		"classname": "com.acme.shop.CartServiceTest",
		"name": "appliesDiscountOnce",
		"file": null,
		"line": null,
		"status": "passed",
		"duration_s": 0.031,
		"message": null,
		"details": null,
		"failure_type": null,
		"attempts": 1,
		"flaky": false,
	},
	fields,
)

_failed := _case({
	"status": "failed",
	"message": "expected: <90.00> but was: <81.00>",
	"failure_type": "org.opentest4j.AssertionFailedError",
})

_flaky := _case({
	"fingerprint": "bb6c5fa64273f82b31a7f55d7e80633a",
	"name": "checkoutRetriesPaymentGateway",
	"message": "Read timed out after 500 ms",
	"failure_type": "java.net.SocketTimeoutException",
	"attempts": 2,
	"flaky": true,
})

_input(cases) := {"tests": {"cases": cases}}

# Failed and errored tests --------------------------------------------------------------------
#
# Each finding names its test case; what it says (the test's name, what its report said, where
# to start) verdict writes from the record, and src/policy/explain_tests.rs tests those texts.
# The severity is the rule's (METADATA): HIGH for a failure, MEDIUM for a flaky test.

test_a_failed_test_fails if {
	tests.deny_failed == {{"fingerprint": "9ed2304630bc3e35c0c0b89d27b248bf"}} with input as _input([_failed])
}

test_an_errored_test_fails if {
	evidence := _input([_case({
		"status": "errored",
		"message": "Connection refused: localhost:5432",
		"failure_type": "java.net.ConnectException",
	})])
	count(tests.deny_failed) == 1 with input as evidence
}

test_passed_and_skipped_tests_are_no_findings if {
	evidence := _input([_case({}), _case({"status": "skipped", "message": "disabled"})])
	count(tests.deny_failed) == 0 with input as evidence
	count(tests.warn_flaky) == 0 with input as evidence
	count(tests.deny_flaky) == 0 with input as evidence
}

test_no_tests_no_findings if {
	count(tests.deny_failed) == 0 with input as {}
	count(tests.warn_flaky) == 0 with input as {}
}

test_every_failed_test_is_its_own_finding if {
	evidence := _input([_failed, _case({"fingerprint": "f2", "name": "other", "status": "failed"})])
	{f.fingerprint | some f in tests.deny_failed} == {"9ed2304630bc3e35c0c0b89d27b248bf", "f2"} with input as evidence
}

# Flaky tests ---------------------------------------------------------------------------------

test_a_flaky_test_warns_by_default if {
	evidence := _input([_flaky])
	count(tests.deny_flaky) == 0 with input as evidence
	tests.warn_flaky == {{"fingerprint": "bb6c5fa64273f82b31a7f55d7e80633a"}} with input as evidence
}

test_a_flaky_test_fails_when_set_to_fail if {
	evidence := _input([_flaky])
	count(tests.deny_flaky) == 1 with input as evidence with data.verdict.config as {"tests": {"flaky": "fail"}}
	count(tests.warn_flaky) == 0 with input as evidence with data.verdict.config as {"tests": {"flaky": "fail"}}
}

test_a_flaky_test_is_nothing_when_ignored if {
	evidence := _input([_flaky])
	count(tests.deny_flaky) == 0 with input as evidence with data.verdict.config as {"tests": {"flaky": "ignore"}}
	count(tests.warn_flaky) == 0 with input as evidence with data.verdict.config as {"tests": {"flaky": "ignore"}}
}

test_a_misspelt_flaky_setting_fails_closed if {
	evidence := _input([_flaky])
	count(tests.deny_flaky) == 1 with input as evidence with data.verdict.config as {"tests": {"flaky": "wran"}}
}

test_other_sections_leave_the_flaky_default if {
	evidence := _input([_flaky])
	count(tests.warn_flaky) == 1 with input as evidence with data.verdict.config as {"vulnerabilities": {"unfixed": "fail"}}
}

test_a_flaky_test_that_failed_last_is_one_failure if {
	evidence := _input([object.union(_flaky, {"status": "failed"})])
	count(tests.deny_failed) == 1 with input as evidence
	count(tests.warn_flaky) == 0 with input as evidence
	count(tests.deny_flaky) == 0 with input as evidence with data.verdict.config as {"tests": {"flaky": "fail"}}
}

# Test reports without a test -----------------------------------------------------------------

_report(path) := {"path": path, "kind": "junit"}

test_reports_without_a_test_warn if {
	evidence := {
		"sources": [_report("reports/junit.xml"), {"path": "trivy.json", "kind": "trivy"}],
		"tests": {"cases": [], "totals": {"total": 0}},
	}
	findings := tests.warn_empty with input as evidence
	count(findings) == 1
	some finding in findings
	finding.id == "tests-none"
	finding.severity == "MEDIUM"
	contains(finding.msg, "(1 report read)")
	contains(finding.remediation, "--passWithNoTests")
}

test_the_reports_are_counted if {
	evidence := {"sources": [_report("a.xml"), _report("b.xml")], "tests": {"cases": [], "totals": {"total": 0}}}
	some finding in tests.warn_empty with input as evidence
	contains(finding.msg, "(2 reports read)")
}

test_reports_with_tests_do_not_warn if {
	evidence := {"sources": [_report("reports/junit.xml")], "tests": {"cases": [], "totals": {"total": 12}}}
	count(tests.warn_empty) == 0 with input as evidence
}

test_reports_whose_every_test_was_skipped_warn if {
	evidence := {"sources": [_report("a.xml")], "tests": {"cases": [], "totals": {"total": 3, "skipped": 3}}}
	findings := tests.warn_empty with input as evidence
	count(findings) == 1
	some finding in findings
	finding.id == "tests-none"
	contains(finding.msg, "Every test in the reports was skipped (3, 1 report read)")
	contains(finding.remediation, "skip condition")
}

test_one_test_that_ran_is_enough if {
	evidence := {"sources": [_report("a.xml")], "tests": {"cases": [], "totals": {"total": 3, "skipped": 2}}}
	count(tests.warn_empty) == 0 with input as evidence
}

test_no_report_is_not_an_empty_report if {
	evidence := {"sources": [{"path": "trivy.json", "kind": "trivy"}], "tests": {"cases": [], "totals": {"total": 0}}}
	count(tests.warn_empty) == 0 with input as evidence
}

# Failures outside any test --------------------------------------------------------------------

_discrepancy(unrecorded) := {
	"source": "karma/TESTS-Chrome.xml",
	"suite": "Chrome Headless 120",
	"declared": {"tests": 3, "failures": 0, "errors": 1},
	"counted": {"tests": 3, "failures": 0, "errors": 0, "skipped": 0},
	"unrecorded": unrecorded,
}

test_failures_no_test_records_fail if {
	evidence := {"tests": {"cases": [], "totals": {"total": 3}, "discrepancies": [_discrepancy(1)]}}
	tests.deny_unrecorded == {{
		"msg": "The test suite \"Chrome Headless 120\" in karma/TESTS-Chrome.xml counts 1 failure or error that none of its test cases records: the runner failed outside the tests",
		"id": "tests-unrecorded:Chrome Headless 120",
		"file": "karma/TESTS-Chrome.xml",
		"severity": "HIGH",
		"remediation": concat("", [
			"Find the error raised outside the tests in the suite's <system-out> or <system-err> in karma/TESTS-Chrome.xml, ",
			"or in the test runner's log (a crash, a failing beforeAll or afterAll hook, a browser that disconnected, ",
			"a test file that did not load), fix it and run the suite again",
		]),
	}} with input as evidence
}

test_unnamed_suites_and_several_failures_are_said if {
	d := object.union(_discrepancy(2), {"suite": null})
	some finding in tests.deny_unrecorded with input as {"tests": {"discrepancies": [d]}}
	startswith(finding.msg, "A test suite in karma/TESTS-Chrome.xml counts 2 failures or errors")
	finding.id == "tests-unrecorded"
}

test_other_discrepancies_do_not_fail if {
	# The counts differ, but every failure is in a test (or the suite's tests ran again).
	count(tests.deny_unrecorded) == 0 with input as {"tests": {"discrepancies": [_discrepancy(0)]}}
	count(tests.deny_unrecorded) == 0 with input as {"tests": {"discrepancies": [object.remove(_discrepancy(1), ["unrecorded"])]}}
}

