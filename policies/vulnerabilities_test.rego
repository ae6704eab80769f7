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
#
# Each finding names its record; what it says (the upgrade to make, the advice without a fix)
# verdict writes from the record, and src/policy/explain_tests.rs tests those texts.

test_a_fixable_critical_vulnerability_fails if {
	vulnerabilities.deny_fixable == {{"fingerprint": "388fd09c65c10183b4564ea7b79a2832"}} with input as _input([_vuln({})])
}

test_a_fix_without_installed_version_still_fails if {
	evidence := _input([_vuln({"package": {"version": null, "path": null}, "target": "Java", "title": null, "url": null})])
	count(vulnerabilities.deny_fixable) == 1 with input as evidence
}

test_the_same_advisory_in_two_places_is_two_findings if {
	evidence := _input([_lodash, object.union(_lodash, {"fingerprint": "1badc0de1badc0de1badc0de1badc0de", "target": "admin/package-lock.json"})])
	{f.fingerprint | some f in vulnerabilities.deny_fixable} == {
		"0badc0de0badc0de0badc0de0badc0de",
		"1badc0de1badc0de1badc0de1badc0de",
	} with input as evidence
}

test_severities_below_the_blocking_ones_are_no_findings if {
	evidence := _input([_vuln({"severity": "MEDIUM"}), _vuln({"severity": "LOW"}), _vuln({"severity": "UNKNOWN"}), object.union(_unfixed, {"severity": "MEDIUM"})])
	count(vulnerabilities.deny_fixable) == 0 with input as evidence
	count(vulnerabilities.warn_unfixed) == 0 with input as evidence
}

