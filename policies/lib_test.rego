package verdict.lib_test

import data.verdict.lib
import rego.v1

# Settings ------------------------------------------------------------------------------------

test_settings_are_the_defaults_without_config if {
	lib.settings == lib.defaults
}

test_settings_are_the_defaults_with_empty_config if {
	lib.settings == lib.defaults with data.verdict.config as {}
}

test_a_knob_that_is_set_replaces_only_its_default if {
	settings := lib.settings with data.verdict.config as {"tests": {"flaky": "fail"}}
	settings.tests.flaky == "fail"
	settings.vulnerabilities == lib.defaults.vulnerabilities
	settings.sbom.required == false
}

test_other_knobs_of_a_section_keep_their_defaults if {
	settings := lib.settings with data.verdict.config as {"vulnerabilities": {"unfixed": "fail"}}
	settings.vulnerabilities == {"severities": ["CRITICAL", "HIGH"], "unfixed": "fail", "unknown_severity": "warn"}
}

test_a_list_replaces_the_default_list if {
	settings := lib.settings with data.verdict.config as {"sbom": {"denied_licenses": ["MIT"]}}
	settings.sbom.denied_licenses == ["MIT"]
	settings.sbom.required == false
}

test_a_section_that_is_not_an_object_keeps_its_defaults if {
	settings := lib.settings with data.verdict.config as {"tests": "fail", "cost": null}
	settings.tests == {"flaky": "warn"}
	settings.cost == {"budget_usd": null}
}

test_level_reads_the_three_words_in_any_case if {
	lib.level("fail") == "fail"
	lib.level("warn") == "warn"
	lib.level("ignore") == "ignore"
	lib.level("WARN") == "warn"
}

test_level_fails_closed_on_anything_else if {
	lib.level("wran") == "fail"
	lib.level("") == "fail"
	lib.level(null) == "fail"
	lib.level(true) == "fail"
}

test_severity_set_is_upper_case if {
	lib.severity_set(["critical", "High", 3]) == {"CRITICAL", "HIGH"}
}

# Result objects and text ---------------------------------------------------------------------

test_result_drops_null_fields if {
	lib.result({"msg": "m", "file": null, "line": 0, "purl": ""}) == {"msg": "m", "line": 0, "purl": ""}
}

test_text_skips_what_is_not_a_string if {
	lib.text(["a", null, "b", 3]) == "ab"
}

test_part_wraps_a_value_or_is_null if {
	lib.part(" (", "x", ")") == " (x)"
	lib.part(" line ", 12, "") == " line 12"
	lib.part(" (", null, ")") == null
}

test_first_is_the_first_string if {
	lib.first([null, "b", "c"]) == "b"
	lib.first([null, 1]) == null
	lib.first([]) == null
}

test_oneline_keeps_the_first_line if {
	lib.oneline("  first line\nsecond line\n") == "first line"
	lib.oneline("\nafter a blank start") == "after a blank start"
	lib.oneline(null) == null
	lib.oneline(" \n ") == null
}

test_oneline_cuts_long_text if {
	long := concat("", [x | some _ in numbers.range(1, 30); x := "0123456789"])
	shortened := lib.oneline(long)
	shortened == concat("", [substring(long, 0, 199), "…"])
}

test_cut_keeps_short_text if {
	lib.cut("short", 200) == "short"
	lib.cut("exactly", 7) == "exactly"
	lib.cut("exactly", 6) == "exact…"
}

test_usd_prints_cents if {
	lib.usd(0) == "$0.00"
	lib.usd(40) == "$40.00"
	lib.usd(41.5) == "$41.50"
	lib.usd(1234.567) == "$1234.57"
	lib.usd(0.07) == "$0.07"
	lib.usd(-3.5) == "-$3.50"
}

test_percent_has_one_decimal if {
	lib.percent(1.5, 40) == "3.8%"
	lib.percent(5, 40) == "12.5%"
	lib.percent(40, 40) == "100.0%"
	lib.percent(1, 0) == null
}

# Licenses ------------------------------------------------------------------------------------

test_denied_ids_are_compared_whole if {
	lib.denied_id("GPL-3.0-only")
	not lib.denied_id("LGPL-3.0-only")
	not lib.denied_id("LGPL-2.1-only")
	not lib.denied_id("GPL")
	not lib.denied_id("GPL-3.0-only-ish")
	not lib.denied_id(null)
}

test_denied_ids_ignore_case_and_spaces if {
	lib.denied_id("gpl-3.0-only")
	lib.denied_id(" AGPL-3.0-or-later ")
}

