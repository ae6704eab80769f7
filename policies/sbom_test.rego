package verdict.sbom_test

import data.verdict.sbom
import rego.v1

# A component as the evidence has it (docs/evidence.md, components), with one license entry.
_component(license) := {
	"fingerprint": "da4247f1e8542a7ce0ebb20ba578afc6",
	"source": "reports/sbom.cdx.json",
	"bom_ref": "pkg:maven/org.example.legacy/pdf-render@2.1.0",
	"type": "library",
	"name": "pdf-render",
	"group": "org.example.legacy",
	"version": "2.1.0",
	"purl": "pkg:maven/org.example.legacy/pdf-render@2.1.0",
	"cpe": null,
	"licenses": [license],
	"hashes": [],
	"scope": null,
	"supplier": null,
	"parent": null,
}

_id(id) := {"id": id, "name": null, "expression": null, "acknowledgement": null}

_expression(expression) := {"id": null, "name": null, "expression": expression, "acknowledgement": null}

_name(name) := {"id": null, "name": name, "expression": null, "acknowledgement": null}

_input(components) := {"components": components, "sources": [{"path": "reports/sbom.cdx.json", "kind": "cyclonedx"}]}

# The ids of the licenses found denied, one entry per component license given.
_denied(licenses) := {finding.id |
	evidence := _input([_component(license) | some license in licenses])
	findings := sbom.deny_license with input as evidence
	some finding in findings
}

# Denied licenses -----------------------------------------------------------------------------

test_a_component_under_gpl_fails if {
	# verdict writes the message and the remediation from the component (src/policy/explain.rs).
	sbom.deny_license == {{
		"fingerprint": "da4247f1e8542a7ce0ebb20ba578afc6",
		"id": "GPL-3.0-only",
	}} with input as _input([_component(_id("GPL-3.0-only"))])
}

test_every_default_denied_license_fails if {
	ids := [
		"AGPL-1.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "GPL-1.0-or-later", "GPL-2.0", "GPL-2.0-only",
		"GPL-2.0-or-later", "GPL-3.0", "GPL-3.0-or-later", "SSPL-1.0", "EUPL-1.2", "OSL-3.0", "CPAL-1.0",
		"RPSL-1.0", "Sleepycat",
	]
	every id in ids {
		_denied([_id(id)]) == {id}
	}
}

test_weak_copyleft_and_permissive_licenses_pass if {
	every id in ["LGPL-2.1-only", "LGPL-3.0-or-later", "MPL-2.0", "EPL-2.0", "MIT", "Apache-2.0", "BSD-3-Clause", "ISC"] {
		_denied([_id(id)]) == set()
	}
}

test_mit_or_gpl_passes if {
	_denied([_expression("MIT OR GPL-3.0-only")]) == set()
}

test_gpl_with_classpath_exception_fails if {
	_denied([_expression("GPL-2.0-or-later WITH Classpath-exception-2.0")]) == {"GPL-2.0-or-later WITH Classpath-exception-2.0"}
}

test_an_and_with_gpl_fails if {
	_denied([_expression("Apache-2.0 AND GPL-3.0-only")]) == {"Apache-2.0 AND GPL-3.0-only"}
}

test_a_choice_of_weak_copyleft_passes if {
	_denied([_expression("EPL-1.0 OR LGPL-2.1-only")]) == set()
	_denied([_expression("(MIT OR Apache-2.0) AND Unicode-DFS-2016")]) == set()
}

test_ids_are_compared_whole_and_without_case if {
	_denied([_id("gpl-3.0-only")]) == {"gpl-3.0-only"}
	_denied([_id("GPL-2.0+")]) == {"GPL-2.0+"}
	_denied([_id("LGPL-2.1+")]) == set()
}

test_a_license_name_is_judged_as_the_id_it_stands_for if {
	_denied([_name("GNU General Public License v3.0")]) == {"GNU General Public License v3.0"}
	_denied([_name("GPLv3+")]) == {"GPLv3+"}
	_denied([_name("LGPLv2+")]) == set()
	_denied([_name("Proprietary - ACME internal")]) == set()
	_denied([_name("GPL-3.0-only")]) == {"GPL-3.0-only"}
}

