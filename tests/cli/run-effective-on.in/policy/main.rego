package main
import rego.v1

# METADATA
# title: Every suite is fast
# custom:
#   severity: LOW
#   remediation: Split the suite or speed up its slowest tests.
#   effective_on: 2027-01-15
deny contains msg if {
  some t in input.tests.cases
  t.duration_s > 0.5
  msg := sprintf("%s took %.1fs", [t.name, t.duration_s])
}
