# A team's own vulnerability rules, driven by a data file (team/data.json, under data.team_config) that the team
# edits: which paths it owns, and which advisories it accepted until when. Evaluate with
# `--namespace team --data examples/policies/team/data.json`.
#
# Plain Rego v1 (OPA 1.0 syntax, without `import rego.v1`). Dates are compared as ISO
# strings against data.team_config.today, which CI writes, so the policy stays deterministic.
package team

# METADATA
# title: No unaccepted vulnerability in our code
# description: >-
#   A HIGH or CRITICAL vulnerability in a lockfile the team owns fails, unless the team
#   accepted it in data.json and the acceptance has not expired.
# custom:
#   severity: HIGH
#   remediation: Upgrade the package, or add the advisory to accepted in data.json with a reason and a date.
deny_vulnerability contains finding if {
	some vuln in _ours
	vuln.severity in {"CRITICAL", "HIGH"}
	not vuln.id in _accepted_ids
	finding := {
		"msg": sprintf("%s (%s) in %s %s, in %s owned by %s", [
			vuln.id, vuln.severity, vuln.package.name, vuln.package.version, vuln.target, _owner(vuln.target),
		]),
		"id": vuln.id,
		"severity": vuln.severity,
		"fingerprint": vuln.fingerprint,
		"purl": vuln.package.purl,
		"file": vuln.target,
	}
}

# METADATA
# title: Acceptances are renewed or removed
# custom:
#   severity: MEDIUM
warn_expired_acceptance contains msg if {
	some accepted in data.team_config.accepted
	accepted.until < data.team_config.today
	accepted.id in {vuln.id | some vuln in _ours}
	msg := sprintf("The acceptance of %s expired on %s (%s): fix it or renew it", [accepted.id, accepted.until, accepted.reason])
}

# METADATA
# title: No stale acceptance
# custom:
#   severity: LOW
warn_unused_acceptance contains msg if {
	unused := {accepted.id | some accepted in data.team_config.accepted} - {vuln.id | some vuln in _ours}
	some id in unused
	msg := sprintf("%s is accepted in data.json but no longer found: remove the entry", [id])
}

# The vulnerabilities found in lockfiles under a path the team owns.
_ours contains vuln if {
	some vuln in input.vulnerabilities
	is_string(vuln.target)
	strings.any_prefix_match(vuln.target, object.keys(data.team_config.owners))
}

_accepted_ids contains accepted.id if {
	some accepted in data.team_config.accepted
	accepted.until >= data.team_config.today
}

# The owner of the longest matching path prefix.
_owner(target) := data.team_config.owners[longest] if {
	prefixes := [prefix | some prefix, _ in data.team_config.owners; startswith(target, prefix)]
	lengths := [count(prefix) | some prefix in prefixes]
	longest := [prefix | some prefix in prefixes; count(prefix) == max(lengths)][0]
}
