package team_test

import data.team

_data := {
	"today": "2026-06-01",
	"owners": {"services/orders/": "orders", "services/orders/legacy/": "orders-legacy"},
	"accepted": [
		{"id": "CVE-ACCEPTED", "until": "2026-12-31", "reason": "not reachable"},
		{"id": "CVE-EXPIRED", "until": "2026-03-31", "reason": "was not reachable"},
		{"id": "CVE-GONE", "until": "2026-12-31", "reason": "fixed since"},
	],
}

_vuln(id, severity, target) := {
	"fingerprint": sprintf("%s-%v", [id, target]), "id": id, "severity": severity, "target": target,
	"package": {"name": "snakeyaml", "version": "1.33", "purl": "pkg:maven/org.yaml/snakeyaml@1.33"},
}

test_a_high_vulnerability_in_our_lockfile_fails if {
	vulns := [_vuln("CVE-NEW", "HIGH", "services/orders/legacy/pom.xml")]
	team.deny_vulnerability == {{
		"msg": "CVE-NEW (HIGH) in snakeyaml 1.33, in services/orders/legacy/pom.xml owned by orders-legacy",
		"id": "CVE-NEW",
		"severity": "HIGH",
		"fingerprint": "CVE-NEW-services/orders/legacy/pom.xml",
		"purl": "pkg:maven/org.yaml/snakeyaml@1.33",
		"file": "services/orders/legacy/pom.xml",
	}} with input as {"vulnerabilities": vulns} with data.team_config as _data
}

test_other_teams_and_lower_severities_are_not_ours if {
	vulns := [_vuln("CVE-NEW", "HIGH", "services/billing/pom.xml"), _vuln("CVE-LOW", "MEDIUM", "services/orders/pom.xml"), _vuln("CVE-IMG", "HIGH", null)]
	count(team.deny_vulnerability) == 0 with input as {"vulnerabilities": vulns} with data.team_config as _data
}

test_an_accepted_vulnerability_passes_until_its_date if {
	vulns := [_vuln("CVE-ACCEPTED", "CRITICAL", "services/orders/pom.xml")]
	count(team.deny_vulnerability) == 0 with input as {"vulnerabilities": vulns} with data.team_config as _data
}

test_an_expired_acceptance_fails_and_warns if {
	vulns := [_vuln("CVE-EXPIRED", "HIGH", "services/orders/pom.xml")]
	count(team.deny_vulnerability) == 1 with input as {"vulnerabilities": vulns} with data.team_config as _data
	team.warn_expired_acceptance == {"The acceptance of CVE-EXPIRED expired on 2026-03-31 (was not reachable): fix it or renew it"} with input as {"vulnerabilities": vulns} with data.team_config as _data
}

test_an_acceptance_that_matches_nothing_warns if {
	vulns := [_vuln("CVE-ACCEPTED", "HIGH", "services/orders/pom.xml"), _vuln("CVE-EXPIRED", "HIGH", "services/orders/pom.xml")]
	team.warn_unused_acceptance == {"CVE-GONE is accepted in data.json but no longer found: remove the entry"} with input as {"vulnerabilities": vulns} with data.team_config as _data
}
