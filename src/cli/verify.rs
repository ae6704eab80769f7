//! `verdict verify`: one signature check from cosign-style flags, printed for a person or as
//! evidence JSON. Also builds the trust settings `run` uses for `signatures:` in config.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::Error;
use super::args::{SignerArgs, TrustArgs, VerifyArgs, VerifyFormat};
use crate::diag::Diagnostic;
use crate::evidence::Signature;
use crate::exit::Exit;
use crate::sign::{self, BlobSubject, Check, Key, Matcher, Options, Signer, Subject, TrustRoot, registry};

/// Runs `verdict verify`.
pub fn verify(args: VerifyArgs, color: bool) -> Result<Exit, Error> {
    let subject = subject(&args)?;
    let options = options(&args.trust)?;
    let signer = signer(&args.signer)?;
    let mut attestations = Vec::new();
    for a in &args.attestations {
        attestations.push(sign::predicate_type(a).map_err(|e| usage(format!("--attestation {a}: {e}")))?);
    }
    if !attestations.is_empty() && !matches!(subject, Subject::Image(_)) {
        return Err(usage(
            "--attestation applies to images; for a file, pass its attestation bundle with --bundle (a DSSE bundle \
             verifies as the file's attestation)"
                .into(),
        ));
    }
    warn_unanchored(&signer);
    let check = Check {
        name: "command line".into(),
        subject,
        signer,
        attestations,
        trust: None,
        ignore_tlog: args.trust.insecure_ignore_tlog,
    };
    let outcome = sign::verify(std::slice::from_ref(&check), &options);
    report_problems(&outcome, color);
    let text = match args.format {
        VerifyFormat::Json => {
            let doc =
                serde_json::json!({ "signatures": outcome.signatures, "attestations": outcome.attestations });
            serde_json::to_string_pretty(&doc).map_err(Error::Serialize)? + "\n"
        }
        VerifyFormat::Text => render(&outcome, color),
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|source| Error::Output { path: "stdout".into(), source })?;
    Ok(exit_of(&outcome))
}

/// Checks that could not be made, on stderr: an input error names the file, an
/// infrastructure error the registry.
pub(crate) fn report_problems(outcome: &sign::Outcome, color: bool) {
    for p in &outcome.problems {
        let code = if p.infrastructure { "sign/registry" } else { "sign/input" };
        let d = Diagnostic::error(code, format!("{}: {}", p.check, p.message));
        super::to_stderr(&format!("{}\n", d.render(color)));
    }
}

/// The exit code of a set of checks: a check that could not be made outranks a failure.
pub(crate) fn exit_of(outcome: &sign::Outcome) -> Exit {
    if outcome.problems.iter().any(|p| p.infrastructure) {
        Exit::Internal
    } else if !outcome.problems.is_empty() {
        Exit::Input
    } else if outcome.signatures.iter().all(|s| s.verified) {
        Exit::Pass
    } else {
        Exit::Fail
    }
}

/// The checks of `signatures:` in verdict.yaml, with their keys and trust roots read. The
/// configuration is already validated; what can still fail is reading the files it names.
pub fn config_checks(checks: &[crate::config::SignatureCheck]) -> Result<Vec<Check>, Error> {
    use crate::config::SignatureSubject;
    let mut out = Vec::new();
    for c in checks {
        let key = match &c.key {
            Some(p) => Some(load_key(p).map_err(|e| in_config(e, &c.name, "key"))?),
            None => None,
        };
        let trust = match &c.trusted_root {
            Some(p) => Some(TrustRoot::from_file(p).map_err(|e| {
                Error::Refused(Box::new(
                    Diagnostic::error("sign/trust-root", format!("{}.trusted_root in verdict.yaml: the trusted root {e}", c.name))
                        .help("give the trusted_root.json of your Sigstore instance (`cosign trusted-root create`), or remove `trusted_root` to use Sigstore's public-good root"),
                ))
            })?),
            None => None,
        };
        let signer = sign::signer(key, c.identity.clone(), c.issuer.clone())
            .map_err(|m| usage(format!("{}: {m}", c.name)))?;
        warn_unanchored(&signer);
        let subject = match &c.subject {
            SignatureSubject::Image(r) => Subject::Image(r.clone()),
            SignatureSubject::Blob { path, bundle, signature, certificate } => Subject::Blob(BlobSubject {
                path: Some(path.clone()),
                digest: None,
                bundle: bundle.clone(),
                signature: signature.clone(),
                certificate: certificate.clone(),
            }),
        };
        out.push(Check {
            name: c.name.clone(),
            subject,
            signer,
            attestations: c.attestations.clone(),
            trust,
            ignore_tlog: c.ignore_tlog,
        });
    }
    Ok(out)
}

/// Says which setting of verdict.yaml a refused file came from.
fn in_config(e: Error, check: &str, key: &str) -> Error {
    match e {
        Error::Refused(mut d) => {
            d.message = format!("{check}.{key} in verdict.yaml: {}", d.message);
            Error::Refused(d)
        }
        other => other,
    }
}

/// Trust root and registry settings from flags (and the environment, for credentials).
pub(crate) fn options(t: &TrustArgs) -> Result<Options, Error> {
    let trust = match &t.trusted_root {
        Some(p) => TrustRoot::from_file(p).map_err(|e| {
            Error::Refused(Box::new(
                Diagnostic::error("sign/trust-root", format!("the trusted root {}", e))
                    .help("pass the trusted_root.json of your Sigstore instance (`cosign trusted-root create`), or leave --trusted-root out to use Sigstore's public-good root"),
            ))
        })?,
        None => TrustRoot::public_good(),
    };
    Ok(Options { trust, registry: registry_settings(t.allow_http_registry, t.registry_timeout) })
}

