# A team's release gate, on top of verdict's built-in pack: house rules in the default
# namespace (`main`), conftest style, in Rego v1.
#
# It shows the `deny_<name>` / `warn_<name>` forms, METADATA blocks (one with
# effective_on, to announce a rule before it blocks), string and object results, settings
# read from data with a default, and an `exception`.
package main

import rego.v1

# METADATA
# title: Tests ran
# description: >-
#   Without any test result every test rule passes vacuously, so a build whose test step
#   wrote no report must not look green.
# custom:
#   severity: HIGH
#   remediation: Make the test step write JUnit XML into the folder that verdict reads.
deny_no_tests contains "No test results were found: nothing shows that this change works" if {
	input.tests.totals.total == 0
}

# METADATA
# title: No secret in the repository
# description: A credential committed to the repository must be considered leaked.
# custom:
#   severity: CRITICAL
#   remediation: Remove the secret from the file and from the history, then rotate it.
deny_secrets contains finding if {
	some secret in input.secrets
	finding := {
		"msg": sprintf("%s found in %s", [_secret_kind(secret), _where(secret)]),
		"id": secret.rule_id,
		"severity": secret.severity,
		"fingerprint": secret.fingerprint,
		"file": secret.target,
		"line": secret.start_line,
	}
}

_secret_kind(secret) := secret.title if is_string(secret.title)
else := secret.rule_id

_where(secret) := sprintf("%s:%d", [secret.target, secret.start_line]) if is_number(secret.start_line)
else := secret.target

# The fake credentials of the test fixtures are not secrets: when every secret found is in
# test/fixtures/, the rule's findings are reported as excepted.
exception contains ["secrets"] if {
	count(input.secrets) > 0
	every secret in input.secrets {
		glob.match("**/test/fixtures/**", ["/"], secret.target)
	}
}

# METADATA
# title: Skipped tests stay few
# description: >-
#   A suite that skips a large share of its tests no longer says much. Announced first:
#   reported as a warning until the date below.
# custom:
#   severity: MEDIUM
#   remediation: Fix or delete the skipped tests.
#   effective_on: 2026-09-01
deny_skipped_share contains msg if {
	totals := input.tests.totals
	totals.total > 0
	share := (totals.skipped * 100) / totals.total
	share > _max_skipped_percent
	msg := sprintf("%d of %d tests were skipped, more than %d%%", [totals.skipped, totals.total, _max_skipped_percent])
}

# The limits, from data.release when a data file sets them. (Not object.get(data, …): a
# rule that reads all of `data` depends on itself, which OPA rejects as recursion.)
default _max_skipped_percent := 10

_max_skipped_percent := data.release.max_skipped_percent

default _slow_test_seconds := 30

_slow_test_seconds := data.release.slow_test_seconds

# METADATA
# title: JUnit reports add up
# description: >-
#   A suite whose declared counts disagree with its test cases comes from a runner that
#   crashed or a report that was cut; the real results may be missing.
# custom:
#   severity: LOW
warn_report_discrepancies contains msg if {
	some suite in input.tests.discrepancies
	msg := sprintf("Suite %s in %s declares %d tests but holds %d", [
		_or_unnamed(suite.suite), suite.source, _or_zero(suite.declared.tests), suite.counted.tests,
	])
}

_or_unnamed(name) := name if is_string(name)
else := "(unnamed)"

_or_zero(n) := n if is_number(n)
else := 0

warn_slow_tests contains msg if {
	some case in input.tests.cases
	is_number(case.duration_s)
	case.duration_s > _slow_test_seconds
	msg := sprintf("Test %s took %v s", [case.name, case.duration_s])
}
