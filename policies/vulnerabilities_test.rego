package verdict.vulnerabilities_test

import data.verdict.vulnerabilities
import rego.v1

# A vulnerability as the evidence has it (docs/evidence.md, vulnerabilities): Spring4Shell in a
# jar of an image, fixed in two release lines.
_vuln(fields) := object.union(
	{
		"fingerprint": "388fd09c65c10183b4564ea7b79a2832",
		"source": "reports/trivy.json",
		"target": "Java",
		"id": "CVE-2022-22965",
		"aliases": [],
		"package": {
			"name": "org.springframework:spring-beans",
			"version": "5.3.15",
			"purl": "pkg:maven/org.springframework/spring-beans@5.3.15",
			"type": "jar",
			"path": "app/lib/spring-beans-5.3.15.jar",
		},
		"fixed_version": "5.3.18, 5.2.20",
		"fixed_versions": ["5.3.18", "5.2.20"],
		"severity": "CRITICAL",
		"severity_source": "ghsa",
		"cvss": [],
		"status": "fixed",
		"title": "spring-framework: RCE via Data Binding on JDK 9+",
		"url": "https://avd.aquasec.com/nvd/cve-2022-22965",
		"cwe_ids": ["CWE-94"],
		"published": "2022-04-01T23:15:00Z",
	},
	fields,
)

# An OS package of an image with no fix yet.
_unfixed := _vuln({
	"fingerprint": "a9460e2b251ba4955e65203443631a5d",
	"target": "registry.example.com/acme/shop-api:1.4.2 (debian 12.7)",
	"id": "CVE-2023-31484",
	"package": {
		"name": "perl-base",
		"version": "5.36.0-7+deb12u1",
		"purl": "pkg:deb/debian/perl-base@5.36.0-7%2Bdeb12u1?arch=amd64&distro=debian-12.7",
		"type": "debian",
		"path": null,
	},
	"fixed_version": null,
	"fixed_versions": [],
	"severity": "HIGH",
	"status": "affected",
	"title": "perl: CPAN.pm does not verify TLS certificates",
	"url": "https://avd.aquasec.com/nvd/cve-2023-31484",
})

# An npm package in a lockfile of the repository.
_lodash := _vuln({
	"fingerprint": "0badc0de0badc0de0badc0de0badc0de",
	"target": "web/package-lock.json",
	"id": "CVE-2021-23337",
	"package": {"name": "lodash", "version": "4.17.20", "purl": "pkg:npm/lodash@4.17.20", "type": "npm", "path": null},
	"fixed_version": "4.17.21",
	"fixed_versions": ["4.17.21"],
	"severity": "HIGH",
	"title": "lodash: command injection via template",
	"url": "https://avd.aquasec.com/nvd/cve-2021-23337",
})

_input(vulns) := {"vulnerabilities": vulns}

# Fixable vulnerabilities ---------------------------------------------------------------------

test_a_fixable_critical_vulnerability_fails if {
	vulnerabilities.deny_fixable == {{
		"msg": "CRITICAL vulnerability CVE-2022-22965 in org.springframework:spring-beans 5.3.15 (Java): spring-framework: RCE via Data Binding on JDK 9+",
		"id": "CVE-2022-22965",
		"severity": "CRITICAL",
		"fingerprint": "388fd09c65c10183b4564ea7b79a2832",
		"purl": "pkg:maven/org.springframework/spring-beans@5.3.15",
		"url": "https://avd.aquasec.com/nvd/cve-2022-22965",
		"remediation": "Upgrade org.springframework:spring-beans 5.3.15 → 5.3.18 (or 5.2.20) in app/lib/spring-beans-5.3.15.jar",
	}} with input as _input([_vuln({})])
}

test_the_fix_in_the_installed_release_line_comes_first if {
	evidence := _input([_vuln({"fixed_versions": ["5.2.20", "5.3.18"]})])
	some finding in vulnerabilities.deny_fixable with input as evidence
	finding.remediation == "Upgrade org.springframework:spring-beans 5.3.15 → 5.3.18 (or 5.2.20) in app/lib/spring-beans-5.3.15.jar"
}

