# Built-in pack: the infrastructure cost estimate (input.custom.cost, a JSON document named
# with `--input custom:cost=FILE`: Infracost's own JSON, or {estimate_usd, currency, period,
# tool, baseline_usd} written by any other estimator).
#
# There is no cost gate until cost.budget_usd is set. With a budget, an estimate above it
# fails the gate, and a missing or unreadable estimate is a warning: the gate that was asked
# for could not be checked, which must not look like a pass.
package verdict.cost

import data.verdict.lib
import rego.v1

# METADATA
# title: The cost estimate stays within budget
# description: >-
#   The estimated infrastructure cost of this change is above the budget set for the
#   project (cost.budget_usd).
# custom:
#   severity: MEDIUM
#   remediation: Reduce the cost of the change, or raise cost.budget_usd if the new cost is approved.
deny_over_budget contains finding if {
	is_number(_budget)
	is_number(_estimate)
	_estimate > _budget
	over := _estimate - _budget
	finding := {
		"msg": lib.text([
			"Estimated cost ", lib.usd(_estimate), _per,
			" is over the budget of ", lib.usd(_budget), _per,
			" by ", lib.usd(over),
			lib.part(" (+", lib.percent(over, _budget), ")"),
		]),
		"id": "cost-over-budget",
		"severity": "MEDIUM",
		"remediation": lib.text([
			"Cut at least ", lib.usd(over), _per, " from the infrastructure in this change",
			_context,
			", or raise cost.budget_usd in verdict.yaml if the new cost is approved",
		]),
	}
}

# METADATA
# title: The cost gate could be checked
# description: >-
#   A budget is set (cost.budget_usd) but no usable estimate was found in
#   input.custom.cost (Infracost's totalMonthlyCost, or estimate_usd), so the cost of this
#   change is unknown.
# custom:
#   severity: LOW
#   remediation: Produce the cost estimate in CI and pass it to verdict with --input custom:cost=FILE.
warn_unchecked contains finding if {
	is_number(_budget)
	not is_number(_estimate)
	finding := {
		"msg": sprintf("A cost budget of %s is set, but %s, so the cost gate could not be checked", [lib.usd(_budget), _problem]),
		"id": "cost-not-checked",
		"severity": "LOW",
		"remediation": concat("", [
			"Estimate the cost in CI (`infracost breakdown --path . --format json --out-file infracost.json`, ",
			"or any estimator writing a JSON object with estimate_usd, a number in US dollars), ",
			"and pass it with `--input custom:cost=infracost.json`",
		]),
	}
}

_budget := lib.settings.cost.budget_usd

_cost := input.custom.cost if is_object(input.custom.cost)
else := {}

# The estimate in US dollars: a number, or a string holding one (Infracost writes its totals
# as strings); null for anything else, and for an estimate in another currency. (Never
# undefined: OPA reads `not is_number(x)` with an undefined x as undefined, not as true.)
_estimate := _raw if {
	is_number(_raw)
	_in_usd
} else := to_number(_raw) if {
	is_string(_raw)
	regex.match(`^[0-9]+(\.[0-9]+)?$`, _raw)
	_in_usd
} else := null

# Infracost's own JSON (`infracost breakdown --format json`, `infracost diff --format json`):
# its totals per month, as decimal strings, in its `currency`. The total before the change
# (pastTotalMonthlyCost) means something only from `infracost diff`; `breakdown` writes "0".
_infracost if {
	is_array(_cost.projects)
	"totalMonthlyCost" in object.keys(_cost)
}

_raw := _cost.totalMonthlyCost if _infracost
else := object.get(_cost, "estimate_usd", null)

# Where the estimate is read from, for the warning that it could not be.
_field := "Infracost's totalMonthlyCost" if _infracost
else := "input.custom.cost.estimate_usd"

_in_usd if not is_string(_currency)

_in_usd if {
	is_string(_currency)
	upper(_currency) == "USD"
}

_currency := object.get(_cost, "currency", null)

# Why the estimate cannot be used.
_problem := sprintf("no cost estimate was found (%s)", [_field]) if _raw == null
else := sprintf("the cost estimate is in %s, not in US dollars", [_currency]) if not _in_usd
else := sprintf("the cost estimate (%s) is a %s, not a number", [_field, type_name(_raw)])

# "/month" when the estimate says which period it covers (Infracost's totals are monthly).
_per := "/month" if _infracost
else := concat("", ["/", _cost.period]) if is_string(_cost.period)
else := ""

# What the estimate says about itself: " (estimated by infracost; $29.20/month before this change)".
_context := sprintf(" (%s)", [concat("; ", notes)]) if {
	notes := [note |
		some note in [lib.part("estimated by ", _tool, ""), _baseline]
		is_string(note)
	]
	count(notes) > 0
} else := null

_tool := "infracost" if _infracost
else := object.get(_cost, "tool", null)

_baseline := sprintf("%s%s before this change", [lib.usd(_baseline_usd), _per]) if {
	is_number(_baseline_usd)
} else := null

_baseline_usd := to_number(_cost.pastTotalMonthlyCost) if {
	_infracost
	_cost.metadata.infracostCommand == "diff"
	is_string(_cost.pastTotalMonthlyCost)
	regex.match(`^[0-9]+(\.[0-9]+)?$`, _cost.pastTotalMonthlyCost)
} else := _cost.baseline_usd if {
	not _infracost
	is_number(_cost.baseline_usd)
} else := null
