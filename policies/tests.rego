# Built-in pack: test results (input.tests.cases, from JUnit XML).
#
# A failed or errored test fails the gate. A flaky test (it failed, then passed on a rerun) is
# what `tests.flaky` says: a warning by default, because the suite did pass, but someone has
# to know that it needed a second try.
package verdict.tests

import data.verdict.lib
import rego.v1

# METADATA
# title: Every test passes
# description: >-
#   A failed test (an assertion did not hold) or an errored one (it could not even run to an
#   assertion) means the change is not known to work.
# custom:
#   severity: HIGH
#   remediation: Run the test locally, then fix the code or the test.
deny_failed contains finding if {
	some case in input.tests.cases
	case.status in {"failed", "errored"}
	# Each piece once: a function call is the costly step of evaluating a large report.
	suite := _suite(case)
	id := _test_id(case, suite)
	said := lib.oneline(case.message)
	finding := lib.result({
		"msg": _failed_msg(case, suite, said),
		"id": id,
		"severity": "HIGH",
		"fingerprint": case.fingerprint,
		"file": case.file,
		"line": case.line,
		"remediation": _failed_fix(case, id, said),
	})
}

# METADATA
# title: No flaky test
# description: >-
#   A flaky test passed only on a rerun. It hides real failures and wastes every team's CI
#   time; this project's tests.flaky setting makes it a failure.
# custom:
#   severity: MEDIUM
#   remediation: Make the test deterministic, or quarantine it while it is fixed.
deny_flaky contains finding if {
	lib.level(lib.settings.tests.flaky) == "fail"
	some finding in _flaky
}

# METADATA
# title: Flaky test
# description: >-
#   A flaky test passed only on a rerun. The suite passed, so this does not block, but a test
#   that needs a second try hides real failures and wastes CI time.
# custom:
#   severity: MEDIUM
#   remediation: Make the test deterministic, or quarantine it while it is fixed.
warn_flaky contains finding if {
	lib.level(lib.settings.tests.flaky) == "warn"
	some finding in _flaky
}

# A flaky test whose last attempt failed is already a failure above: it is reported once.
_flaky contains finding if {
	some case in input.tests.cases
	case.flaky == true
	not _ended_failing(case)
	suite := _suite(case)
	id := _test_id(case, suite)
	said := lib.oneline(case.message)
	finding := lib.result({
		"msg": lib.text([
			sprintf("Test \"%s\"", [case.name]),
			lib.part(" in ", suite, ""),
			lib.part(" is flaky: it passed only after ", case.attempts, " attempts"),
			lib.part(" (earlier failure: ", said, ")"),
		]),
		"id": id,
		"severity": "MEDIUM",
		"fingerprint": case.fingerprint,
		"file": case.file,
		"line": case.line,
		"remediation": lib.text([
			"Make ", id, " deterministic",
			lib.part(": the failing attempt said \"", said, "\""),
			lib.part(" (", case.failure_type, ")"),
			"; look for timeouts, test order and shared state, and quarantine the test",
			" rather than relying on reruns",
		]),
	})
}

_ended_failing(case) if case.status in {"failed", "errored"}

_failed_msg(case, suite, said) := lib.text([
	sprintf("Test \"%s\"", [case.name]),
	lib.part(" in ", suite, ""),
	_outcome[case.status],
	lib.part(": ", said, ""),
])

_outcome := {"failed": " failed", "errored": " could not run (error)"}

_failed_fix(case, id, said) := lib.text([
	"Run ", id, " locally and fix the code or the test",
	lib.part(" (", lib.location(case.file, case.line), ")"),
	lib.part(_cause[case.status], _reason(case.failure_type, said), ""),
	lib.part("; report: ", case.source, ""),
])

_cause := {
	"failed": "; it failed with ",
	"errored": "; it stopped before any assertion (usually setup, a fixture or the environment) with ",
}

# What the report says went wrong: "org.opentest4j.AssertionFailedError: expected: <1> but was: <2>".
_reason(failure_type, said) := concat(": ", known) if {
	known := [reason | some reason in [failure_type, said]; is_string(reason)]
	count(known) > 0
} else := null

# The test's qualified name, the id waivers can match: "com.acme.CartTest.appliesDiscount".
_test_id(case, suite) := concat(".", [suite, case.name]) if suite != null
else := case.name

# Where the test lives: its class, else its suite (runners without class names).
_suite(case) := case.classname if is_string(case.classname)
else := case.suite if is_string(case.suite)
else := null