test_the_denied_list_is_a_setting if {
	evidence := _input([_component(_id("MIT"))])
	count(sbom.deny_license) == 1 with input as evidence with data.verdict.config as {"sbom": {"denied_licenses": ["MIT"]}}
	count(sbom.deny_license) == 0 with input as _input([_component(_id("GPL-3.0-only"))]) with data.verdict.config as {"sbom": {"denied_licenses": ["MIT"]}}
}

test_a_list_without_agpl_does_not_deny_agpl if {
	config := {"sbom": {"denied_licenses": ["GPL-3.0-only"]}}
	count(sbom.deny_license) == 0 with input as _input([_component(_id("AGPL-3.0-only"))]) with data.verdict.config as config
	count(sbom.deny_license) == 0 with input as _input([_component(_id("LGPL-3.0-only"))]) with data.verdict.config as config
}

test_every_license_entry_applies if {
	component := object.union(_component(_id("MIT")), {"licenses": [_id("MIT"), _id("GPL-3.0-only"), _id("AGPL-3.0-only")]})
	some finding in sbom.deny_license with input as _input([component])
	finding.id == "AGPL-3.0-only, GPL-3.0-only"
}

test_a_concluded_license_wins_over_the_declared_one if {
	reviewed := [
		object.union(_id("MIT"), {"acknowledgement": "concluded"}),
		object.union(_id("GPL-3.0-only"), {"acknowledgement": "declared"}),
	]
	count(sbom.deny_license) == 0 with input as _input([object.union(_component(_id("MIT")), {"licenses": reviewed})])

	concluded_gpl := [
		object.union(_expression("GPL-2.0-only"), {"acknowledgement": "concluded"}),
		object.union(_id("MIT"), {"acknowledgement": "declared"}),
	]
	count(sbom.deny_license) == 1 with input as _input([object.union(_component(_id("MIT")), {"licenses": concluded_gpl})])
}

test_a_component_without_license_is_no_finding if {
	component := object.union(_component(_id("MIT")), {"licenses": []})
	count(sbom.deny_license) == 0 with input as _input([component])
}

# A required SBOM -----------------------------------------------------------------------------

test_no_sbom_is_fine_by_default if {
	count(sbom.deny_missing) == 0 with input as {"sources": [], "components": []}
}

test_no_sbom_fails_when_required if {
	some finding in sbom.deny_missing with input as {"sources": [{"kind": "junit"}]} with data.verdict.config as {"sbom": {"required": true}}
	finding.id == "sbom-missing"
	finding.severity == "MEDIUM"
	finding.msg == "No SBOM (CycloneDX or SPDX) was found among the CI artifacts, and this project requires one"
	contains(finding.remediation, "cyclonedx-maven-plugin")
	contains(finding.remediation, "@cyclonedx/cyclonedx-npm")
	contains(finding.remediation, "cyclonedx-py")
	contains(finding.remediation, "trivy fs --format cyclonedx")
	contains(finding.remediation, "syft")
}

test_a_required_sbom_is_found_in_either_format if {
	every kind in ["cyclonedx", "spdx"] {
		count(sbom.deny_missing) == 0 with input as {"sources": [{"kind": kind}]} with data.verdict.config as {"sbom": {"required": true}}
	}
}

test_an_empty_sbom_is_still_an_sbom if {
	count(sbom.deny_missing) == 0 with input as {"sources": [{"kind": "spdx"}], "components": []} with data.verdict.config as {"sbom": {"required": true}}
}

# An SBOM without a component ------------------------------------------------------------------

test_an_sbom_without_a_component_warns if {
	findings := sbom.warn_empty with input as _input([])
	count(findings) == 1
	some finding in findings
	finding.id == "sbom-empty"
	finding.severity == "MEDIUM"
}

test_an_sbom_with_a_component_does_not_warn if {
	count(sbom.warn_empty) == 0 with input as _input([_component(_id("MIT"))])
}

test_no_sbom_is_not_an_empty_sbom if {
	count(sbom.warn_empty) == 0 with input as {"components": [], "sources": [{"path": "trivy.json", "kind": "trivy"}]}
}

# License scanners ----------------------------------------------------------------------------

# A license finding as the evidence has it (docs/evidence.md, licenses): Trivy's license scan.
_scanned(name, pkg, path) := {
	"fingerprint": "5b0c6e1f2f1a4cd1a3f0f8f4b1c2d3e4",
	"source": "reports/trivy-license.json",
	"tool": "trivy",
	"target": "Java",
	"name": name,
	"package": pkg,
	"file": path,
	"category": "restricted",
	"severity": "HIGH",
	"confidence": 1,
	"url": null,
}

