# Built-in pack: test results (input.tests.cases, from JUnit XML).
#
# A failed or errored test fails the gate. A flaky test (it failed, then passed on a rerun) is
# what `tests.flaky` says: a warning by default, because the suite did pass, but someone has
# to know that it needed a second try. Test reports that hold no test at all are a warning:
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
