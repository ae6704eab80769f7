package main
import rego.v1

deny contains msg if {
  some t in input.tests.cases
  to_number(t.name) > 3
  msg := "too many"
}
