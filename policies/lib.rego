# Shared helpers of verdict's built-in pack (docs/policy.md).
#
# What lives here: the pack's settings (data.verdict.config merged over the defaults), the
# result objects every rule returns, SPDX license checks, and the small formatters that keep
# messages readable. The rule packages (verdict.tests, verdict.vulnerabilities, …) import this
# one and hold no shared logic of their own.
#
# This package defines no deny/warn/violation rule, so evaluating it as a namespace finds
# nothing. Everything is deterministic given input and data: no clock, no network.
package verdict.lib

import rego.v1

# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------

# The defaults of every knob, as documented in docs/policy.md. verdict passes only the knobs
# that verdict.yaml sets (and `--data` files or tests may set only some), so each knob that is
# absent falls back to its value here.
defaults := {
	"tests": {"flaky": "warn"},
	"vulnerabilities": {"severities": ["CRITICAL", "HIGH"], "unfixed": "warn", "unknown_severity": "warn"},
	"misconfigurations": {"severities": ["CRITICAL", "HIGH"], "unknown_severity": "warn"},
	"secrets": {"severities": ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "UNKNOWN"]},
	"sbom": {
		"required": false,
		# Strong and network copyleft. LGPL and MPL are weak copyleft and stay allowed.
		"denied_licenses": [
			"AGPL-1.0", "AGPL-1.0-only", "AGPL-1.0-or-later",
			"AGPL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later",
			"GPL-1.0", "GPL-1.0-only", "GPL-1.0-or-later",
			"GPL-2.0", "GPL-2.0-only", "GPL-2.0-or-later",
			"GPL-3.0", "GPL-3.0-only", "GPL-3.0-or-later",
			"SSPL-1.0", "EUPL-1.1", "EUPL-1.2", "OSL-3.0", "CPAL-1.0", "RPSL-1.0", "Sleepycat",
		],
	},
	"cost": {"budget_usd": null},
}

# settings is data.verdict.config over the defaults, section by section. Inside a section a
# knob that is set replaces its default (a list replaces the whole default list); a section
# that is absent, or is not an object, keeps all its defaults.
settings := {name: _section(name, knobs) | some name, knobs in defaults}

_section(name, knobs) := object.union(knobs, data.verdict.config[name]) if {
	is_object(data.verdict.config[name])
} else := knobs

# level(knob) is what a class of findings is: "fail", "warn" or "ignore". Any other value
# fails: a misspelt knob must never quietly weaken the gate.
level(knob) := lower(knob) if {
	is_string(knob)
	lower(knob) in {"fail", "warn", "ignore"}
} else := "fail"

# severity_set(list) is a configured list of severities as a set of upper-case words, so that
# "critical" in a data file blocks as CRITICAL does.
severity_set(list) := {upper(severity) | some severity in list; is_string(severity)}

# ---------------------------------------------------------------------------------------------
# Result objects and text
# ---------------------------------------------------------------------------------------------

# result(fields) is a finding: the fields without those the evidence left null. The contract's
# fields are optional (msg aside), and a `"file": null` would only get in the way of waivers
# that match by path.
result(fields) := {key: value | some key, value in fields; value != null}

# text(parts) joins the parts that are strings and skips the rest, so that a message can name
# optional evidence (a title, a file) inline: text(["Check ", id, part(" on ", resource, "")]).
text(parts) := concat("", [piece | some piece in parts; is_string(piece)])

# part(before, value, after) is value with its surrounding words, or null when the value is
# null, so that text() leaves the whole phrase out.
# (else := null keeps part() defined: an undefined element would make the whole list given to
# text() undefined, and the finding with it.)
part(before, value, after) := sprintf("%s%v%s", [before, value, after]) if value != null
else := null

# first(values) is the first string among values, or null.
first(values) := found[0] if {
	found := [value | some value in values; is_string(value)]
	count(found) > 0
} else := null

# oneline(value) is the first line of a text copied from an artifact, cut to 200 characters:
# a stack trace or a long assertion diff must not flood a one-line message. null for null and
# for blank text, so that no message ends in an empty ": ".
oneline(value) := cut(line, 200) if {
	is_string(value)
	line := trim_space(_first_line(trim_space(value)))
	line != ""
} else := null