test_without_a_fix_in_the_release_line_the_first_fix_comes_first if {
	evidence := _input([_vuln({"package": {"version": "4.3.1"}, "fixed_versions": ["5.2.20", "5.3.18"]})])
	some finding in vulnerabilities.deny_fixable with input as evidence
	startswith(finding.remediation, "Upgrade org.springframework:spring-beans 4.3.1 → 5.2.20 (or 5.3.18) in")
}

test_a_lockfile_is_the_finding_file if {
	some finding in vulnerabilities.deny_fixable with input as _input([_lodash])
	finding.file == "web/package-lock.json"
	finding.remediation == "Upgrade lodash 4.17.20 → 4.17.21 in web/package-lock.json"
	finding.msg == "HIGH vulnerability CVE-2021-23337 in lodash 4.17.20 (web/package-lock.json): lodash: command injection via template"
}

test_only_file_targets_are_files if {
	files := {target: file |
		some target in ["Gemfile.lock", "services/api/go.mod", "Java", "Node.js", "alpine 3.19", "registry.example.com/shop:1.2 (debian 12.7)"]
		evidence := _input([_vuln({"target": target})])
		findings := vulnerabilities.deny_fixable with input as evidence
		some finding in findings
		file := object.get(finding, "file", null)
	}
	files == {
		"Gemfile.lock": "Gemfile.lock",
		"services/api/go.mod": "services/api/go.mod",
		"Java": null,
		"Node.js": null,
		"alpine 3.19": null,
		"registry.example.com/shop:1.2 (debian 12.7)": null,
	}
}

test_an_os_package_fix_says_how_images_are_fixed if {
	evidence := _input([object.union(_unfixed, {"fixed_versions": ["5.36.0-7+deb12u2"]})])
	some finding in vulnerabilities.deny_fixable with input as evidence
	finding.remediation == concat("", [
		"Upgrade perl-base 5.36.0-7+deb12u1 → 5.36.0-7+deb12u2 in registry.example.com/acme/shop-api:1.4.2 (debian 12.7)",
		": rebuild the image from an updated base image, or upgrade the package in its Dockerfile",
	])
	not "file" in object.keys(finding)
}

test_an_os_package_is_known_by_its_type_without_purl if {
	evidence := _input([_vuln({"package": {"name": "musl", "version": "1.2.4-r1", "purl": null, "type": "alpine", "path": null}, "target": "alpine 3.19", "fixed_versions": ["1.2.4-r2"]})])
	some finding in vulnerabilities.deny_fixable with input as evidence
	endswith(finding.remediation, "or upgrade the package in its Dockerfile")
}

test_a_fix_without_installed_version_still_reads_well if {
	evidence := _input([_vuln({"package": {"version": null, "path": null}, "target": "Java", "title": null, "url": null})])
	some finding in vulnerabilities.deny_fixable with input as evidence
	finding.msg == "CRITICAL vulnerability CVE-2022-22965 in org.springframework:spring-beans (Java)"
	finding.remediation == "Upgrade org.springframework:spring-beans → 5.3.18 (or 5.2.20) in Java"
	not "url" in object.keys(finding)
}

test_the_same_advisory_in_two_places_is_two_findings if {
	evidence := _input([_lodash, object.union(_lodash, {"fingerprint": "1badc0de1badc0de1badc0de1badc0de", "target": "admin/package-lock.json"})])
	findings := vulnerabilities.deny_fixable with input as evidence
	{[f.fingerprint, f.file] | some f in findings} == {
		["0badc0de0badc0de0badc0de0badc0de", "web/package-lock.json"],
		["1badc0de1badc0de1badc0de1badc0de", "admin/package-lock.json"],
	}
}

test_severities_below_the_blocking_ones_are_no_findings if {
	evidence := _input([_vuln({"severity": "MEDIUM"}), _vuln({"severity": "LOW"}), _vuln({"severity": "UNKNOWN"}), object.union(_unfixed, {"severity": "MEDIUM"})])
	count(vulnerabilities.deny_fixable) == 0 with input as evidence
	count(vulnerabilities.warn_unfixed) == 0 with input as evidence
}

