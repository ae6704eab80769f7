package main
import rego.v1

deny contains msg if {
  some t in input.tests.cases
  t.status == "failed"
  msg := sprintf("%s failed", [t.name]
}