test_the_blocking_severities_are_a_setting if {
	evidence := _input([_vuln({"severity": "HIGH"}), _vuln({"fingerprint": "m", "severity": "MEDIUM"})])
	config := {"vulnerabilities": {"severities": ["critical", "medium"]}}
	{f.fingerprint | some f in vulnerabilities.deny_fixable} == {"m"} with input as evidence with data.verdict.config as config
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
	vulnerabilities.warn_unfixed == {{"fingerprint": "a9460e2b251ba4955e65203443631a5d"}} with input as evidence
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

test_every_status_without_a_fix_is_unfixed if {
	evidence := _input([
		object.union(_unfixed, {"status": "will_not_fix"}),
		object.union(_unfixed, {"fingerprint": "e", "status": "end_of_life"}),
	])
	count(vulnerabilities.warn_unfixed) == 2 with input as evidence
}

# Vulnerabilities the scanner could not rate ---------------------------------------------------
#
# UNKNOWN means no severity in the scanner's database: it could be anything up to CRITICAL,
# so one with a fix warns (vulnerabilities.unknown_severity) rather than passing as a LOW one
# does. Without a fix there is nothing to do, as for the other severities below the bar.

test_a_fixable_unrated_vulnerability_warns_by_default if {
	evidence := _input([_vuln({"fingerprint": "u", "severity": "UNKNOWN", "id": "GMS-2022-20"}), _vuln({"fingerprint": "n", "severity": "UNKNOWN", "fixed_versions": []})])
	vulnerabilities.warn_unknown_severity == {{"fingerprint": "u"}} with input as evidence
	count(vulnerabilities.deny_unknown_severity) == 0 with input as evidence
	count(vulnerabilities.deny_fixable) == 0 with input as evidence
	vulnerabilities._severities == {"CRITICAL", "HIGH", "UNKNOWN"} with input as evidence
}

test_the_unrated_setting_fails_or_ignores if {
	evidence := _input([_vuln({"fingerprint": "u", "severity": "UNKNOWN"})])
	vulnerabilities.deny_unknown_severity == {{"fingerprint": "u"}} with input as evidence with data.verdict.config as {"vulnerabilities": {"unknown_severity": "fail"}}
	count(vulnerabilities.warn_unknown_severity) == 0 with input as evidence with data.verdict.config as {"vulnerabilities": {"unknown_severity": "fail"}}
	ignored := {"vulnerabilities": {"unknown_severity": "ignore"}}
	count(vulnerabilities.warn_unknown_severity) == 0 with input as evidence with data.verdict.config as ignored
	vulnerabilities._severities == {"CRITICAL", "HIGH"} with input as evidence with data.verdict.config as ignored
}

test_unknown_among_the_blocking_severities_blocks_as_they_do if {
	evidence := _input([_vuln({"fingerprint": "u", "severity": "UNKNOWN"})])
	config := {"vulnerabilities": {"severities": ["CRITICAL", "HIGH", "UNKNOWN"]}}
	vulnerabilities.deny_fixable == {{"fingerprint": "u"}} with input as evidence with data.verdict.config as config
	count(vulnerabilities.warn_unknown_severity) == 0 with input as evidence with data.verdict.config as config
}

# Vulnerabilities an SBOM lists -------------------------------------------------------------

_sbom_listing := {
	"path": "bom.cdx.json",
	"kind": "cyclonedx",
	"warnings": [{
		"code": "cyclonedx/vulnerabilities",
		"message": "the SBOM lists 2 vulnerabilities (1 critical, 1 high), which verdict does not judge from an SBOM",
	}],
}

test_vulnerabilities_only_an_sbom_lists_warn if {
	findings := vulnerabilities.warn_listed_in_sbom with input as {"sources": [_sbom_listing]}
	count(findings) == 1
	some finding in findings
	finding.msg == "The SBOM lists 2 vulnerabilities (1 critical, 1 high), which verdict does not judge from an SBOM (bom.cdx.json): no vulnerability scanner's report was read, so not one of them was judged"
	finding.file == "bom.cdx.json"
	contains(finding.remediation, "`trivy sbom bom.cdx.json --format json --output trivy.json`")
}

test_a_scanners_report_beside_the_sbom_judges_them if {
	trivy := {"path": "trivy.json", "kind": "trivy", "warnings": [], "package_targets": 3}
	count(vulnerabilities.warn_listed_in_sbom) == 0 with input as {"sources": [_sbom_listing, trivy]}
	# A Trivy report that checked no package (a config scan) does not.
	config := object.union(trivy, {"package_targets": 0})
	count(vulnerabilities.warn_listed_in_sbom) == 1 with input as {"sources": [_sbom_listing, config]}
}

# An image on a release its distribution no longer supports warns (Trivy's EOSL), naming the
# image and the release; a supported one, or a scan that found no OS, says nothing.
test_an_end_of_life_operating_system_warns if {
	eosl := {"path": "trivy.json", "kind": "trivy", "warnings": [], "subject": "shop-api:1.4.2", "os": {"family": "alpine", "name": "3.9.4", "end_of_life": true}}
	findings := vulnerabilities.warn_end_of_life with input as {"sources": [eosl]}
	count(findings) == 1
	some finding in findings
	finding.msg == "The operating system of shop-api:1.4.2, alpine 3.9.4, is past its end of life: it gets no more security fixes, and vulnerabilities found since may be missing from this scan (trivy.json)"
	finding.id == "os-end-of-life/alpine-3.9.4"
	startswith(finding.remediation, "Rebuild the image on a supported release of alpine")
	supported := object.union(eosl, {"os": {"family": "alpine", "name": "3.20.1", "end_of_life": false}})
	count(vulnerabilities.warn_end_of_life) == 0 with input as {"sources": [supported]}
	unnamed := object.union(eosl, {"subject": null})
	some f in vulnerabilities.warn_end_of_life with input as {"sources": [unnamed]}
	startswith(f.msg, "The operating system of trivy.json, alpine 3.9.4")
	count(vulnerabilities.warn_end_of_life) == 0 with input as {"sources": [object.remove(eosl, ["os"])]}
}