# (indexof rather than split: a stack trace of a thousand lines need not be cut into a
# thousand strings to keep the first.)
_first_line(text) := substring(text, 0, end) if {
	end := indexof(text, "\n")
	end >= 0
} else := text

# cut(value, n) is value cut to n characters, the last one an ellipsis. It compares substrings
# rather than count(value), whose unit (code points or UTF-16 units) differs between engines.
cut(value, n) := value if substring(value, 0, n) == value
else := concat("", [substring(value, 0, n - 1), "…"])

# usd(amount) is "$41.50". Cents are rounded once and printed as integers: sprintf's %.2f
# prints a whole amount such as 40 as "%!f(int=40)" in OPA, and rounding at cents keeps
# 0.1 + 0.2 from printing as 0.30000000000000004.
usd(amount) := sprintf("%s$%d.%02d", [_minus(amount), floor(cents / 100), cents % 100]) if {
	cents := round(abs(amount) * 100)
}

# percent(share, whole) is share as a percentage of whole with one decimal ("3.8%"), for
# positive numbers; null when whole is 0.
percent(share, whole) := sprintf("%d.%d%%", [floor(tenths / 10), tenths % 10]) if {
	whole != 0
	tenths := round((share * 1000) / whole)
} else := null

_minus(amount) := "-" if amount < 0
else := ""

# ---------------------------------------------------------------------------------------------
# Licenses (SPDX)
# ---------------------------------------------------------------------------------------------

# denied_licenses is sbom.denied_licenses as the license versions it denies (below): SPDX ids
# are case-insensitive, and one listed spelling of a version denies all of them.
denied_licenses := {version |
	some id in settings.sbom.denied_licenses
	is_string(id)
	some version in _versions(id)
}

# denied_id(id) holds for a single SPDX license id that is denied. Ids are compared whole,
# never as substrings: LGPL-2.1-only is not GPL-2.1-only, and AGPL is denied because it is
# listed, not because its name contains GPL.
#
# What is compared is license versions, whatever the spelling. GPL-3.0, GPL-3.0-only and the
# deprecated GPL-3.0 that tools still write are one version; GPL-2.0-with-classpath-exception
# is GPL-2.0 WITH an exception, which is still GPL-2.0. "or later" (GPL-2.0-or-later, GPL-2.0+)
# is every version from that one on, in the GNU families whose versions are known (GPL 1.0,
# 2.0, 3.0; LGPL 2.0, 2.1, 3.0; AGPL 1.0, 3.0; GFDL 1.1, 1.2, 1.3): such a component is denied
# when all of them are, since it may be used under any of them. So a list of GPL-3.0-only
# denies GPL-3.0-or-later (no later GPL exists), and one of GPL-2.0-only does not deny
# GPL-2.0-or-later (it may be used under GPL-3.0). Listed, an "or later" id denies every
# version from its own on.
denied_id(id) if {
	is_string(id)
	every version in _versions(id) {
		version in denied_licenses
	}
}

# _versions(id) is the set of license versions an id stands for: `gpl-2.0` for GPL-2.0-only,
# GPL-2.0 and GPL-2.0-with-classpath-exception; `gpl-2.0` and `gpl-3.0` for GPL-2.0-or-later
# and GPL-2.0+; the id itself, lower-case, for a license without versions or outside the
# families above.
_versions(id) := {sprintf("%s-%s", [family, v]) | some v in array.slice(ladder, i, count(ladder))} if {
	clean := _clean_id(id)
	_or_later(clean)
	[family, version] := _family_version(_base_id(clean))
	ladder := _ladders[family]
	some i
	ladder[i] == version
} else := {_base_id(_clean_id(id))}

_ladders := {
	"gpl": ["1.0", "2.0", "3.0"],
	"lgpl": ["2.0", "2.1", "3.0"],
	"agpl": ["1.0", "3.0"],
	"gfdl": ["1.1", "1.2", "1.3"],
}

_clean_id(id) := regex.replace(lower(trim_space(id)), `-with-[a-z0-9.-]+-exception$`, "")

_or_later(clean) if endswith(clean, "+")

_or_later(clean) if endswith(clean, "-or-later")

_base_id(clean) := regex.replace(clean, `(\+|-only|-or-later)$`, "")

