package verdict.cost_test

import data.verdict.cost
import rego.v1

# The demo's Infracost summary (fixtures/demo/cost.json), as input.custom.cost.
_estimate := {"baseline_usd": 29.2, "currency": "USD", "estimate_usd": 41.5, "period": "month", "tool": "infracost"}

_input(estimate) := {"custom": {"cost": estimate}}

_budget(usd) := {"cost": {"budget_usd": usd}}

# No budget -----------------------------------------------------------------------------------

test_without_a_budget_there_is_no_cost_gate if {
	count(cost.deny_over_budget) == 0 with input as _input({"estimate_usd": 1000000})
	count(cost.warn_unchecked) == 0 with input as {"custom": {}}
	count(cost.warn_unchecked) == 0 with input as {} with data.verdict.config as _budget(null)
}

# A budget and an estimate --------------------------------------------------------------------

test_an_estimate_over_budget_fails if {
	cost.deny_over_budget == {{
		"msg": "Estimated cost $41.50/month is over the budget of $40.00/month by $1.50 (+3.8%)",
		"id": "cost-over-budget",
		"severity": "MEDIUM",
		"remediation": concat("", [
			"Cut at least $1.50/month from the infrastructure in this change ",
			"(estimated by infracost; $29.20/month before this change), ",
			"or raise cost.budget_usd in verdict.yaml if the new cost is approved",
		]),
	}} with input as _input(_estimate) with data.verdict.config as _budget(40)
}

test_an_estimate_within_budget_passes if {
	count(cost.deny_over_budget) == 0 with input as _input(_estimate) with data.verdict.config as _budget(50)
	count(cost.warn_unchecked) == 0 with input as _input(_estimate) with data.verdict.config as _budget(50)
}

test_an_estimate_equal_to_the_budget_passes if {
	count(cost.deny_over_budget) == 0 with input as _input(_estimate) with data.verdict.config as _budget(41.5)
}

test_whole_amounts_print_with_cents if {
	some finding in cost.deny_over_budget with input as _input({"estimate_usd": 45}) with data.verdict.config as _budget(40)
	finding.msg == "Estimated cost $45.00 is over the budget of $40.00 by $5.00 (+12.5%)"
	finding.remediation == "Cut at least $5.00 from the infrastructure in this change, or raise cost.budget_usd in verdict.yaml if the new cost is approved"
}

test_a_baseline_without_tool_is_still_shown if {
	some finding in cost.deny_over_budget with input as _input({"estimate_usd": 45, "baseline_usd": 38}) with data.verdict.config as _budget(40)
	finding.remediation == "Cut at least $5.00 from the infrastructure in this change ($38.00 before this change), or raise cost.budget_usd in verdict.yaml if the new cost is approved"
}

test_a_zero_budget_fails_any_cost_without_a_percentage if {
	some finding in cost.deny_over_budget with input as _input({"estimate_usd": 0.5}) with data.verdict.config as _budget(0)
	finding.msg == "Estimated cost $0.50 is over the budget of $0.00 by $0.50"
}

test_an_estimate_written_as_a_string_is_read if {
	count(cost.deny_over_budget) == 1 with input as _input({"estimate_usd": "41.50"}) with data.verdict.config as _budget(40)
}

test_an_estimate_in_dollars_by_name_is_read if {
	count(cost.deny_over_budget) == 1 with input as _input({"estimate_usd": 41.5, "currency": "usd"}) with data.verdict.config as _budget(40)
}

# A budget without a usable estimate ----------------------------------------------------------

test_a_budget_without_estimate_warns if {
	cost.warn_unchecked == {{
		"msg": "A cost budget of $40.00 is set, but no cost estimate was found (input.custom.cost.estimate_usd), so the cost gate could not be checked",
		"id": "cost-not-checked",
		"severity": "LOW",
		"remediation": concat("", [
			"Estimate the cost in CI (for example `infracost breakdown --path . --format json`), ",
			"write it as a JSON object with estimate_usd (a number, in US dollars), ",
			"and pass it with `--input custom:cost=cost.json`",
		]),
	}} with input as {"custom": {}} with data.verdict.config as _budget(40)
	count(cost.deny_over_budget) == 0 with input as {"custom": {}} with data.verdict.config as _budget(40)
}

test_a_budget_without_any_custom_input_warns if {
	count(cost.warn_unchecked) == 1 with input as {} with data.verdict.config as _budget(40)
	count(cost.warn_unchecked) == 1 with input as _input({"estimate_usd": null}) with data.verdict.config as _budget(40)
	count(cost.warn_unchecked) == 1 with input as _input(["not", "an", "object"]) with data.verdict.config as _budget(40)
}

test_an_estimate_that_is_not_a_number_warns if {
	some finding in cost.warn_unchecked with input as _input({"estimate_usd": "about forty"}) with data.verdict.config as _budget(40)
	finding.msg == "A cost budget of $40.00 is set, but the cost estimate (input.custom.cost.estimate_usd) is a string, not a number, so the cost gate could not be checked"
	some other in cost.warn_unchecked with input as _input({"estimate_usd": true}) with data.verdict.config as _budget(40)
	contains(other.msg, "is a boolean, not a number")
}

test_an_estimate_in_another_currency_warns if {
	evidence := _input({"estimate_usd": 41.5, "currency": "EUR"})
	some finding in cost.warn_unchecked with input as evidence with data.verdict.config as _budget(40)
	finding.msg == "A cost budget of $40.00 is set, but the cost estimate is in EUR, not in US dollars, so the cost gate could not be checked"
	count(cost.deny_over_budget) == 0 with input as evidence with data.verdict.config as _budget(40)
}
