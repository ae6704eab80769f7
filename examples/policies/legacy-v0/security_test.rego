package legacy.security

vuln(id, severity, fixed) = v {
	v := {
		"id": id, "severity": severity, "fixed_versions": fixed,
		"package": {"name": "openssl", "version": "3.0.2"},
	}
}

test_a_critical_vulnerability_is_denied {
	deny_critical_vulnerability["CVE-2022-3602: openssl 3.0.2 is critically vulnerable"] with input as {"vulnerabilities": [vuln("CVE-2022-3602", "CRITICAL", ["3.0.7"])]}
}

test_a_high_vulnerability_is_not_denied {
	count(deny_critical_vulnerability) == 0 with input as {"vulnerabilities": [vuln("CVE-2022-0778", "HIGH", ["3.0.2-1"])]}
}

test_local_runs_are_excepted {
	exception[["critical_vulnerability"]] with input as {"meta": {"ci": {"system": "local"}}}
}

test_ci_runs_are_not_excepted {
	count(exception) == 0 with input as {"meta": {"ci": {"system": "github"}}}
}

test_high_secrets_are_denied {
	deny["secret github-pat in app/config.py"] with input as {"secrets": [{"rule_id": "github-pat", "target": "app/config.py", "severity": "HIGH"}]}
}

test_low_secrets_are_not_denied {
	count(deny) == 0 with input as {"secrets": [{"rule_id": "generic", "target": "a.txt", "severity": "LOW"}]}
}

test_many_unfixed_advisories_warn {
	vulns := [vuln(sprintf("CVE-2024-%d", [i]), "LOW", []) | i := numbers.range(1, 6)[_]]
	warn["6 advisories have no fix (limit 5): consider a newer base image"] with input as {"vulnerabilities": vulns}
}

test_the_limit_comes_from_data {
	vulns := [vuln(sprintf("CVE-2024-%d", [i]), "LOW", []) | i := numbers.range(1, 6)[_]]
	count(warn) == 0 with input as {"vulnerabilities": vulns} with data.legacy.max_unfixed as 10
}

test_failed_dockerfile_checks_warn {
	check := {"check_id": "DS002", "title": "Image user should not be 'root'", "file": "Dockerfile", "status": "failed", "framework": "dockerfile"}
	warn_dockerfile["DS002: Image user should not be 'root' (Dockerfile)"] with input as {"misconfigurations": [check]}
}
