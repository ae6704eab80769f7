package verdict.signatures_test

import data.verdict.signatures
import rego.v1

_release := "^https://github\\.com/acme/shop/\\.github/workflows/release\\.yml@refs/tags/"

_gha := "https://token.actions.githubusercontent.com"

_keyless := {"identity": null, "identity_regexp": _release, "issuer": _gha, "issuer_regexp": null, "key": null}

_keyed := {"identity": null, "identity_regexp": null, "issuer": null, "issuer_regexp": null, "key": "sha256:ab12"}

_sig(fields) := object.union(
	{
		"check": "signatures[0]", "kind": "image", "subject": "ghcr.io/acme/shop:1.4",
		"digest": "sha256:d1", "predicate_type": null, "verified": false, "signer": null,
		"expected": _keyless, "rekor": null, "reason": "no_signature", "error": "no signature found", "candidates": 0,
	},
	fields,
)

_deny(sig) := fs if {
	fs := signatures.deny_unverified with input as {"signatures": [sig]}
}

_one(sig) := f if {
	fs := _deny(sig)
	count(fs) == 1
	some f in fs
}

# No check, no gate ---------------------------------------------------------------------------

test_no_checks_no_findings if {
	count(signatures.deny_unverified) == 0 with input as {"signatures": []}
	count(signatures.deny_unverified) == 0 with input as {}
}

test_a_verified_check_passes if {
	count(_deny(_sig({"verified": true, "reason": null, "error": null}))) == 0
}

# A check that could not be made is a problem of the run, not a finding -------------------------

test_registry_failures_are_not_findings if {
	count(_deny(_sig({"reason": "registry_unreachable"}))) == 0
	count(_deny(_sig({"reason": "registry_denied"}))) == 0
}

# Each reason says what to do -----------------------------------------------------------------

test_unsigned_image_keyless if {
	f := _one(_sig({}))
	f.id == "signature-no-signature"
	f.severity == "HIGH"
	f.msg == "Image ghcr.io/acme/shop:1.4 is not signed as required (no_signature): no signature found"
	f.fingerprint == "signature/signatures[0]/ghcr.io/acme/shop:1.4/no_signature"
	not f.file
	contains(f.remediation, "`cosign sign --yes $IMAGE@$DIGEST`")
	contains(f.remediation, sprintf("the identity matching `%s` (issuer `%s`)", [_release, _gha]))
	contains(f.remediation, "id-token: write")
	contains(f.remediation, "SIGSTORE_ID_TOKEN")
}

# A waiver written for an unsigned image does not accept what goes wrong next.
test_the_fingerprint_names_the_reason if {
	unsigned := _one(_sig({})).fingerprint
	every reason in ["payload_tampered", "digest_mismatch", "identity_mismatch", "wrong_key"] {
		_one(_sig({"reason": reason})).fingerprint != unsigned
	}
}

test_unsigned_image_with_a_key if {
	f := _one(_sig({"expected": _keyed}))
	contains(f.remediation, "`cosign sign --key env://COSIGN_PRIVATE_KEY $IMAGE@$DIGEST`")
	contains(f.remediation, "the key sha256:ab12")
	contains(f.remediation, "COSIGN_PASSWORD")
}

test_unsigned_file if {
	f := _one(_sig({"kind": "blob", "subject": "dist/app.tgz"}))
	f.file == "dist/app.tgz"
	startswith(f.msg, "File dist/app.tgz is not signed as required")
	contains(f.remediation, "`cosign sign-blob --yes --bundle dist/app.tgz.sigstore.json dist/app.tgz`")
	f2 := _one(_sig({"kind": "blob", "subject": "dist/app.tgz", "expected": _keyed}))
	contains(f2.remediation, "`cosign sign-blob --key env://COSIGN_PRIVATE_KEY --bundle dist/app.tgz.sigstore.json dist/app.tgz`")
}

