# Tests of main.rego, run like `opa test`: every `test_` rule must hold.
package main_test

import data.main

test_no_tests_is_denied if {
	results := main.deny with input as {"tests": {"totals": {"total": 0}}, "components": []}
	some finding in results
	finding.id == "tests-ran"
}

test_tests_that_ran_pass if {
	results := main.deny with input as {"tests": {"totals": {"total": 12}}, "components": []}
	count(results) == 0
}

test_unapproved_registry_warns if {
	results := main.warn with input as {"tests": {"totals": {"total": 1}}, "components": [left_pad]}
	some finding in results
	finding.id == "unapproved-registry/bitbucket"
	finding.purl == left_pad.purl
}

test_approved_registry_passes if {
	component := {"name": "lodash", "purl": "pkg:npm/lodash@4.17.21", "fingerprint": "b2"}
	results := main.warn with input as {"tests": {"totals": {"total": 1}}, "components": [component]}
	count(results) == 0
}

test_component_without_purl_is_not_judged if {
	component := {"name": "vendored", "purl": null, "fingerprint": "c3"}
	results := main.warn with input as {"tests": {"totals": {"total": 1}}, "components": [component]}
	count(results) == 0
}

test_approved_types_come_from_data if {
	results := main.warn with input as {"tests": {"totals": {"total": 1}}, "components": [left_pad]}
		with data.approved_package_types as ["bitbucket"]
	count(results) == 0
}

left_pad := {"name": "left-pad", "purl": "pkg:bitbucket/acme/left-pad@1.0.0", "fingerprint": "a1"}