test_the_blocking_severities_are_a_setting if {
	evidence := _input([_vuln({"severity": "HIGH"}), _vuln({"fingerprint": "m", "severity": "MEDIUM"})])
	config := {"vulnerabilities": {"severities": ["critical", "medium"]}}
	{f.severity | some f in vulnerabilities.deny_fixable} == {"MEDIUM"} with input as evidence with data.verdict.config as config
}

test_no_vulnerabilities_no_findings if {
	count(vulnerabilities.deny_fixable) == 0 with input as {"vulnerabilities": []}
	count(vulnerabilities.warn_unfixed) == 0 with input as {}
}

# Vulnerabilities without a fix ---------------------------------------------------------------

test_an_unfixed_vulnerability_warns_by_default if {
	evidence := _input([_unfixed])
	count(vulnerabilities.deny_fixable) == 0 with input as evidence
	count(vulnerabilities.deny_unfixed) == 0 with input as evidence
	vulnerabilities.warn_unfixed == {{
		"msg": "HIGH vulnerability CVE-2023-31484 in perl-base 5.36.0-7+deb12u1 (registry.example.com/acme/shop-api:1.4.2 (debian 12.7)): perl: CPAN.pm does not verify TLS certificates",
		"id": "CVE-2023-31484",
		"severity": "HIGH",
		"fingerprint": "a9460e2b251ba4955e65203443631a5d",
		"purl": "pkg:deb/debian/perl-base@5.36.0-7%2Bdeb12u1?arch=amd64&distro=debian-12.7",
		"url": "https://avd.aquasec.com/nvd/cve-2023-31484",
		"remediation": concat("", [
			"No fixed version of perl-base 5.36.0-7+deb12u1 exists yet for CVE-2023-31484: apply the advisory's ",
			"workaround if there is one, remove the package if unused, and upgrade when a fix ships; ",
			"advisory: https://avd.aquasec.com/nvd/cve-2023-31484",
		]),
	}} with input as evidence
}

test_an_unfixed_vulnerability_fails_when_set_to_fail if {
	evidence := _input([_unfixed])
	count(vulnerabilities.deny_unfixed) == 1 with input as evidence with data.verdict.config as {"vulnerabilities": {"unfixed": "fail"}}
	count(vulnerabilities.warn_unfixed) == 0 with input as evidence with data.verdict.config as {"vulnerabilities": {"unfixed": "fail"}}
}

test_an_unfixed_vulnerability_is_nothing_when_ignored if {
	evidence := _input([_unfixed])
	count(vulnerabilities.deny_unfixed) == 0 with input as evidence with data.verdict.config as {"vulnerabilities": {"unfixed": "ignore"}}
	count(vulnerabilities.warn_unfixed) == 0 with input as evidence with data.verdict.config as {"vulnerabilities": {"unfixed": "ignore"}}
}

test_the_unfixed_setting_leaves_fixable_ones_failing if {
	evidence := _input([_vuln({}), _unfixed])
	count(vulnerabilities.deny_fixable) == 1 with input as evidence with data.verdict.config as {"vulnerabilities": {"unfixed": "ignore"}}
}

test_a_record_without_fixed_versions_has_no_fix if {
	evidence := _input([object.remove(_unfixed, ["fixed_versions"]), object.union(_unfixed, {"fingerprint": "n", "fixed_versions": null})])
	count(vulnerabilities.warn_unfixed) == 2 with input as evidence
	count(vulnerabilities.deny_fixable) == 0 with input as evidence
}

test_will_not_fix_says_to_replace_or_accept if {
	evidence := _input([object.union(_unfixed, {"status": "will_not_fix", "url": null})])
	some finding in vulnerabilities.warn_unfixed with input as evidence
	finding.remediation == "The maintainers will not fix CVE-2023-31484 in perl-base 5.36.0-7+deb12u1: replace the package (or the base image), remove it if unused, or accept the risk with a waiver"
}

test_end_of_life_says_to_move_to_a_supported_version if {
	evidence := _input([object.union(_unfixed, {"status": "end_of_life"})])
	some finding in vulnerabilities.warn_unfixed with input as evidence
	startswith(finding.remediation, "perl-base 5.36.0-7+deb12u1 has reached its end of life and gets no fix for CVE-2023-31484: move to a supported version (or base image)")
}