# ["gpl", "2.0"] of gpl-2.0.
_family_version(base) := [m[1], m[2]] if {
	some m in regex.find_all_string_submatch_n(`^(.+)-([0-9]+(?:\.[0-9]+)*)$`, base, 1)
}

# denied_expression(expression) holds when every way to comply with an SPDX license
# expression uses a denied license. "MIT OR GPL-3.0-only" can be used under MIT and passes;
# "GPL-2.0-or-later WITH Classpath-exception-2.0" and "Apache-2.0 AND GPL-3.0-only" do not.
#
# How: each license becomes T (allowed) or F (denied), AND becomes &, OR becomes |, and a WITH
# exception is dropped (it grants an extra permission on the license before it; the license
# still applies). The formula is reduced group by group, innermost parentheses first, AND
# binding tighter than OR as SPDX says; the expression is denied when it reduces to F.
#
# An expression that cannot be reduced (unbalanced parentheses, or nested deeper than four
# levels) reduces to F: it is denied when it names a denied license at all. Only an expression
# that names a denied license can be denied.
denied_expression(expression) if {
	is_string(expression)
	words := _words(expression)
	some word in words
	_denied_word(word)
	_reduce(concat("", [symbol | some i, _ in words; symbol := _symbol(words, i)])) == "F"
}

# denied_license(license) holds for a component's license entry (the evidence sets exactly
# one of id, name and expression) that is denied. A name is not an SPDX id: it is denied when
# it is written as a denied id ("GPL-3.0-only" put in the name field by a tool), or when it is
# one of the names package managers give the GNU licenses (below) for a denied id.
denied_license(license) if denied_id(license.id)

denied_license(license) if denied_id(license.name)

denied_license(license) if denied_id(_named(license.name))

# A name written as an SPDX expression ("GPL-2.0-or-later WITH distribution-exception", as
# Trivy writes some) is judged as one: ids joined by upper-case AND, OR and WITH. Free text
# ("MIT License OR GPL-2.0", "CDDL + GPLv2 with classpath exception") is not an expression, and
# is judged as a name only.
denied_license(license) if {
	is_string(license.name)
	regex.match(`^\(*[A-Za-z0-9.+-]+\)*( (AND|OR|WITH) \(*[A-Za-z0-9.+-]+\)*)+$`, trim_space(license.name))
	denied_expression(license.name)
}

# license_names maps the names RPM and Debian packages, Maven POMs and SBOM tools write for
# the GNU licenses (bash's "GPLv3+" in a CentOS image's SBOM) to the SPDX id they stand for,
# keyed by the name in lower case with runs of spaces and commas made one space. A name not
# listed is compared as an id only. "GPL" without a version is any version: GPL-1.0-or-later.
license_names := {
	"gpl": "GPL-1.0-or-later",
	"gpl+": "GPL-1.0-or-later",
	"gplv1": "GPL-1.0-only",
	"gplv1+": "GPL-1.0-or-later",
	"gplv2": "GPL-2.0-only",
	"gplv2+": "GPL-2.0-or-later",
	"gpl v2": "GPL-2.0-only",
	"gpl v2+": "GPL-2.0-or-later",
	"gpl-2": "GPL-2.0-only",
	"gpl-2+": "GPL-2.0-or-later",
	"gpl2": "GPL-2.0-only",
	"gplv3": "GPL-3.0-only",
	"gplv3+": "GPL-3.0-or-later",
	"gpl v3": "GPL-3.0-only",
	"gpl v3+": "GPL-3.0-or-later",
	"gpl-3": "GPL-3.0-only",
	"gpl-3+": "GPL-3.0-or-later",
	"gpl3": "GPL-3.0-only",
	"gnu gpl v2": "GPL-2.0-only",
	"gnu gpl v3": "GPL-3.0-only",
	"gnu gplv2": "GPL-2.0-only",
	"gnu gplv3": "GPL-3.0-only",
	"gnu general public license": "GPL-1.0-or-later",
	"gnu general public license v2": "GPL-2.0-only",
	"gnu general public license v2.0": "GPL-2.0-only",
	"gnu general public license v2.0 only": "GPL-2.0-only",
	"gnu general public license v2.0 or later": "GPL-2.0-or-later",
	"gnu general public license v2 or later": "GPL-2.0-or-later",
	"gnu general public license version 2": "GPL-2.0-only",
	"gnu general public license version 2.0": "GPL-2.0-only",
	"gnu general public license version 2 or later": "GPL-2.0-or-later",
	"gnu general public license v3": "GPL-3.0-only",
	"gnu general public license v3.0": "GPL-3.0-only",
	"gnu general public license v3.0 only": "GPL-3.0-only",
	"gnu general public license v3.0 or later": "GPL-3.0-or-later",
	"gnu general public license v3 or later": "GPL-3.0-or-later",
	"gnu general public license version 3": "GPL-3.0-only",
	"gnu general public license version 3.0": "GPL-3.0-only",
	"gnu general public license version 3 or later": "GPL-3.0-or-later",
	"gnu general public license (gpl)": "GPL-1.0-or-later",
	"the gnu general public license v3.0": "GPL-3.0-only",
	"the gnu general public license version 2": "GPL-2.0-only",
	"agpl": "AGPL-3.0-only",
	"agplv3": "AGPL-3.0-only",
	"agplv3+": "AGPL-3.0-or-later",
	"agpl v3": "AGPL-3.0-only",
	"agpl-3": "AGPL-3.0-only",
	"agpl-3+": "AGPL-3.0-or-later",
	"agpl3": "AGPL-3.0-only",
	"gnu agplv3": "AGPL-3.0-only",
	"gnu affero general public license": "AGPL-3.0-only",
	"gnu affero general public license v3": "AGPL-3.0-only",
	"gnu affero general public license v3.0": "AGPL-3.0-only",
	"gnu affero general public license v3.0 only": "AGPL-3.0-only",
	"gnu affero general public license v3.0 or later": "AGPL-3.0-or-later",
	"gnu affero general public license v3 or later": "AGPL-3.0-or-later",
	"gnu affero general public license version 3": "AGPL-3.0-only",
}

