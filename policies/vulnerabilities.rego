# Built-in pack: known vulnerabilities (input.vulnerabilities, from Trivy).
#
# A vulnerability of a blocking severity (vulnerabilities.severities, CRITICAL and HIGH by
# default) fails the gate when a fixed version exists: it is the cheapest risk to remove. One
# without a fix is what vulnerabilities.unfixed says, a warning by default: usually there is
# nothing the team can do about it today.
#
# One finding per evidence record. The evidence already keeps the same advisory in two
# lockfiles (or in the image and in a lockfile) apart, each with its own fingerprint, and this
# pack does not merge them: a waiver then accepts exactly the place that was reviewed, and a
# new lockfile that pulls the same package in is reported again. Grouping them for reading
# (same id, package and version) is the reports' job.
package verdict.vulnerabilities

import data.verdict.lib
import rego.v1

# METADATA
# title: No fixable vulnerability of a blocking severity
# description: >-
#   A known vulnerability with a fixed version available is the cheapest risk to remove:
#   upgrading the package removes it.
# custom:
#   severity: HIGH
#   remediation: Upgrade the package to a fixed version.
deny_fixable contains finding if {
	some vuln in _blocking
	fixes := _fixes(vuln)
	count(fixes) > 0
	finding := _finding(vuln, _upgrade(vuln, fixes))
}

# METADATA
# title: No vulnerability of a blocking severity, even without a fix
# description: >-
#   A vulnerability of a blocking severity has no fixed version yet; this project's
#   vulnerabilities.unfixed setting makes it a failure.
# custom:
#   severity: HIGH
#   remediation: Remove or replace the package, or apply the advisory's workaround.
deny_unfixed contains finding if {
	lib.level(lib.settings.vulnerabilities.unfixed) == "fail"
	some finding in _unfixed
}

# METADATA
# title: Vulnerability without a fix
# description: >-
#   A vulnerability of a blocking severity has no fixed version yet. It does not block,
#   because usually nothing can be done today, but it is shown so that it is not forgotten.
# custom:
#   severity: HIGH
#   remediation: Watch the advisory and upgrade as soon as a fix ships.
warn_unfixed contains finding if {
	lib.level(lib.settings.vulnerabilities.unfixed) == "warn"
	some finding in _unfixed
}

_unfixed contains finding if {
	some vuln in _blocking
	count(_fixes(vuln)) == 0
	finding := _finding(vuln, _no_fix(vuln))
}

# verdict evaluates this first and gives the rules of this file only the vulnerabilities of
# these severities (policies/README.md): every rule here starts from _blocking.
_severities := lib.severity_set(lib.settings.vulnerabilities.severities)

# The vulnerabilities of a blocking severity, picked out once for both rules above. The
# evidence's severities are already upper-case words (docs/evidence.md), and this runs once
# per record: a builtin call more here costs milliseconds at twenty thousand records.
_blocking := [vuln |
	some vuln in input.vulnerabilities
	vuln.severity in _severities
]

# The fixed versions; a record without the list (it is never null in the evidence) has none.
_fixes(vuln) := vuln.fixed_versions if is_array(vuln.fixed_versions)
else := []

_finding(vuln, remediation) := lib.result({
	"msg": lib.text([
		sprintf("%s vulnerability %s in %s", [vuln.severity, vuln.id, vuln.package.name]),
		lib.part(" ", vuln.package.version, ""),
		lib.part(" (", vuln.target, ")"),
		lib.part(": ", object.get(_titles, vuln.title, null), ""),
	]),
	"id": vuln.id,
	"severity": vuln.severity,
	"fingerprint": vuln.fingerprint,
	"purl": vuln.package.purl,
	"file": object.get(_files, vuln.target, null),
	"url": vuln.url,
	"remediation": remediation,
})

# "Upgrade org.springframework:spring-beans 5.3.15 → 5.3.18 (or 5.2.20) in app/lib/…jar",
# and for a package of the operating system, how that is done in an image.
_upgrade(vuln, fixes) := lib.text([
	"Upgrade ", vuln.package.name,
	lib.part(" ", vuln.package.version, ""),
	" → ", choice[0],
	choice[1],
	lib.part(" in ", _where(vuln), ""),
	_os_hint(vuln.package),
]) if {
	choice := _choice(vuln.package.version, fixes)
}