_scanned_denied_names(findings) := {finding.id |
	some finding in sbom.deny_scanned_license with input as {"licenses": findings, "components": [], "sources": []}
}

test_a_package_under_gpl_found_by_a_license_scan_fails if {
	sbom.deny_scanned_license == {{"fingerprint": "5b0c6e1f2f1a4cd1a3f0f8f4b1c2d3e4", "id": "GPL-3.0-only"}} with input as {
		"licenses": [_scanned("GPL-3.0-only", "org.example:pdf-render", null)],
		"components": [],
		"sources": [],
	}
}

test_scanned_licenses_are_weighed_as_sbom_licenses if {
	_scanned_denied_names([_scanned("GPLv3+", null, "LICENSE")]) == {"GPLv3+"}
	_scanned_denied_names([_scanned("AGPL-3.0", "x", null)]) == {"AGPL-3.0"}
	_scanned_denied_names([_scanned("Apache-2.0 AND GPL-2.0-only", "x", null)]) == {"Apache-2.0 AND GPL-2.0-only"}
	_scanned_denied_names([_scanned("MIT OR GPL-3.0-only", "x", null)]) == set()
	_scanned_denied_names([_scanned("LGPL-2.1-only", "x", null), _scanned("MIT License", "x", null)]) == set()
}

test_a_scanned_license_follows_the_denied_list if {
	findings := [_scanned("EPL-1.0", "org.eclipse.sisu:org.eclipse.sisu.plexus", null)]
	_scanned_denied_names(findings) == set()
	names := _scanned_denied_names(findings) with data.verdict.config as {"sbom": {"denied_licenses": ["EPL-1.0"]}}
	names == {"EPL-1.0"}
}

# Licenses the scanner classifies as forbidden ------------------------------------------------

test_a_forbidden_license_not_denied_here_warns if {
	nc := {"fingerprint": "f1", "tool": "trivy", "name": "CC-BY-NC-4.0", "package": "fonts-pack", "file": null, "category": "forbidden"}
	findings := sbom.warn_scanned_forbidden with input as {"licenses": [nc], "components": [], "sources": []}
	findings == {{
		"msg": "Package fonts-pack is under CC-BY-NC-4.0, which trivy classifies as forbidden, and sbom.denied_licenses does not deny it",
		"id": "CC-BY-NC-4.0",
		"severity": "HIGH",
		"remediation": "Replace or remove it; or, if CC-BY-NC-4.0 must block here, add it to sbom.denied_licenses; if it is acceptable, record a waiver with your legal team's approval",
	}}
	count(sbom.deny_scanned_license) == 0 with input as {"licenses": [nc], "components": [], "sources": []}
}

test_a_forbidden_license_denied_here_only_fails if {
	agpl := {"fingerprint": "f2", "tool": "trivy", "name": "AGPL-3.0-only", "package": null, "file": "vendor/x.js", "category": "forbidden"}
	count(sbom.warn_scanned_forbidden) == 0 with input as {"licenses": [agpl], "components": [], "sources": []}
	count(sbom.deny_scanned_license) == 1 with input as {"licenses": [agpl], "components": [], "sources": []}
	notice := object.union(agpl, {"name": "MIT", "category": "notice"})
	count(sbom.warn_scanned_forbidden) == 0 with input as {"licenses": [notice], "components": [], "sources": []}
}

test_a_forbidden_license_names_what_it_was_found_in if {
	file := {"fingerprint": "f3", "tool": "trivy", "name": "CC-BY-NC-4.0", "package": null, "file": "assets/font.ttf", "category": "forbidden"}
	some finding in sbom.warn_scanned_forbidden with input as {"licenses": [file], "components": [], "sources": []}
	startswith(finding.msg, "File assets/font.ttf is under CC-BY-NC-4.0")
	finding.file == "assets/font.ttf"
	neither := object.union(file, {"file": null})
	some other in sbom.warn_scanned_forbidden with input as {"licenses": [neither], "components": [], "sources": []}
	startswith(other.msg, "Code in the project is under CC-BY-NC-4.0")
}
