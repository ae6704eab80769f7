# Built-in pack: signatures and attestations (input.signatures, the results of the checks
# under `signatures:` in verdict.yaml; see docs/signatures.md).
#
# There is no signature gate until a check is configured. A check that did not verify fails
# the gate, and the remediation says what to do for its reason: how to sign (keyless or with a
# key, on GitHub Actions or GitLab CI), which identity or key the check expects, and what a
# tampered or copied signature means. A check that could not be made at all (the registry was
# unreachable or refused access) is not judged here: verdict reports it as a problem and the
# outcome is an error, never a pass.
package verdict.signatures

import data.verdict.lib
import rego.v1

# METADATA
# title: Artifacts are signed by the expected signer
# description: >-
#   A signature check of verdict.yaml did not verify: the image or file is unsigned, signed
#   by another identity or key, changed after signing, or signed for another digest.
# custom:
#   severity: HIGH
#   remediation: Sign the artifact in the pipeline that builds it, by digest, as the check requires.
deny_unverified contains finding if {
	some sig in input.signatures
	not sig.verified
	not sig.reason in _infrastructure
	finding := lib.result({
		"msg": _msg(sig),
		"id": concat("", ["signature-", replace(sig.reason, "_", "-")]),
		"severity": "HIGH",
		# The reason is part of it: a waiver for an unsigned image must not go on accepting
		# the image once it carries a tampered, copied or wrong signer's signature.
		"fingerprint": concat("/", [x | some x in ["signature", sig.check, sig.subject, sig.predicate_type, sig.reason]; is_string(x)]),
		"file": _file(sig),
		"remediation": _remedy(sig),
	})
}

# Checks that could not be made: verdict's own problems, not findings.
_infrastructure := {"registry_unreachable", "registry_denied"}

_file(sig) := sig.subject if sig.kind == "blob"
else := null

# "Image ghcr.io/acme/shop:1.4 is not signed as required (identity_mismatch): signed by …"
_msg(sig) := sprintf("%s %s %s (%s): %s", [_noun(sig), sig.subject, _what(sig), sig.reason, lib.oneline(sig.error)]) if {
	is_string(sig.error)
} else := sprintf("%s %s %s (%s)", [_noun(sig), sig.subject, _what(sig), sig.reason])

_noun(sig) := "Image" if sig.kind == "image"
else := "File"

_what(sig) := sprintf("has no verified %s attestation", [_predicate_name(sig.predicate_type)]) if {
	is_string(sig.predicate_type)
} else := "is not signed as required"

# Short names of the predicate types cosign knows, for messages.
_predicate_names := {
	"https://slsa.dev/provenance/v0.2": "SLSA provenance v0.2",
	"https://slsa.dev/provenance/v1": "SLSA provenance",
	"https://spdx.dev/Document": "SPDX SBOM",
	"https://cyclonedx.org/bom": "CycloneDX SBOM",
	"https://cosign.sigstore.dev/attestation/vuln/v1": "vulnerability scan",
	"https://openvex.dev/ns": "OpenVEX",
	"https://in-toto.io/Link/v1": "in-toto link",
}

_predicate_name(t) := object.get(_predicate_names, t, t)

# Who the check expects, in words: "the identity matching `^https://…`, issuer `https://…`".
_expected(sig) := sprintf("the key %s", [sig.expected.key]) if {
	is_string(sig.expected.key)
} else := sprintf("the identity %s (issuer %s)", [_id_text(sig.expected), _issuer_text(sig.expected)])

_id_text(e) := sprintf("`%s`", [e.identity]) if is_string(e.identity)
else := sprintf("matching `%s`", [e.identity_regexp])

_issuer_text(e) := sprintf("`%s`", [e.issuer]) if is_string(e.issuer)
else := sprintf("matching `%s`", [e.issuer_regexp])

_keyless(sig) if not is_string(sig.expected.key)

_ref(sig) := "$IMAGE@$DIGEST" if sig.kind == "image"
else := sig.subject

# What to do, by reason.
_remedy(sig) := concat("", [
	"Attest it in the pipeline that builds it, after the push, signed as the check requires (",
	_expected(sig), "): `cosign attest --yes --type ", _cosign_type(sig.predicate_type),
	" --predicate <file> $IMAGE@$DIGEST`", _how_keyless(sig),
]) if {
	sig.reason == "no_signature"
	is_string(sig.predicate_type)
}

_remedy(sig) := concat("", [
	"Sign it in the pipeline that builds it, by digest, as ", _expected(sig), ": ",
	_sign_command(sig), _how_keyless(sig),
]) if {
	sig.reason == "no_signature"
	not is_string(sig.predicate_type)
}

_remedy(sig) := concat("", [
	"It was signed with another key. Sign with the key pair whose public key is ", sig.expected.key,
	" (`cosign sign --key env://COSIGN_PRIVATE_KEY ", _ref(sig), "`); if the key was rotated, ",
	"put the new cosign.pub in the check's `key` in verdict.yaml",
]) if {
	sig.reason == "wrong_key"
	is_string(sig.expected.key)
}