test_missing_attestation if {
	f := _one(_sig({"predicate_type": "https://slsa.dev/provenance/v1", "error": "no attestation of type …"}))
	f.fingerprint == "signature/signatures[0]/ghcr.io/acme/shop:1.4/https://slsa.dev/provenance/v1/no_signature"
	contains(f.msg, "has no verified SLSA provenance attestation")
	contains(f.remediation, "`cosign attest --yes --type slsaprovenance1 --predicate <file> $IMAGE@$DIGEST`")
	f2 := _one(_sig({"predicate_type": "https://example.com/custom/v1"}))
	contains(f2.msg, "has no verified https://example.com/custom/v1 attestation")
	contains(f2.remediation, "--type https://example.com/custom/v1")
}

test_wrong_key if {
	f := _one(_sig({"reason": "wrong_key", "expected": _keyed}))
	f.id == "signature-wrong-key"
	contains(f.remediation, "whose public key is sha256:ab12")
	contains(f.remediation, "put the new cosign.pub")
	# A keyless check names no key: the remedy is to sign keylessly, as the check requires.
	k := _one(_sig({"reason": "wrong_key"}))
	contains(k.remediation, "requires a keyless signature by matching")
	contains(k.remediation, "`cosign sign --yes $IMAGE@$DIGEST`")
	not contains(k.remediation, "whose public key")
}

test_identity_mismatch_names_both if {
	f := _one(_sig({
		"reason": "identity_mismatch",
		"signer": {"identity": "https://github.com/acme/shop/.github/workflows/ci.yml@refs/pull/7/merge", "issuer": _gha},
	}))
	contains(f.remediation, sprintf("matching `%s`", [_release]))
	contains(f.remediation, "(this one was signed by `https://github.com/acme/shop/.github/workflows/ci.yml@refs/pull/7/merge`)")
	f2 := _one(_sig({"reason": "identity_mismatch", "expected": object.union(_keyless, {"identity": "me@acme.com", "identity_regexp": null})}))
	contains(f2.remediation, "Sign from the workflow the check trusts: `me@acme.com`.")
	contains(f2.remediation, "change certificate_identity to it")
	contains(f.remediation, "widen certificate_identity_regexp")
}

test_issuer_mismatch if {
	f := _one(_sig({"reason": "issuer_mismatch", "signer": {"identity": "x", "issuer": "https://gitlab.com"}}))
	contains(f.remediation, sprintf("from `%s` (this one came from `https://gitlab.com`)", [_gha]))
	e := object.union(_keyless, {"issuer": null, "issuer_regexp": "^https://(gitlab\\.com|token\\.actions\\.githubusercontent\\.com)$"})
	f2 := _one(_sig({"reason": "issuer_mismatch", "expected": e}))
	contains(f2.remediation, "Sign with an OIDC token from matching `^https://(gitlab")
}

test_tampered_copied_expired_untrusted if {
	contains(_one(_sig({"reason": "payload_tampered"})).remediation, "Do not ship it")
	contains(_one(_sig({"reason": "digest_mismatch"})).remediation, "`cosign sign --yes $IMAGE@$DIGEST`")
	blob := _sig({"reason": "digest_mismatch", "kind": "blob", "subject": "dist/app.tgz", "digest": "sha256:f1"})
	contains(_one(blob).remediation, "`cosign sign-blob --yes --bundle dist/app.tgz.sigstore.json dist/app.tgz`")
	contains(_one(_sig({"reason": "certificate_expired"})).remediation, "ten minutes")
	contains(_one(_sig({"reason": "untrusted_root"})).remediation, "trusted_root")
	contains(_one(_sig({"reason": "transparency_log_invalid"})).remediation, "re-sign it")
	contains(_one(_sig({"reason": "invalid_signature"})).remediation, "malformed")
}

test_no_transparency_log if {
	f := _one(_sig({"reason": "no_transparency_log"}))
	not contains(f.remediation, "ignore_tlog")
	f2 := _one(_sig({"reason": "no_transparency_log", "expected": _keyed}))
	contains(f2.remediation, "ignore_tlog: true")
}

test_a_message_without_error_text if {
	f := _one(_sig({"error": null}))
	f.msg == "Image ghcr.io/acme/shop:1.4 is not signed as required (no_signature)"
}

test_each_check_is_its_own_finding if {
	count(signatures.deny_unverified) == 2 with input as {"signatures": [
		_sig({}),
		_sig({"check": "signatures[1]", "predicate_type": "https://cyclonedx.org/bom"}),
	]}
}
