# Built-in pack: the software bill of materials (input.components and input.sources, from
# CycloneDX and SPDX) and the findings of license scanners (input.licenses, from Trivy).
#
# A component, package or file under a denied license (sbom.denied_licenses: strong and network
# copyleft by default) fails the gate, and so does a build without any SBOM when sbom.required
# is set.
#
# deny_license names the component by fingerprint and the licenses found denied by `id`;
# verdict writes what the finding says from the component (docs/policy.md, "Findings verdict
# explains"): its group, name, version and purl, and how to be rid of it.
package verdict.sbom

import data.verdict.lib
import rego.v1

# METADATA
# title: No component under a denied license
# description: >-
#   A component's license is on this project's denied list (strong and network copyleft by
#   default), so shipping it may oblige you to publish your own code under that license.
# custom:
#   severity: HIGH
#   remediation: Replace the component, or record a waiver once your legal team approves it.
deny_license contains {"fingerprint": component.fingerprint, "id": licenses} if {
	some i in _suspects
	component := input.components[i]
	denied := {lib.license_text(license) | some license in _judged(component); license in _denied}
	count(denied) > 0
	licenses := concat(", ", sort(denied))
}

# METADATA
# title: No package or file under a denied license
# description: >-
#   A license scanner (Trivy's --scanners license) found a license on this project's denied
#   list (strong and network copyleft by default) in a package or a file, so shipping it may
#   oblige you to publish your own code under that license.
# custom:
#   severity: HIGH
#   remediation: Replace or remove the package or file, or record a waiver once your legal team approves it.
deny_scanned_license contains {"fingerprint": finding.fingerprint, "id": finding.name} if {
	some finding in input.licenses
	_scanned_denied(finding.name)
}

# METADATA
# title: No license the scanner classifies as forbidden goes unnoticed
# description: >-
#   Trivy's license scanner classifies this license as forbidden (its own list, such as
#   CC-BY-NC-4.0 or the Commons Clause, rated CRITICAL), and this project's denied list
#   (sbom.denied_licenses) does not deny it, so it does not block. One of the two lists is
#   wrong for this project.
# custom:
#   severity: HIGH
#   remediation: Replace or remove the package or file, or deny the license (sbom.denied_licenses), or accept it with a waiver.
warn_scanned_forbidden contains finding if {
	some license in input.licenses
	lower(object.get(license, "category", "")) == "forbidden"
	not _scanned_denied(license.name)
	finding := lib.result({
		"msg": sprintf("%s is under %s, which %s classifies as forbidden, and sbom.denied_licenses does not deny it", [
			_scanned_what(license), license.name, license.tool,
		]),
		"id": license.name,
		"file": object.get(license, "file", null),
		"severity": "HIGH",
		"remediation": sprintf("Replace or remove it; or, if %s must block here, add it to sbom.denied_licenses; if it is acceptable, record a waiver with your legal team's approval", [license.name]),
	})
}

_scanned_what(license) := sprintf("Package %s", [license.package]) if is_string(license.package)
else := sprintf("File %s", [license.file]) if is_string(license.file)
else := "Code in the project"

# A license scanner writes one license per finding, as an SPDX id or a name ("GPLv3+"), or
# now and then an expression; each is weighed as an SBOM's license entry would be.
_scanned_denied(name) if lib.denied_license({"name": name})

_scanned_denied(name) if lib.denied_expression(name)

# METADATA
# title: An SBOM is present
# description: >-
#   This project requires a software bill of materials (sbom.required), and no CycloneDX or
#   SPDX document was found among the CI artifacts, so licenses and components cannot be
#   checked.
# custom:
#   severity: MEDIUM
#   remediation: Generate a CycloneDX SBOM in the build and keep it with the CI artifacts.
deny_missing contains finding if {
	lib.settings.sbom.required == true
	not _has_sbom
	finding := {
		"msg": "No SBOM (CycloneDX or SPDX) was found among the CI artifacts, and this project requires one",
		"id": "sbom-missing",
		"severity": "MEDIUM",
		"remediation": concat("", [
			"Generate a CycloneDX SBOM in the build and keep it with the CI artifacts: ",
			"Maven `mvn org.cyclonedx:cyclonedx-maven-plugin:makeAggregateBom`, ",
			"npm `npx @cyclonedx/cyclonedx-npm --output-file bom.json`, ",
			"Python `cyclonedx-py environment --output-file bom.json`, ",
			"any folder `trivy fs --format cyclonedx --output bom.json .` ",
			"or `syft dir:. -o cyclonedx-json=bom.json`",
		]),
	}
}

# METADATA
# title: The SBOM lists components
# description: >-
#   An SBOM was read, but it lists no component: it was generated before the dependencies
#   were installed, from another folder than the project's, or by a generator that does not
#   know the project's package manager. No license could be checked, so the SBOM says nothing
#   about the change.
# custom:
#   severity: MEDIUM
#   remediation: Generate the SBOM from the built project, where its lock file or installed dependencies are.
warn_empty contains finding if {
	_has_sbom
	count(input.components) == 0
	finding := {
		"msg": "The SBOM lists no component, so no license was checked: it says nothing about this change's dependencies",
		"id": "sbom-empty",
		"severity": "MEDIUM",
		"remediation": concat("", [
			"Generate the SBOM after the dependencies are installed, from the project's folder (where its lock file is), ",
			"with a generator that knows its package manager: ",
			"`trivy fs --format cyclonedx --output bom.json .`, `syft dir:. -o cyclonedx-json=bom.json`, ",
			"or the CycloneDX plugin of the build tool; if the project has no dependency at all, waive this by its id",
		]),
	}
}

_has_sbom if {
	some source in input.sources
	source.kind in {"cyclonedx", "spdx"}
}

# SBOMs repeat a handful of license entries over thousands of components, and weighing one
# (an SPDX expression above all) is the costly part: each distinct entry is weighed once, and
# only the components holding a denied one are looked at closely.
_denied := {license |
	some license in {entry | some component in input.components; some entry in component.licenses}
	lib.denied_license(license)
}

_suspects contains i if {
	some i, component in input.components
	some license in component.licenses
	license in _denied
}

# The license entries a component is judged by: the concluded ones when the SBOM has any
# (SPDX licenseConcluded, CycloneDX acknowledgement "concluded": someone reviewed them), else
# all of them. Every entry judged applies, so one denied entry is enough: a choice between
# licenses is written as one OR expression, which denied_expression weighs.
_judged(component) := concluded if {
	concluded := [license | some license in component.licenses; license.acknowledgement == "concluded"]
	count(concluded) > 0
} else := component.licenses