# A keyless check met a signature made with a key pair: the check names no key to sign with.
_remedy(sig) := concat("", [
	"It was signed with a key pair, but the check requires a keyless signature by ", _id_text(sig.expected),
	": sign it keylessly, as ", _sign_command(sig), _how_keyless(sig),
]) if {
	sig.reason == "wrong_key"
	not is_string(sig.expected.key)
}

_remedy(sig) := lib.text([
	"Sign from the workflow the check trusts: ", _id_text(sig.expected),
	lib.part(" (this one was signed by `", _signer(sig, "identity"), "`)"),
	". Run the signing step in that workflow (for example the release workflow on a tag); if this signer is ",
	"legitimate, ", _trust_signer(sig.expected), " in verdict.yaml",
]) if sig.reason == "identity_mismatch"

_trust_signer(expected) := "change certificate_identity to it" if is_string(expected.identity)
else := "widen certificate_identity_regexp to match it"

_remedy(sig) := lib.text([
	"Sign with an OIDC token from ", _issuer_text(sig.expected),
	lib.part(" (this one came from `", _signer(sig, "issuer"), "`)"),
	": GitHub Actions is https://token.actions.githubusercontent.com, GitLab CI https://gitlab.com ",
	"(or your GitLab instance's URL)",
]) if sig.reason == "issuer_mismatch"

# What the signature claims about its signer (null when it says nothing).
_signer(sig, field) := object.get(sig.signer, field, null) if is_object(sig.signer)
else := null

_remedy(sig) := concat("", [
	"Do not ship it: the content changed after it was signed. Rebuild and re-sign it from CI, ",
	"and find out who could write to the registry or the artifact store",
]) if sig.reason == "payload_tampered"

_remedy(sig) := concat("", [
	"The signature belongs to another digest (signed by tag before a re-push, or copied from another ",
	"image). Sign the exact digest you ship, after the push: ", _sign_command(sig),
]) if sig.reason == "digest_mismatch"

_remedy(sig) := concat("", [
	"Keyless certificates live ten minutes; only a transparency-log entry proves the signature was ",
	"made in that window. Sign with the transparency log on (cosign's default: drop --tlog-upload=false)",
]) if sig.reason == "certificate_expired"

_remedy(sig) := concat("", [
	"It was signed by a Sigstore instance this check does not trust. With a private Sigstore, set the ",
	"check's trusted_root to its trusted_root.json (`cosign trusted-root create`); otherwise sign with ",
	"Sigstore's public-good instance (cosign's default)",
]) if sig.reason == "untrusted_root"

_remedy(sig) := concat("", [
	"Sign with the transparency log on (cosign's default: drop --tlog-upload=false)",
	_unlogged_key(sig),
]) if sig.reason == "no_transparency_log"

_remedy(sig) := concat("", [
	"The signature's transparency-log proof or timestamp does not verify: re-sign it, and check that ",
	"the check's trusted root is current",
]) if sig.reason == "transparency_log_invalid"

_remedy(sig) := "The signature material is malformed or of a kind verdict cannot read: re-create it with cosign" if {
	sig.reason == "invalid_signature"
}

_unlogged_key(sig) := ", or, for a key pair on private infrastructure, accept unlogged signatures with ignore_tlog: true in the check" if {
	not _keyless(sig)
} else := ""

_sign_command(sig) := sprintf("`cosign sign --yes %s`", [_ref(sig)]) if {
	_keyless(sig)
	sig.kind == "image"
} else := sprintf("`cosign sign-blob --yes --bundle %s.sigstore.json %s`", [sig.subject, sig.subject]) if {
	_keyless(sig)
} else := sprintf("`cosign sign --key env://COSIGN_PRIVATE_KEY %s`", [_ref(sig)]) if {
	sig.kind == "image"
} else := sprintf("`cosign sign-blob --key env://COSIGN_PRIVATE_KEY --bundle %s.sigstore.json %s`", [sig.subject, sig.subject])

# Keyless signing needs an OIDC token from the CI; with a key, the key is a CI secret.
_how_keyless(sig) := concat("", [
	". On GitHub Actions give the job `permissions: id-token: write` and install cosign with ",
	"sigstore/cosign-installer; on GitLab CI give the job `id_tokens: SIGSTORE_ID_TOKEN: aud: sigstore`",
]) if _keyless(sig)
else := concat("", [
	". Keep the private key and its password as CI secrets (GitHub: COSIGN_PRIVATE_KEY and ",
	"COSIGN_PASSWORD repository secrets; GitLab: masked, protected CI/CD variables)",
])

# cosign's --type for a predicate type.
_cosign_types := {
	"https://slsa.dev/provenance/v0.2": "slsaprovenance",
	"https://slsa.dev/provenance/v1": "slsaprovenance1",
	"https://spdx.dev/Document": "spdxjson",
	"https://cyclonedx.org/bom": "cyclonedx",
	"https://cosign.sigstore.dev/attestation/vuln/v1": "vuln",
	"https://openvex.dev/ns": "openvex",
}

_cosign_type(t) := object.get(_cosign_types, t, t)
