package verdict.secrets_test

import data.verdict.secrets
import rego.v1

# A secret Trivy found, as the evidence has it: rule and file, never the matched text.
_secret(fields) := object.union(
	{
		"fingerprint": "0f6a3c4e5b2d7e9f1a8c6b4d2e0f9a7c",
		"source": "reports/trivy.json",
		"tool": "trivy",
		"target": "deploy/deploy.sh",
		"rule_id": "aws-access-key-id",
		"category": "AWS",
		"severity": "CRITICAL",
		"title": "AWS Access Key ID",
		"start_line": 3,
		"end_line": 3,
	},
	fields,
)

_input(found) := {"secrets": found}

# Each finding names its secret by fingerprint and line; what it says (the rule, the file, how
# to rotate and remove the secret) verdict writes from the record, and
# src/policy/explain_tests.rs tests those texts.

test_a_secret_fails_whatever_its_severity if {
	evidence := _input([
		_secret({}),
		_secret({"fingerprint": "b", "severity": "LOW", "start_line": 9}),
		_secret({"fingerprint": "c", "severity": "UNKNOWN", "start_line": null}),
	])
	secrets.deny_found == {
		{"fingerprint": "0f6a3c4e5b2d7e9f1a8c6b4d2e0f9a7c", "line": 3},
		{"fingerprint": "b", "line": 9},
		{"fingerprint": "c"},
	} with input as evidence
	count(secrets.warn_found) == 0 with input as evidence
}

test_two_matches_in_one_file_are_two_findings if {
	evidence := _input([_secret({}), _secret({"start_line": 12})])
	count(secrets.deny_found) == 2 with input as evidence
}

test_a_secret_below_the_blocking_severities_warns if {
	evidence := _input([_secret({}), _secret({"fingerprint": "b", "severity": "MEDIUM", "start_line": 9})])
	config := {"secrets": {"severities": ["critical", "HIGH"]}}
	secrets.deny_found == {{"fingerprint": "0f6a3c4e5b2d7e9f1a8c6b4d2e0f9a7c", "line": 3}} with input as evidence with data.verdict.config as config
	secrets.warn_found == {{"fingerprint": "b", "line": 9}} with input as evidence with data.verdict.config as config
}

test_no_secrets_no_findings if {
	count(secrets.deny_found) == 0 with input as {}
	count(secrets.warn_found) == 0 with input as {"secrets": []}
}