test_deprecated_spellings_name_their_license if {
	lib.denied_id("GPL-2.0+")
	lib.denied_id("GPL-2.0-with-classpath-exception")
	lib.denied_id("GPL-3.0-with-GCC-exception")
	not lib.denied_id("LGPL-2.1+")
}

# One listed spelling of a license version denies every other: the deprecated id (which
# cyclonedx-py writes for `License: GPL-3.0`), `-only`, `-or-later` and `+`. A list of `-only`
# ids, as a team writes it from the SPDX list, still denies "GPL-3.0 or later".
test_a_listed_version_denies_each_of_its_spellings if {
	only := {"sbom": {"denied_licenses": ["GPL-3.0-only", "AGPL-3.0-only"]}}
	lib.denied_id("GPL-3.0-or-later") with data.verdict.config as only
	lib.denied_id("AGPL-3.0-or-later") with data.verdict.config as only
	lib.denied_id("GPL-3.0") with data.verdict.config as only
	lib.denied_id("gpl-3.0+") with data.verdict.config as only
	lib.denied_expression("MIT AND AGPL-3.0-or-later") with data.verdict.config as only
	not lib.denied_id("GPL-2.0-or-later") with data.verdict.config as only
	not lib.denied_id("LGPL-3.0-or-later") with data.verdict.config as only
	# "Or later" may be used under a later version: denied only when every later one is.
	two := {"sbom": {"denied_licenses": ["GPL-2.0-only", "LGPL-2.1-only"]}}
	lib.denied_id("GPL-2.0-only") with data.verdict.config as two
	not lib.denied_id("GPL-2.0-or-later") with data.verdict.config as two
	not lib.denied_id("LGPL-2.1-or-later") with data.verdict.config as two
	not lib.denied_expression("GPL-2.0-only OR GPL-3.0-only") with data.verdict.config as two
	lib.denied_id("GPL-2.0-or-later") with data.verdict.config as {"sbom": {"denied_licenses": ["GPL-2.0-or-later"]}}
	lib.denied_id("GPL-3.0-only") with data.verdict.config as {"sbom": {"denied_licenses": ["GPL-2.0+"]}}
	deprecated := {"sbom": {"denied_licenses": ["GPL-3.0", "GPL-2.0"]}}
	lib.denied_id("GPL-3.0-only") with data.verdict.config as deprecated
	lib.denied_id("GPL-2.0-or-later") with data.verdict.config as deprecated
	lib.denied_id("GPL-2.0+") with data.verdict.config as deprecated
}

# A name of the table is judged where an id belongs too: cyclonedx-py writes PyPI's
# `License: GPL` as the expression "GPL", and Trivy's SBOMs write names with dashes for spaces.
test_names_in_expressions_and_with_dashes_are_judged if {
	lib.denied_license({"id": null, "name": null, "expression": "GPL"})
	lib.denied_license({"id": null, "name": null, "expression": "AGPLv3"})
	lib.denied_license({"id": null, "name": null, "expression": "GPLv2+ AND MIT"})
	not lib.denied_license({"id": null, "name": null, "expression": "GPLv3 OR MIT"})
	not lib.denied_license({"id": null, "name": null, "expression": "LGPL"})
	lib.denied_license({"id": null, "name": "GNU-Affero-General-Public-License-v3.0", "expression": null})
	lib.denied_license({"id": null, "name": "GNU_General_Public_License_v2.0", "expression": null})
	not lib.denied_license({"id": null, "name": "GNU-Lesser-General-Public-License-v2.1", "expression": null})
}

test_a_name_written_as_an_expression_is_judged_as_one if {
	lib.denied_license({"id": null, "name": "GPL-2.0-or-later WITH distribution-exception", "expression": null})
	not lib.denied_license({"id": null, "name": "GPL-2.0-only OR MIT", "expression": null})
	not lib.denied_license({"id": null, "name": "Apache License 2.0", "expression": null})
	# Free text is not an expression: a dual license written in words is not denied for it.
	not lib.denied_license({"id": null, "name": "MIT License OR GPL-2.0", "expression": null})
	not lib.denied_license({"id": null, "name": "CDDL + GPLv2 with classpath exception", "expression": null})
}

test_only_listed_ids_are_denied if {
	not lib.denied_id("AGPL-3.0-only") with data.verdict.config as {"sbom": {"denied_licenses": ["GPL-3.0-only"]}}
	lib.denied_id("GPL-3.0-only") with data.verdict.config as {"sbom": {"denied_licenses": ["GPL-3.0-only"]}}
}

test_an_or_with_an_allowed_alternative_is_allowed if {
	not lib.denied_expression("MIT OR GPL-3.0-only")
	not lib.denied_expression("GPL-3.0-only OR MIT")
	not lib.denied_expression("mit or gpl-3.0-only")
}

