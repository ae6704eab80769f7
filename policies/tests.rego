# Built-in pack: test results (input.tests.cases, from JUnit XML).
#
# A failed or errored test fails the gate. A flaky test (it failed, then passed on a rerun) is
# what `tests.flaky` says: a warning by default, because the suite did pass, but someone has
# to know that it needed a second try.
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
