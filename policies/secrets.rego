# Built-in pack: secrets found in files (input.secrets, from Trivy's secret scanner).
#
# A credential written into a file (an access key, a token, a private key) is readable by
# everyone who can read the repository or pull the image, and stays in their history after
# the file is changed. A secret of a blocking severity (secrets.severities: every severity by
# default, as Trivy fails on any) fails the gate. If a project narrows that list, a secret of
# another severity still warns: no secret a scanner found passes unseen.
#
# Each finding names its secret by fingerprint (the rule and the file, never the secret) and
# line, and verdict writes what it says from the record (docs/policy.md, "Findings verdict
# explains"): the rule, the file and line, and how to rotate and remove the secret. The
# evidence holds no matched text, so no finding can repeat the secret.
package verdict.secrets

import data.verdict.lib
import rego.v1

# METADATA
# title: No secret in the code or the image
# description: >-
#   A scanner found a credential in a file. Anyone who can read the repository or pull the
#   image can use it, and it stays in the history after the file is changed.
# custom:
#   severity: CRITICAL
#   remediation: Revoke and rotate the secret, remove it from the file, and load it at run time from the CI's secret store.
deny_found contains finding if {
	some secret in input.secrets
	secret.severity in _severities
	finding := _finding(secret)
}

# METADATA
# title: Secret of a severity that does not block
# description: >-
#   A scanner found a credential in a file, rated below the severities this project blocks
#   (secrets.severities). It is shown so that it is rotated all the same.
# custom:
#   severity: MEDIUM
#   remediation: Revoke and rotate the secret, remove it from the file, and load it at run time from the CI's secret store.
warn_found contains finding if {
	some secret in input.secrets
	not secret.severity in _severities
	finding := _finding(secret)
}

_severities := lib.severity_set(lib.settings.secrets.severities)

# The secret's fingerprint and line: the fingerprint leaves the line out, so two matches of one
# rule in one file are told apart by it. A record without a line gives none.
_finding(secret) := {key: value |
	some key, value in {"fingerprint": secret.fingerprint, "line": object.get(secret, "start_line", null)}
	value != null
}
