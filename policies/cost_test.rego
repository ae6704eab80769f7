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

# Infracost's own JSON -------------------------------------------------------------------------

# `infracost breakdown --format json`, cut to what the gate reads: totals per month, as strings.
_breakdown := {
	"version": "0.2",
	"metadata": {"infracostCommand": "breakdown"},
	"currency": "USD",
	"projects": [{"name": "acme/infra", "breakdown": {"totalMonthlyCost": "73.00"}}],
	"totalMonthlyCost": "73.00",
	"pastTotalMonthlyCost": "0",
	"diffTotalMonthlyCost": "73.00",
}

test_infracost_breakdown_over_budget_fails if {
	cost.deny_over_budget == {{
		"msg": "Estimated cost $73.00/month is over the budget of $50.00/month by $23.00 (+46.0%)",
		"id": "cost-over-budget",
		"severity": "MEDIUM",
		"remediation": concat("", [
			"Cut at least $23.00/month from the infrastructure in this change (estimated by infracost), ",
			"or raise cost.budget_usd in verdict.yaml if the new cost is approved",
		]),
	}} with input as _input(_breakdown) with data.verdict.config as _budget(50)
	count(cost.deny_over_budget) == 0 with input as _input(_breakdown) with data.verdict.config as _budget(80)
}

test_infracost_diff_names_the_cost_before_the_change if {
	diff := object.union(_breakdown, {
		"metadata": {"infracostCommand": "diff"},
		"totalMonthlyCost": "304.12866675",
		"pastTotalMonthlyCost": "241.64066675",
	})
	some finding in cost.deny_over_budget with input as _input(diff) with data.verdict.config as _budget(300)
	finding.msg == "Estimated cost $304.13/month is over the budget of $300.00/month by $4.13 (+1.4%)"
	contains(finding.remediation, "(estimated by infracost; $241.64/month before this change)")
}

test_infracost_without_a_total_or_in_euros_is_not_checked if {
	some w in cost.warn_unchecked with input as _input(object.union(_breakdown, {"totalMonthlyCost": null})) with data.verdict.config as _budget(50)
	contains(w.msg, "no cost estimate was found (Infracost's totalMonthlyCost)")
	some e in cost.warn_unchecked with input as _input(object.union(_breakdown, {"currency": "EUR"})) with data.verdict.config as _budget(50)
	contains(e.msg, "the cost estimate is in EUR, not in US dollars")
	count(cost.deny_over_budget) == 0 with input as _input(object.union(_breakdown, {"currency": "EUR"})) with data.verdict.config as _budget(50)
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
			"Estimate the cost in CI (`infracost breakdown --path . --format json --out-file infracost.json`, ",
			"or any estimator writing a JSON object with estimate_usd, a number in US dollars), ",
			"and pass it with `--input custom:cost=infracost.json`",
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