# [the fix to suggest first, the others as " (or …)" or null]. Most advisories list one fix,
# and that case is decided without comparing release lines: a user function call costs the
# interpreter microseconds, and this runs once per finding.
_choice(installed, fixes) := [fixes[0], null] if count(fixes) == 1
else := [preferred, sprintf(" (or %s)", [concat(", ", others)])] if {
	preferred := _preferred_fix(installed, fixes)
	others := [fix | some fix in fixes; fix != preferred]
	count(others) > 0
} else := [fixes[0], null]

# The fix to suggest first: one in the installed version's release line when the scanner
# lists several (5.3.15 → 5.3.18 rather than 5.2.20), else the first one listed.
_preferred_fix(installed, fixes) := same_line[0] if {
	is_string(installed)
	line := _release_line(installed)
	same_line := [fix | some fix in fixes; _release_line(fix) == line]
	count(same_line) > 0
} else := fixes[0]

# "5.3" for 5.3.15: the first two dot-separated parts.
_release_line(version) := concat(".", array.slice(split(version, "."), 0, 2))

# Where the package sits: the jar or binary inside the image, else the lockfile or image.
_where(vuln) := vuln.package.path if is_string(vuln.package.path)
else := vuln.target if is_string(vuln.target)
else := null

# Packages of the operating system (Debian, Alpine, RPM-based distributions) come with the
# base image, so the fix is a rebuild on a newer base rather than a lockfile change.
_os_hint(pkg) := _rebuild_hint if {
	is_string(pkg.purl)
	strings.any_prefix_match(pkg.purl, ["pkg:deb/", "pkg:apk/", "pkg:rpm/"])
} else := _rebuild_hint if {
	pkg.type in _os_types
} else := null

_rebuild_hint := ": rebuild the image from an updated base image, or upgrade the package in its Dockerfile"

_os_types := {
	"alma", "alpine", "amazon", "azurelinux", "cbl-mariner", "centos", "chainguard", "debian",
	"fedora", "oracle", "photon", "redhat", "rocky", "suse", "ubuntu", "wolfi",
}

# What to do when there is no fix, by the advisory's status.
_no_fix(vuln) := lib.text([_no_fix_advice(vuln), lib.part("; advisory: ", vuln.url, "")])

_no_fix_advice(vuln) := sprintf(
	"The maintainers will not fix %s in %s: replace the package (or the base image), remove it if unused, or accept the risk with a waiver",
	[vuln.id, _package(vuln)],
) if {
	vuln.status == "will_not_fix"
} else := sprintf(
	"%s has reached its end of life and gets no fix for %s: move to a supported version (or base image)",
	[_package(vuln), vuln.id],
) if {
	vuln.status == "end_of_life"
} else := sprintf(
	"No fixed version of %s exists yet for %s: apply the advisory's workaround if there is one, remove the package if unused, and upgrade when a fix ships",
	[_package(vuln), vuln.id],
)

# "perl-base 5.36.0-7+deb12u1".
_package(vuln) := lib.text([vuln.package.name, lib.part(" ", vuln.package.version, "")])

# Each target's file and each title's first line, worked out once rather than once per finding:
# a scan has a few dozen targets, and one advisory's title recurs in every package it affects.
_files := {target: _lockfile(target) | some target in {vuln.target | some vuln in _blocking}}

_titles := {title: lib.oneline(title) | some title in {vuln.title | some vuln in _blocking}}

# The scanned lockfile as the finding's file, so that waivers can match by path
# (`services/legacy/**`). A target that is not a file (an image with its OS, or a language
# such as "Java" or "Node.js" in an image) gives no file.
_lockfile(target) := target if {
	is_string(target)
	regex.match(`^[^\s]+$`, target)
	regex.match(`(/|\.(json|lock|lockfile|toml|txt|mod|sum|xml|ya?ml|gradle|kts|csproj|props|config|cfg|gemspec)$)`, target)
} else := null