_name_key(name) := regex.replace(lower(trim_space(name)), `[\s,]+`, " ") if is_string(name)

# _named(name) is the SPDX id of a license name of the table, also when dashes or underscores
# stand for its spaces, as in Trivy's SBOMs ("GNU-Affero-General-Public-License-v3.0").
_named(name) := id if {
	id := license_names[_name_key(name)]
} else := license_names[regex.replace(lower(trim_space(name)), `[\s,_-]+`, " ")] if is_string(name)

# _denied_word(word) holds for a word of an expression that names a denied license: an SPDX id,
# or a name of the table written where an id belongs (cyclonedx-py writes PyPI's
# `License: GPL` as the expression "GPL").
_denied_word(word) if denied_id(word)

_denied_word(word) if denied_id(_named(word))

denied_license(license) if denied_expression(license.expression)

# license_text(license) is the license entry as written: its id, name or expression.
license_text(license) := first([license.id, license.expression, license.name])

_words(expression) := [word |
	some word in regex.split(`\s+`, trim_space(replace(replace(expression, "(", " ( "), ")", " ) ")))
	word != ""
]

# The symbol of words[i]; undefined for WITH and the exception after it.
_symbol(words, i) := _token(words[i]) if {
	upper(words[i]) != "WITH"
	not _after_with(words, i)
}

_after_with(words, i) if upper(words[i - 1]) == "WITH"

_token(word) := "&" if upper(word) == "AND"
else := "|" if upper(word) == "OR"
else := word if word in {"(", ")"}
else := "F" if _denied_word(word)
else := "T"

# Four passes reduce four levels of parentheses (licenses in the wild use one or two). A
# parenthesis left after them means the expression could not be read, which fails closed.
_reduce(formula) := _flat(reduced) if {
	reduced := _groups(_groups(_groups(_groups(formula))))
	not regex.match(`[()]`, reduced)
} else := "F"

# _groups(formula) replaces every innermost parenthesised group by its value. Replacing one
# group can only expose an enclosing group, never change another, so the order in which the
# engine applies the replacements does not change the result.
_groups(formula) := strings.replace_n(
	{group: _flat(trim(group, "()")) | some group in regex.find_n(`\([^()]*\)`, formula, -1)},
	formula,
)

# _flat(formula) is the value of a formula without parentheses: T when some OR alternative is
# made only of allowed licenses.
_flat(formula) := "T" if {
	some alternative in split(formula, "|")
	every atom in split(alternative, "&") {
		atom == "T"
	}
} else := "F"
