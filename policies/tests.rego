# Built-in pack: test results (input.tests.cases, from JUnit XML).
#
# A failed or errored test fails the gate. A flaky test (it failed, then passed on a rerun) is
# what `tests.flaky` says: a warning by default, because the suite did pass, but someone has
# to know that it needed a second try. A suite whose report counts failures that no test case
# records failed outside its tests, and fails the gate too. Test reports that hold no test at all are a warning:
# the runner ran nothing, so "all passed" would say nothing about the change.
#
# Each finding names its test case by fingerprint, and verdict writes what it says from the
# record (docs/policy.md, "Findings verdict explains"): the test's qualified name, what its
# report said, where it lives and how to start fixing it. This pack decides which tests fail.
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
deny_failed contains {"fingerprint": case.fingerprint} if {
	some case in input.tests.cases
	case.status in {"failed", "errored"}
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
_flaky contains {"fingerprint": case.fingerprint} if {
	some case in input.tests.cases
	case.flaky == true
	not _ended_failing(case)
}

_ended_failing(case) if case.status in {"failed", "errored"}

# METADATA
# title: Every failure the test runner counted is in a test
# description: >-
#   A test suite's report counts failures or errors that none of its test cases records: the
#   runner failed outside any test (a crash, a failing beforeAll or afterAll hook, a browser
#   that disconnected, a file that did not load), so no test names it, and the runner itself
#   exited with a failure. The suite's tests that are listed may all have passed.
# custom:
#   severity: HIGH
#   remediation: Find the error in the suite's system-out or system-err, or in the runner's log, fix it and run the suite again.
deny_unrecorded contains finding if {
	some suite in input.tests.discrepancies
	object.get(suite, "unrecorded", 0) > 0
	finding := lib.result({
		"msg": sprintf("%s in %s counts %s that none of its test cases records: the runner failed outside the tests", [
			_suite_name(suite), suite.source, _failures(suite.unrecorded),
		]),
		"id": lib.text(["tests-unrecorded", lib.part(":", suite.suite, "")]),
		"file": suite.source,
		"severity": "HIGH",
		"remediation": concat("", [
			"Find the error raised outside the tests in the suite's <system-out> or <system-err> in ", suite.source,
			", or in the test runner's log (a crash, a failing beforeAll or afterAll hook, a browser that disconnected, ",
			"a test file that did not load), fix it and run the suite again",
		]),
	})
}

_suite_name(suite) := sprintf("The test suite %q", [suite.suite]) if is_string(suite.suite)
else := "A test suite"

_failures(1) := "1 failure or error"

_failures(n) := sprintf("%d failures or errors", [n]) if n != 1

# METADATA
# title: The test reports hold tests that ran
# description: >-
#   Test reports were found, but not one test in them ran: they hold no test case (a filter
#   or file pattern that matches no test, tests moved, a job that skipped them), or every test
#   case in them was skipped (a disabled suite, tests that skip themselves when a service or a
#   variable is missing). Either way the reports say nothing about the change. A warning, as a
#   new project may have no test yet.
# custom:
#   severity: MEDIUM
#   remediation: Check the test command's filter, file pattern and report folder, and make the runner fail when it finds no test.
warn_empty contains finding if {
	count(_reports) > 0
	_skipped == input.tests.totals.total
	finding := {
		"msg": _none_ran,
		"id": "tests-none",
		"severity": "MEDIUM",
		"remediation": _none_ran_fix,
	}
}

_skipped := object.get(input.tests.totals, "skipped", 0)

_none_ran := sprintf("The test reports hold no test case (%s): the runner ran nothing, so nothing is known about this change", [_reports_read]) if {
	input.tests.totals.total == 0
} else := sprintf("Every test in the reports was skipped (%d, %s): not one ran, so nothing is known about this change", [_skipped, _reports_read])

_none_ran_fix := concat("", [
	"Check that the test command's filter and file pattern match the tests and that it writes its reports where they are collected, ",
	"and make the runner fail when it finds nothing to run: jest without --passWithNoTests, ",
	"pytest exits 5 when it collects no test (do not mask it), ",
	"Maven Surefire with -Dsurefire.failIfNoSpecifiedTests=true",
]) if {
	input.tests.totals.total == 0
} else := concat("", [
	"Find why every test was skipped (a suite disabled or filtered to skipped tests, a skip condition such as a missing service, ",
	"environment variable or platform that holds in this job) and make the job provide what the tests need, ",
	"or run the tests that do apply here",
])

_reports contains source.path if {
	some source in input.sources
	source.kind == "junit"
}

_reports_read := "1 report read" if count(_reports) == 1

else := sprintf("%d reports read", [count(_reports)])
