package platform
import rego.v1
deny contains "x" if { false }