test_with_keeps_the_license_it_extends if {
	lib.denied_expression("GPL-2.0-or-later WITH Classpath-exception-2.0")
	not lib.denied_expression("Apache-2.0 WITH LLVM-exception")
	not lib.denied_expression("GPL-2.0-or-later WITH Classpath-exception-2.0 OR MIT")
}

test_an_and_with_a_denied_license_is_denied if {
	lib.denied_expression("Apache-2.0 AND GPL-3.0-only")
	not lib.denied_expression("Apache-2.0 AND BSD-3-Clause")
}

test_and_binds_tighter_than_or if {
	# MIT OR (GPL AND Apache): MIT alone is a way out.
	not lib.denied_expression("MIT OR GPL-3.0-only AND Apache-2.0")

	# (GPL AND MIT) OR GPL-2.0-only: every way needs a GPL.
	lib.denied_expression("GPL-3.0-only AND MIT OR GPL-2.0-only")
}

test_parentheses_group_alternatives if {
	not lib.denied_expression("(MIT OR Apache-2.0) AND Unicode-DFS-2016")
	not lib.denied_expression("(MIT OR GPL-3.0-only) AND Apache-2.0")
	lib.denied_expression("GPL-3.0-only AND (MIT OR Apache-2.0)")
	lib.denied_expression("(MIT OR GPL-3.0-only) AND AGPL-3.0-only")
	not lib.denied_expression("(GPL-3.0-only AND MIT) OR Apache-2.0")
	lib.denied_expression("(GPL-3.0-only AND MIT) OR (BSD-3-Clause AND GPL-2.0)")
	not lib.denied_expression("((GPL-3.0-only OR (MIT AND Apache-2.0)))")
}

test_four_levels_of_parentheses_are_read if {
	not lib.denied_expression("((((GPL-3.0-only OR MIT))))")
}

test_an_expression_that_cannot_be_read_fails_closed if {
	# Too deep, or unbalanced: denied when it names a denied license at all.
	lib.denied_expression("(((((GPL-3.0-only OR MIT)))))")
	lib.denied_expression("(GPL-3.0-only OR MIT")
	lib.denied_expression("GPL-3.0-only OR")

	# ... and never when it names none.
	not lib.denied_expression("(MIT OR Apache-2.0")
	not lib.denied_expression("MIT Apache-2.0")
}

test_license_entries_are_judged_by_their_field if {
	lib.denied_license({"id": "GPL-3.0-only", "name": null, "expression": null})
	lib.denied_license({"id": null, "name": null, "expression": "GPL-3.0-only AND MIT"})
	not lib.denied_license({"id": null, "name": null, "expression": "GPL-3.0-only OR MIT"})
}

test_a_name_is_denied_when_it_is_a_denied_id if {
	lib.denied_license({"id": null, "name": "GPL-3.0-only", "expression": null})
	not lib.denied_license({"id": null, "name": "GPL-3.0-only OR MIT", "expression": null})
}

# Package managers write the GNU licenses by name: RPM's "GPLv3+" (bash in a CentOS image),
# Maven's "GNU General Public License, version 2". Those names count as the id they stand for;
# LGPL's names are none of them.
test_the_common_names_of_gnu_licenses_are_their_ids if {
	lib.denied_license({"id": null, "name": "GPLv3+", "expression": null})
	lib.denied_license({"id": null, "name": " GNU General Public License,  version 2 ", "expression": null})
	lib.denied_license({"id": null, "name": "GNU General Public License v3.0", "expression": null})
	lib.denied_license({"id": null, "name": "AGPLv3", "expression": null})
	not lib.denied_license({"id": null, "name": "LGPLv2+", "expression": null})
	not lib.denied_license({"id": null, "name": "GNU Lesser General Public License v2.1", "expression": null})
	not lib.denied_license({"id": null, "name": "GPLv2", "expression": null}) with data.verdict.config as {"sbom": {"denied_licenses": ["GPL-3.0-only"]}}
	lib.denied_license({"id": null, "name": "GPLv3", "expression": null}) with data.verdict.config as {"sbom": {"denied_licenses": ["GPL-3.0-only"]}}
}

test_license_text_is_the_entry_as_written if {
	lib.license_text({"id": "MIT", "name": null, "expression": null}) == "MIT"
	lib.license_text({"id": null, "name": "Proprietary", "expression": null}) == "Proprietary"
	lib.license_text({"id": null, "name": null, "expression": "MIT OR Apache-2.0"}) == "MIT OR Apache-2.0"
}
