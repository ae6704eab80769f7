# Security rules in the classic conftest style, written in Rego v0 (no `if`, partial sets
# with brackets), as many existing policy repositories still are. verdict reads a file that
# does not parse as Rego v1 as v0. Evaluate it with `--namespace legacy.security`.
#
# It shows `deny_<name>` and plain `deny`/`warn` rules with string results, a v0 `exception`,
# `default`, a partial set used as a helper, and data with a default.
package legacy.security

# Critical vulnerabilities block, unless the run is a developer's local one (see exception).
deny_critical_vulnerability[msg] {
	vuln := input.vulnerabilities[_]
	vuln.severity == "CRITICAL"
	msg := sprintf("%s: %s %s is critically vulnerable", [vuln.id, vuln.package.name, vuln.package.version])
}

# Local runs show critical vulnerabilities as excepted instead of failing, so that a
# developer can run the gate before the dependency update lands.
exception[rules] {
	input.meta.ci.system == "local"
	rules := ["critical_vulnerability"]
}

# Secrets of the HIGH and CRITICAL kind never go to a repository.
deny[msg] {
	secret := input.secrets[_]
	high_severity[secret.severity]
	msg := sprintf("secret %s in %s", [secret.rule_id, secret.target])
}

high_severity["CRITICAL"]

high_severity["HIGH"]

# Too many vulnerabilities without a fix: the base image may be worth changing.
warn[msg] {
	count(unfixed) > max_unfixed
	msg := sprintf("%d advisories have no fix (limit %d): consider a newer base image", [count(unfixed), max_unfixed])
}

unfixed[vuln.id] {
	vuln := input.vulnerabilities[_]
	count(vuln.fixed_versions) == 0
}

default max_unfixed = 5

max_unfixed = n {
	n := data.legacy.max_unfixed
}

# Dockerfile checks that failed, whatever their severity.
warn_dockerfile[msg] {
	check := input.misconfigurations[_]
	check.status == "failed"
	check.framework == "dockerfile"
	msg := sprintf("%s: %s (%s)", [check.check_id, check.title, check.file])
}
