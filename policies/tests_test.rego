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

test_a_failed_test_fails if {
	evidence := _input([_failed])
	tests.deny_failed == {{
		"msg": "Test \"appliesDiscountOnce\" in com.acme.shop.CartServiceTest failed: expected: <90.00> but was: <81.00>",
		"id": "com.acme.shop.CartServiceTest.appliesDiscountOnce",
		"severity": "HIGH",
		"fingerprint": "9ed2304630bc3e35c0c0b89d27b248bf",
		"remediation": concat("", [
			"Run com.acme.shop.CartServiceTest.appliesDiscountOnce locally and fix the code or the test; ",
			"it failed with org.opentest4j.AssertionFailedError: expected: <90.00> but was: <81.00>; ",
			"report: reports/junit/TEST-com.acme.shop.CartServiceTest.xml",
		]),
	}} with input as evidence
}

test_an_errored_test_fails_and_points_at_setup if {
	evidence := _input([_case({
		"status": "errored",
		"message": "Connection refused: localhost:5432",
		"failure_type": "java.net.ConnectException",
	})])
	some finding in tests.deny_failed with input as evidence
	finding.msg == "Test \"appliesDiscountOnce\" in com.acme.shop.CartServiceTest could not run (error): Connection refused: localhost:5432"
	contains(finding.remediation, "; it stopped before any assertion (usually setup, a fixture or the environment) with java.net.ConnectException: Connection refused: localhost:5432;")
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

test_the_source_file_and_line_are_carried if {
	evidence := _input([object.union(_failed, {"file": "src/test/java/CartServiceTest.java", "line": 58})])
	some finding in tests.deny_failed with input as evidence
	finding.file == "src/test/java/CartServiceTest.java"
	finding.line == 58
	contains(finding.remediation, "fix the code or the test (src/test/java/CartServiceTest.java:58);")
}

test_fields_the_evidence_lacks_are_left_out if {
	some finding in tests.deny_failed with input as _input([_failed])
	not "file" in object.keys(finding)
	not "line" in object.keys(finding)
}

test_a_test_without_message_still_reads_well if {
	evidence := _input([_case({"status": "failed"})])
	some finding in tests.deny_failed with input as evidence
	finding.msg == "Test \"appliesDiscountOnce\" in com.acme.shop.CartServiceTest failed"
	finding.remediation == "Run com.acme.shop.CartServiceTest.appliesDiscountOnce locally and fix the code or the test; report: reports/junit/TEST-com.acme.shop.CartServiceTest.xml"
}

test_a_test_without_class_is_named_by_its_suite if {
	evidence := _input([_case({"status": "failed", "classname": null, "suite": "tests/test_api.py", "name": "test_login"})])
	some finding in tests.deny_failed with input as evidence
	finding.id == "tests/test_api.py.test_login"
	startswith(finding.msg, "Test \"test_login\" in tests/test_api.py failed")
}

test_a_test_without_class_or_suite_is_named_alone if {
	evidence := _input([_case({"status": "failed", "classname": null, "suite": null, "name": "TestLogin"})])
	some finding in tests.deny_failed with input as evidence
	finding.id == "TestLogin"
	finding.msg == "Test \"TestLogin\" failed"
}

test_a_multi_line_message_is_shown_on_one_line if {
	evidence := _input([_case({"status": "failed", "message": "expected 3 items\n  but got 2\n  at line 4"})])
	some finding in tests.deny_failed with input as evidence
	finding.msg == "Test \"appliesDiscountOnce\" in com.acme.shop.CartServiceTest failed: expected 3 items"
}

# Flaky tests ---------------------------------------------------------------------------------

test_a_flaky_test_warns_by_default if {
	evidence := _input([_flaky])
	count(tests.deny_flaky) == 0 with input as evidence
	tests.warn_flaky == {{
		"msg": "Test \"checkoutRetriesPaymentGateway\" in com.acme.shop.CartServiceTest is flaky: it passed only after 2 attempts (earlier failure: Read timed out after 500 ms)",
		"id": "com.acme.shop.CartServiceTest.checkoutRetriesPaymentGateway",
		"severity": "MEDIUM",
		"fingerprint": "bb6c5fa64273f82b31a7f55d7e80633a",
		"remediation": concat("", [
			"Make com.acme.shop.CartServiceTest.checkoutRetriesPaymentGateway deterministic: ",
			"the failing attempt said \"Read timed out after 500 ms\" (java.net.SocketTimeoutException); ",
			"look for timeouts, test order and shared state, and quarantine the test rather than relying on reruns",
		]),
	}} with input as evidence
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

test_a_flaky_test_without_message_still_reads_well if {
	evidence := _input([_case({"flaky": true, "attempts": 3})])
	some finding in tests.warn_flaky with input as evidence
	finding.msg == "Test \"appliesDiscountOnce\" in com.acme.shop.CartServiceTest is flaky: it passed only after 3 attempts"
	finding.remediation == "Make com.acme.shop.CartServiceTest.appliesDiscountOnce deterministic; look for timeouts, test order and shared state, and quarantine the test rather than relying on reruns"
}
