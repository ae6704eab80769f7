package main_test

import data.main
import rego.v1

_totals(total, skipped) := {
	"total": total, "passed": total - skipped, "failed": 0, "errored": 0, "skipped": skipped, "flaky": 0,
}

_secret(target) := {
	"fingerprint": "f333eecb32962cfff4f507b36e6fb703", "source": "trivy.json", "tool": "trivy",
	"target": target, "rule_id": "stripe-secret-token", "category": "Stripe", "severity": "CRITICAL",
	"title": "Stripe Secret Key", "start_line": 67, "end_line": 67,
}

test_no_tests_fails if {
	main.deny_no_tests == {"No test results were found: nothing shows that this change works"} with input as {"tests": {"totals": _totals(0, 0)}}
}

test_some_tests_pass if {
	count(main.deny_no_tests) == 0 with input as {"tests": {"totals": _totals(3, 0)}}
}

test_a_secret_fails if {
	main.deny_secrets == {{
		"msg": "Stripe Secret Key found in services/orders/settings.py:67",
		"id": "stripe-secret-token",
		"severity": "CRITICAL",
		"fingerprint": "f333eecb32962cfff4f507b36e6fb703",
		"file": "services/orders/settings.py",
		"line": 67,
	}} with input as {"secrets": [_secret("services/orders/settings.py")]}
}

test_a_secret_without_title_is_named_by_its_rule if {
	secret := object.union(_secret("a.env"), {"title": null, "start_line": null})
	some finding in main.deny_secrets with input as {"secrets": [secret]}
	finding.msg == "stripe-secret-token found in a.env"
}

test_secrets_only_in_fixtures_are_excepted if {
	main.exception == {["secrets"]} with input as {"secrets": [_secret("api/test/fixtures/keys.env")]}
}

test_one_real_secret_is_not_excepted if {
	secrets := [_secret("api/test/fixtures/keys.env"), _secret("api/config.py")]
	count(main.exception) == 0 with input as {"secrets": secrets}
	count(main.exception) == 0 with input as {"secrets": []}
}

test_many_skipped_tests_fail if {
	main.deny_skipped_share == {"3 of 20 tests were skipped, more than 10%"} with input as {"tests": {"totals": _totals(20, 3)}}
}

test_the_skipped_limit_comes_from_data if {
	count(main.deny_skipped_share) == 0 with input as {"tests": {"totals": _totals(20, 3)}} with data.release.max_skipped_percent as 20
	count(main.deny_skipped_share) == 0 with input as {"tests": {"totals": _totals(20, 2)}}
}

test_discrepancies_warn if {
	discrepancy := {
		"source": "junit/jest.xml", "suite": null,
		"declared": {"tests": 0, "failures": 0, "errors": 1, "skipped": null},
		"counted": {"tests": 1, "failures": 0, "errors": 1, "skipped": 0},
	}
	main.warn_report_discrepancies == {"Suite (unnamed) in junit/jest.xml declares 0 tests but holds 1"} with input as {"tests": {"discrepancies": [discrepancy]}}
}

test_slow_tests_warn if {
	cases := [{"name": "slow", "duration_s": 42.5}, {"name": "fast", "duration_s": 0.2}, {"name": "untimed", "duration_s": null}]
	main.warn_slow_tests == {"Test slow took 42.5 s"} with input as {"tests": {"cases": cases}}
	count(main.warn_slow_tests) == 0 with input as {"tests": {"cases": cases}} with data.release.slow_test_seconds as 60
}