/// Registry settings, with credentials from the environment.
pub(crate) fn registry_settings(allow_http: bool, timeout_s: u64) -> registry::Settings {
    registry::Settings {
        allow_http,
        timeout: Some(Duration::from_secs(timeout_s.max(1))),
        credentials: registry::Credentials::from_env(|k| std::env::var(k).ok().filter(|v| !v.is_empty())),
    }
}

/// The signer requirement from cosign-style flags.
fn signer(a: &SignerArgs) -> Result<Signer, Error> {
    let key = match &a.key {
        Some(p) => Some(load_key(p)?),
        None => None,
    };
    let identity = matcher(
        a.certificate_identity.as_deref(),
        a.certificate_identity_regexp.as_deref(),
        "--certificate-identity",
    )?;
    let issuer = matcher(
        a.certificate_oidc_issuer.as_deref(),
        a.certificate_oidc_issuer_regexp.as_deref(),
        "--certificate-oidc-issuer",
    )?;
    sign::signer(key, identity, issuer).map_err(usage)
}

/// Reads a public key, as a refusal with help on failure.
pub(crate) fn load_key(p: &Path) -> Result<Key, Error> {
    Key::from_file(p).map_err(|e| {
        Error::Refused(Box::new(
            Diagnostic::error("sign/key", format!("the key {e}"))
                .help("pass the public key (cosign.pub) of the key pair that signs, in PEM"),
        ))
    })
}

fn matcher(exact: Option<&str>, regexp: Option<&str>, flag: &str) -> Result<Option<Matcher>, Error> {
    match (exact, regexp) {
        (Some(e), _) => Ok(Some(Matcher::Exact(e.to_owned()))),
        (None, Some(r)) => Matcher::regex(r).map(Some).map_err(|e| usage(format!("{flag}-regexp `{r}` {e}"))),
        (None, None) => Ok(None),
    }
}

/// What SUBJECT is: with --bundle or --signature a file (or its digest); else an existing
/// file is refused (it needs signature material), and anything else is an image reference.
fn subject(args: &VerifyArgs) -> Result<Subject, Error> {
    let s = args.subject.as_str();
    let path = Path::new(s);
    let is_digest =
        s.strip_prefix("sha256:").is_some_and(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()));
    if args.bundle.is_some() || args.signature.is_some() {
        let (path, digest) = if path.is_file() {
            (Some(path.to_path_buf()), None)
        } else if is_digest {
            (None, Some(s.trim_start_matches("sha256:").to_owned()))
        } else {
            return Err(usage(format!(
                "`{s}` is neither a file nor a sha256:<64 hex> digest; --bundle and --signature verify files"
            )));
        };
        return Ok(Subject::Blob(BlobSubject {
            path,
            digest,
            bundle: args.bundle.clone(),
            signature: args.signature.clone(),
            certificate: args.certificate.clone(),
        }));
    }
    if path.is_file() || is_digest {
        return Err(usage(format!(
            "`{s}` is a file; give its signature material: --bundle FILE (cosign sign-blob --bundle) or --signature FILE"
        )));
    }
    Ok(Subject::Image(s.to_owned()))
}

fn usage(message: String) -> Error {
    Error::Refused(Box::new(Diagnostic::error("sign/usage", message).help("see `verdict verify --help`")))
}

pub(crate) fn warn_unanchored(signer: &Signer) {
    if let Signer::Keyless { identity, issuer } = signer {
        for w in [identity.unanchored_warning("identity"), issuer.unanchored_warning("issuer")]
            .into_iter()
            .flatten()
        {
            tracing::warn!("{w}");
        }
    }
}

/// The text report: one block per check. A check whose own input is wrong (exit 2) gets no
/// generic fix line: its error says what to give instead.
fn render(outcome: &sign::Outcome, color: bool) -> String {
    let paint = |code: &str, s: &str| if color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_owned() };
    let input_error =
        |s: &Signature| outcome.problems.iter().any(|p| !p.infrastructure && p.check == s.check);
    let mut out = String::new();
    for s in &outcome.signatures {
        let what = match &s.predicate_type {
            Some(t) => format!("attestation {t} of {}", s.subject),
            None => s.subject.clone(),
        };
        let digest = s.digest.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
        if s.verified {
            out.push_str(&format!("{}  {what}{digest}\n", paint("1;32", "verified")));
            if let Some(signer) = &s.signer {
                match (&signer.identity, &signer.issuer) {
                    (Some(id), Some(iss)) => out.push_str(&format!("  signed by {id}\n  issuer    {iss}\n")),
                    _ => {
                        if let Some(k) = &signer.key {
                            out.push_str(&format!("  signed with the key {k}\n"));
                        }
                    }
                }
            }
            match &s.rekor {
                Some(r) => out.push_str(&format!(
                    "  logged    {} entry {}{}\n",
                    r.kind,
                    r.log_index,
                    r.integrated_time.as_deref().map(|t| format!(" at {t}")).unwrap_or_default()
                )),
                None => out.push_str("  logged    no (transparency log not required)\n"),
            }
        } else {
            let reason = s.reason.map(|r| r.as_str()).unwrap_or("not verified");
            out.push_str(&format!("{}  {what}{digest}: {reason}\n", paint("1;31", "NOT verified")));
            if let Some(e) = &s.error {
                out.push_str(&format!("  {e}\n"));
            }
            if let Some(r) = s.reason.filter(|_| !input_error(s)) {
                out.push_str(&format!("  fix: {}\n", sign::remedy(r)));
            }
        }
    }
    out
}
