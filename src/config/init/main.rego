# Your team's rules, evaluated by verdict next to its built-in pack.
#
# Policies read the evidence document as `input` (docs/evidence.md: input.tests,
# input.vulnerabilities, input.components, input.custom.NAME, ...) and follow conftest's
# conventions (docs/policy.md): `deny` and `violation` fail the gate, `warn` warns. A result
# is a string or an object: {msg, id, severity, remediation, fingerprint, purl, file, ...}.
# The tests are in main_test.rego.
package main

# METADATA
# title: Tests ran
# description: A pipeline that reports no test results has not shown that the change works.
# custom:
#   severity: HIGH
#   remediation: Make the test step write JUnit XML where verdict looks (for example `pytest --junitxml=reports/junit.xml`, or Maven Surefire's target/surefire-reports/) and keep it for this job.
deny contains finding if {
	input.tests.totals.total == 0
	finding := {
		"msg": "no test results were found: the tests did not run, or their JUnit report is not where verdict looks",
		"id": "tests-ran",
	}
}

# METADATA
# title: Components come from approved registries
# description: A package from an unexpected registry is often a vendored copy or a look-alike of a known package.
# custom:
#   severity: MEDIUM
#   remediation: Take the package from an approved registry, or, once reviewed, add its type to `approved_package_types` in the policy data.
warn contains finding if {
	some component in input.components
	kind := package_type(component.purl)
	not kind in approved_package_types
	finding := {
		"msg": sprintf("%s comes from a registry that is not approved (%s)", [component.name, kind]),
		"id": sprintf("unapproved-registry/%s", [kind]),
		"purl": component.purl,
		"fingerprint": component.fingerprint,
	}
}

# Package URL types (pkg:TYPE/...) that may appear in the SBOM. Set your own list as
# `approved_package_types` in verdict.yaml's `data.values` or in a data file.
default approved_package_types := [
	"apk", "cargo", "deb", "gem", "generic", "github", "golang",
	"maven", "npm", "nuget", "oci", "pypi", "rpm",
]

approved_package_types := data.approved_package_types

package_type(purl) := kind if {
	is_string(purl)
	startswith(purl, "pkg:")
	kind := split(trim_prefix(purl, "pkg:"), "/")[0]
}
