//! What verdict says of each kind of record: the texts the built-in pack's findings carry.

use serde_json::json;

use super::*;

/// `base` with `fields` put over it, one level deep (and one more inside `package`).
fn with(mut base: Json, fields: Json) -> Json {
    if let (Some(base), Json::Object(fields)) = (base.as_object_mut(), fields) {
        for (key, value) in fields {
            match (base.get_mut(&key), value) {
                (Some(Json::Object(inner)), Json::Object(over)) => inner.extend(over),
                (_, value) => {
                    base.insert(key, value);
                }
            }
        }
    }
    base
}

fn record<T: serde::de::DeserializeOwned>(value: Json) -> T {
    serde_json::from_value(value).expect("a record as the evidence has it")
}

// Tests ---------------------------------------------------------------------------------------

/// A test case as the evidence has it, passed by default.
fn case(fields: Json) -> TestCase {
    record(with(
        json!({
            "fingerprint": "9ed2304630bc3e35c0c0b89d27b248bf",
            "source": "reports/junit/TEST-com.acme.shop.CartServiceTest.xml",
            "suite": "com.acme.shop.CartServiceTest",
            "classname": "com.acme.shop.CartServiceTest",
            "name": "appliesDiscountOnce",
            "status": "passed",
            "attempts": 1,
            "flaky": false,
        }),
        fields,
    ))
}

fn failed() -> TestCase {
    case(json!({
        "status": "failed",
        "message": "expected: <90.00> but was: <81.00>",
        "failure_type": "org.opentest4j.AssertionFailedError",
    }))
}

/// A test whose file says its runner gets the command that runs only it; jest's expected and
/// received values stay in what it said.
#[test]
fn a_jest_or_pytest_test_gets_the_command_that_runs_it() {
    let jest = test_case(&case(json!({
        "status": "failed", "classname": "e2e/__tests__/onlyChanged.test.ts", "name": "gets changed files for hg",
        "message": "Error: expect(received).toMatch(expected)\nExpected pattern: /PASS/\nReceived string:  \"abort\"",
        "failure_type": null,
    })));
    assert!(jest.msg.ends_with("failed: Error: expect(received).toMatch(expected) Expected pattern: /PASS/ Received string:  \"abort\""), "{}", jest.msg);
    let fix = jest.remediation.expect("a fix");
    assert!(
        fix.starts_with("Run the test \"gets changed files for hg\" of e2e/__tests__/onlyChanged.test.ts locally (`npx jest e2e/__tests__/onlyChanged.test.ts -t 'gets changed files for hg'`) and fix"),
        "{fix}"
    );
    let pytest = test_case(&case(json!({
        "status": "failed", "classname": "tests.test_pricing", "name": "test_total_includes_vat",
        "file": "tests/test_pricing.py", "message": "assert 100 == 119", "failure_type": null,
    })));
    assert!(
        pytest
            .remediation
            .expect("a fix")
            .contains("(`pytest tests/test_pricing.py::test_total_includes_vat`)")
    );
    // Its node id, classes included, selects a parametrized test that `-k` cannot.
    let param = test_case(&case(json!({
        "status": "failed", "classname": "tests.test_pricing.TestCart", "name": "test_total[a b]",
        "file": "tests/test_pricing.py", "failure_type": null,
    })));
    assert!(
        param
            .remediation
            .expect("a fix")
            .contains("(`pytest 'tests/test_pricing.py::TestCart::test_total[a b]'`)"),
        "the node id"
    );
    // The name is the report's, and the command is pasted into a shell: it stays one word of
    // text, and jest's -t, a regular expression, matches it literally.
    let hostile = |name: &str, file: &str| {
        let case = case(json!({"status": "failed", "classname": file, "name": name, "failure_type": null}));
        let fix = test_case(&case).remediation.expect("a fix");
        fix.split_once("(`")
            .and_then(|(_, rest)| rest.split_once("`)"))
            .map(|(command, _)| command.to_owned())
    };
    assert_eq!(
        hostile("counts $(touch PWNED) `id` it's $5", "web/cart.test.ts").as_deref(),
        Some(r"npx jest web/cart.test.ts -t 'counts \$\(touch PWNED\) `id` it'\''s \$5'")
    );
    assert_eq!(
        hostile("total (with VAT) [EUR]?", "src/my tests/price.spec.js").as_deref(),
        Some(r"npx jest 'src/my tests/price.spec.js' -t 'total \(with VAT\) \[EUR\]\?'")
    );
    assert_eq!(hostile("a;b", "tests/test_x.py").as_deref(), Some("pytest tests/test_x.py -k 'a;b'"));
    // jest-junit with `{filepath}` suite names (here from a Windows runner) names the file in the
    // suite, the describe blocks in the class name: the file is the suite's, and the finding's.
    let windows = test_case(&case(json!({
        "status": "failed", "suite": "__tests__\\main.test.js", "classname": "Test 1 › Test 1.1",
        "name": "Failing test", "failure_type": null,
    })));
    assert_eq!(windows.file.as_deref(), Some("__tests__/main.test.js"));
    assert!(
        windows.remediation.expect("a fix").contains("(`npx jest __tests__/main.test.js -t 'Failing test'`)"),
        "the command"
    );
    // Vitest's and Playwright's reports get their own runner's command.
    let vitest = case(
        json!({"status": "failed", "classname": "src/price.test.ts", "name": "rounds (EUR)", "failure_type": null}),
    );
    let fix = super::test_case_by(&vitest, Some("vitest")).remediation.expect("a fix");
    assert!(fix.contains("(`npx vitest run src/price.test.ts -t 'rounds \\(EUR\\)'`)"), "{fix}");
    let fix = super::test_case_by(&vitest, Some("playwright")).remediation.expect("a fix");
    assert!(fix.contains("(`npx playwright test src/price.test.ts`)"), "{fix}");
    // A line break would end the command early: none is given.
    assert_eq!(hostile("first\nrm -rf ~", "web/cart.test.ts"), None);
    // A Java class name is no file: the qualified name says enough.
    assert!(
        test_case(&failed())
            .remediation
            .expect("a fix")
            .starts_with("Run com.acme.shop.CartServiceTest.appliesDiscountOnce locally")
    );
}

#[test]
fn a_failed_test_says_what_it_said_and_where_its_report_is() {
    assert_eq!(
        test_case(&failed()),
        Explanation {
            msg: "Test \"appliesDiscountOnce\" in com.acme.shop.CartServiceTest failed: expected: <90.00> but was: <81.00>"
                .into(),
            id: Some("com.acme.shop.CartServiceTest.appliesDiscountOnce".into()),
            remediation: Some(
                "Run com.acme.shop.CartServiceTest.appliesDiscountOnce locally and fix the code or the test; \
                 it failed with org.opentest4j.AssertionFailedError: expected: <90.00> but was: <81.00>; \
                 report: reports/junit/TEST-com.acme.shop.CartServiceTest.xml"
                    .into()
            ),
            ..Explanation::default()
        }
    );
}

#[test]
fn an_errored_test_points_at_setup() {
    let e = test_case(&case(json!({
        "status": "errored",
        "message": "Connection refused: localhost:5432",
        "failure_type": "java.net.ConnectException",
    })));
    assert_eq!(
        e.msg,
        "Test \"appliesDiscountOnce\" in com.acme.shop.CartServiceTest could not run (error): Connection refused: localhost:5432"
    );
    assert!(e.remediation.expect("a fix").contains(
        "; it stopped before any assertion (usually setup, a fixture or the environment) with java.net.ConnectException: Connection refused: localhost:5432;"
    ));
}

/// A suite's own error (Ant's, for a class that could not load) names the suite, not a test.
#[test]
fn a_suite_that_could_not_run_is_named_as_a_suite() {
    let e = test_case(&case(json!({
        "status": "errored",
        "name": "(suite)",
        "message": "com/acme/Db",
        "failure_type": "java.lang.NoClassDefFoundError",
    })));
    assert_eq!(e.msg, "Suite \"com.acme.shop.CartServiceTest\" could not run (error): com/acme/Db");
    let fix = e.remediation.expect("a fix");
    assert!(fix.starts_with("Run the suite com.acme.shop.CartServiceTest locally"), "{fix}");
    assert!(fix.contains("the suite itself stopped, outside any of its tests"), "{fix}");
    let failed = test_case(&case(json!({"status": "failed", "name": "(suite)", "message": "teardown"})));
    assert_eq!(failed.msg, "Suite \"com.acme.shop.CartServiceTest\" failed: teardown");
}

/// The line of a failure message that says what went wrong, from the runners that put it
/// after a header: Python's traceback, pytest's `E` lines, Rust's panic, jest's `●`, xUnit's
/// expected/actual, Java's nested exception; terminal colors are removed.
#[test]
fn the_telling_line_of_a_message_is_shown() {
    let said = |message: &str| {
        let e = test_case(&case(json!({"status": "failed", "message": message})));
        e.msg.split_once(" failed: ").map(|(_, said)| said.to_owned()).unwrap_or_default()
    };
    assert_eq!(
        said(
            "Traceback (most recent call last):\n  File \"t.py\", line 9, in test_x\n    self.assertFalse(True)\nAssertionError: True is not false\n"
        ),
        "AssertionError: True is not false"
    );
    assert_eq!(
        said(
            "def test_count():\n>       assert count() == 0\nE       AssertionError: 143 != 0\nE       +143"
        ),
        "AssertionError: 143 != 0"
    );
    assert_eq!(
        said("panicked at tests/basic.rs:19:5:\nassertion `left == right` failed\n  left: 4\n right: 5"),
        "panicked at tests/basic.rs:19:5: assertion `left == right` failed left: 4 right: 5"
    );
    assert_eq!(
        said("● Test suite failed to run\n\n    tsconfig.json:3:5 - error TS6258: 'baseUrl' is deprecated"),
        "● Test suite failed to run tsconfig.json:3:5 - error TS6258: 'baseUrl' is deprecated"
    );
    assert_eq!(said("Expected: 2\nActual:   1"), "Expected: 2 Actual:   1");
    assert_eq!(
        said(
            "\u{1b}[31m\u{1b}[1mexpected 1 to equal 2\u{1b}[22m\u{1b}[39m\n\tat Context.<anonymous> (test.js:4:5)"
        ),
        "expected 1 to equal 2"
    );
}

/// A test's qualified name is not doubled when the runner already wrote it (NUnit), and a
/// test without a name is named by its suite; the failure type is not repeated when the
/// message starts with it.
#[test]
fn a_qualified_name_is_written_once() {
    let nunit = test_case(&case(json!({
        "status": "failed", "classname": "NUnit.Tests.MockTestFixture", "name": "NUnit.Tests.MockTestFixture.FailingTest",
    })));
    assert_eq!(nunit.id.as_deref(), Some("NUnit.Tests.MockTestFixture.FailingTest"));
    let unnamed =
        test_case(&case(json!({"status": "failed", "classname": "test.BeforeAllTest", "name": ""})));
    assert_eq!(unnamed.id.as_deref(), Some("test.BeforeAllTest"));
    let nothing = test_case(&case(json!({"status": "failed", "classname": null, "suite": null, "name": ""})));
    assert!(nothing.remediation.expect("a fix").starts_with("Run the test locally"));
    let typed = test_case(&case(json!({
        "status": "failed",
        "failure_type": "org.opentest4j.AssertionFailedError",
        "message": "org.opentest4j.AssertionFailedError: expected: <1> but was: <2>",
    })));
    assert!(typed.remediation.expect("a fix").contains(
        "; it failed with org.opentest4j.AssertionFailedError: expected: <1> but was: <2>; report"
    ));
}

#[test]
fn the_test_source_file_and_line_are_carried() {
    let mut failed = failed();
    failed.file = Some("src/test/java/CartServiceTest.java".into());
    failed.line = Some(58);
    let e = test_case(&failed);
    assert_eq!((e.file.as_deref(), e.line), (Some("src/test/java/CartServiceTest.java"), Some(58)));
    assert!(
        e.remediation
            .expect("a fix")
            .contains("fix the code or the test (src/test/java/CartServiceTest.java:58);")
    );
}

#[test]
fn a_test_without_message_still_reads_well() {
    let e = test_case(&case(json!({"status": "failed"})));
    assert_eq!(e.msg, "Test \"appliesDiscountOnce\" in com.acme.shop.CartServiceTest failed");
    assert_eq!(
        e.remediation.as_deref(),
        Some(
            "Run com.acme.shop.CartServiceTest.appliesDiscountOnce locally and fix the code or the test; report: reports/junit/TEST-com.acme.shop.CartServiceTest.xml"
        )
    );
}

#[test]
fn a_test_is_named_by_its_class_else_its_suite_else_alone() {
    let by_suite = test_case(&case(
        json!({"status": "failed", "classname": null, "suite": "tests/test_api.py", "name": "test_login"}),
    ));
    assert_eq!(by_suite.id.as_deref(), Some("tests/test_api.py.test_login"));
    assert_eq!(by_suite.msg, "Test \"test_login\" in tests/test_api.py failed");
    let alone =
        test_case(&case(json!({"status": "failed", "classname": null, "suite": null, "name": "TestLogin"})));
    assert_eq!(alone.id.as_deref(), Some("TestLogin"));
    assert_eq!(alone.msg, "Test \"TestLogin\" failed");
    // A report may give a test no name: it is named by its class, never `Test ""`.
    let unnamed = test_case(&case(json!({"status": "failed", "classname": "C", "name": "", "line": 7})));
    assert_eq!(unnamed.msg, "A test without a name in C (line 7) failed");
    assert!(unnamed.remediation.is_some_and(|r| r.starts_with("Run the tests of C locally")));
}

#[test]
fn a_multi_line_message_is_shown_on_one_line_and_a_long_one_cut() {
    let e = test_case(&case(
        json!({"status": "failed", "message": "  expected 3 items\n  but got 2\n  at Cart.add(Cart.java:4)"}),
    ));
    assert_eq!(
        e.msg,
        "Test \"appliesDiscountOnce\" in com.acme.shop.CartServiceTest failed: expected 3 items but got 2",
        "short lines are joined, stack frames left out"
    );
    let long = "é".repeat(300);
    let e = test_case(&case(json!({"status": "failed", "message": long})));
    let said = e.msg.rsplit_once(": ").expect("the message is quoted").1;
    assert_eq!(said.chars().count(), 200);
    assert!(said.ends_with("é…"), "{said}");
    let exact = "x".repeat(200);
    let e = test_case(&case(json!({"status": "failed", "message": exact})));
    assert!(e.msg.ends_with(&exact), "200 characters are kept whole");
    let blank = test_case(&case(json!({"status": "failed", "message": " \n "})));
    assert_eq!(blank.msg, "Test \"appliesDiscountOnce\" in com.acme.shop.CartServiceTest failed");
}

#[test]
fn a_flaky_test_says_what_the_failing_attempt_said() {
    let flaky = case(json!({
        "name": "checkoutRetriesPaymentGateway",
        "message": "Read timed out after 500 ms",
        "failure_type": "java.net.SocketTimeoutException",
        "attempts": 2,
        "flaky": true,
    }));
    assert_eq!(
        test_case(&flaky),
        Explanation {
            msg: "Test \"checkoutRetriesPaymentGateway\" in com.acme.shop.CartServiceTest is flaky: it passed only after 2 attempts (earlier failure: Read timed out after 500 ms)".into(),
            id: Some("com.acme.shop.CartServiceTest.checkoutRetriesPaymentGateway".into()),
            remediation: Some(
                "Make com.acme.shop.CartServiceTest.checkoutRetriesPaymentGateway deterministic: \
                 the failing attempt said \"Read timed out after 500 ms\" (java.net.SocketTimeoutException); \
                 look for timeouts, test order and shared state, and quarantine the test rather than relying on reruns"
                    .into()
            ),
            ..Explanation::default()
        }
    );
    let quiet = test_case(&case(json!({"flaky": true, "attempts": 3})));
    assert_eq!(
        quiet.msg,
        "Test \"appliesDiscountOnce\" in com.acme.shop.CartServiceTest is flaky: it passed only after 3 attempts"
    );
    assert_eq!(
        quiet.remediation.as_deref(),
        Some(
            "Make com.acme.shop.CartServiceTest.appliesDiscountOnce deterministic; look for timeouts, test order and shared state, and quarantine the test rather than relying on reruns"
        )
    );
}

/// A flaky test whose last attempt failed is a failure.
#[test]
fn a_flaky_test_that_failed_last_reads_as_a_failure() {
    let mut failed = failed();
    failed.flaky = true;
    assert!(test_case(&failed).msg.ends_with(" failed: expected: <90.00> but was: <81.00>"));
}

/// A policy of your own may name a test that did not fail: the message says what happened
/// and claims no fix.
#[test]
fn a_passed_or_skipped_test_is_named_as_such() {
    let passed = test_case(&case(json!({})));
    assert_eq!(passed.msg, "Test \"appliesDiscountOnce\" in com.acme.shop.CartServiceTest passed");
    assert_eq!(passed.remediation, None);
    let skipped = test_case(&case(json!({"status": "skipped"})));
    assert_eq!(skipped.msg, "Test \"appliesDiscountOnce\" in com.acme.shop.CartServiceTest was skipped");
}

// Vulnerabilities -------------------------------------------------------------------------------

/// A vulnerability explained on its own (no other finding in its package).
fn vulnerability(vuln: &Vulnerability) -> Explanation {
    super::vulnerability(vuln, None, None)
}

/// Spring4Shell in a jar of an image, fixed in two release lines.
fn vuln(fields: Json) -> Vulnerability {
    record(with(
        json!({
            "fingerprint": "388fd09c65c10183b4564ea7b79a2832",
            "source": "reports/trivy.json",
            "target": "Java",
            "id": "CVE-2022-22965",
            "aliases": [],
            "package": {
                "name": "org.springframework:spring-beans",
                "version": "5.3.15",
                "purl": "pkg:maven/org.springframework/spring-beans@5.3.15",
                "type": "jar",
                "path": "app/lib/spring-beans-5.3.15.jar",
            },
            "fixed_version": "5.3.18, 5.2.20",
            "fixed_versions": ["5.3.18", "5.2.20"],
            "severity": "CRITICAL",
            "cvss": [],
            "status": "fixed",
            "title": "spring-framework: RCE via Data Binding on JDK 9+",
            "url": "https://avd.aquasec.com/nvd/cve-2022-22965",
            "cwe_ids": ["CWE-94"],
        }),
        fields,
    ))
}

/// An OS package of an image with no fix yet.
fn unfixed(fields: Json) -> Vulnerability {
    vuln(with(
        json!({
            "fingerprint": "a9460e2b251ba4955e65203443631a5d",
            "target": "registry.example.com/acme/shop-api:1.4.2 (debian 12.7)",
            "id": "CVE-2023-31484",
            "package": {
                "name": "perl-base",
                "version": "5.36.0-7+deb12u1",
                "purl": "pkg:deb/debian/perl-base@5.36.0-7%2Bdeb12u1?arch=amd64&distro=debian-12.7",
                "type": "debian",
                "path": null,
            },
            "fixed_version": null,
            "fixed_versions": [],
            "severity": "HIGH",
            "status": "affected",
            "title": "perl: CPAN.pm does not verify TLS certificates",
            "url": "https://avd.aquasec.com/nvd/cve-2023-31484",
        }),
        fields,
    ))
}

fn lodash() -> Vulnerability {
    vuln(json!({
        "target": "web/package-lock.json",
        "id": "CVE-2021-23337",
        "package": {"name": "lodash", "version": "4.17.20", "purl": "pkg:npm/lodash@4.17.20", "type": "npm", "path": null},
        "fixed_versions": ["4.17.21"],
        "severity": "HIGH",
        "title": "lodash: command injection via template",
        "url": "https://avd.aquasec.com/nvd/cve-2021-23337",
    }))
}

#[test]
fn a_fixable_vulnerability_names_the_upgrade() {
    assert_eq!(
        vulnerability(&vuln(json!({}))),
        Explanation {
            msg: "CRITICAL vulnerability CVE-2022-22965 in org.springframework:spring-beans 5.3.15 (Java): spring-framework: RCE via Data Binding on JDK 9+".into(),
            id: Some("CVE-2022-22965".into()),
            severity: Some(Severity::Critical),
            url: Some("https://avd.aquasec.com/nvd/cve-2022-22965".into()),
            purl: Some("pkg:maven/org.springframework/spring-beans@5.3.15".into()),
            remediation: Some(
                // Not "(or 5.2.20)": the 5.2 line's fix is older than the installed version.
                "Upgrade org.springframework:spring-beans 5.3.15 → 5.3.18 in app/lib/spring-beans-5.3.15.jar".into()
            ),
            ..Explanation::default()
        }
    );
}

/// A jar or lockfile inside a scanned image says which image, in the message and the fix; the
/// operating system's target names the image already.
#[test]
fn a_vulnerability_inside_an_image_names_the_image() {
    let e = super::vulnerability(&vuln(json!({})), None, Some("registry.example/shop/api:1.4"));
    assert!(
        e.msg.contains("spring-beans 5.3.15 (Java in image registry.example/shop/api:1.4): "),
        "{}",
        e.msg
    );
    assert_eq!(
        e.remediation.as_deref(),
        Some(
            "Upgrade org.springframework:spring-beans 5.3.15 → 5.3.18 in app/lib/spring-beans-5.3.15.jar in image registry.example/shop/api:1.4"
        )
    );
    let os = vuln(json!({"target": "registry.example/shop/api:1.4 (debian 12.5)"}));
    let e = super::vulnerability(&os, None, Some("registry.example/shop/api:1.4"));
    assert!(
        e.msg.contains("(registry.example/shop/api:1.4 (debian 12.5))") && !e.msg.contains("in image"),
        "{}",
        e.msg
    );
}

#[test]
fn the_fix_in_the_installed_release_line_comes_first() {
    let e = vulnerability(&vuln(json!({"fixed_versions": ["6.0.1", "5.3.18"]})));
    assert_eq!(
        e.remediation.as_deref(),
        Some(
            "Upgrade org.springframework:spring-beans 5.3.15 → 5.3.18 (or 6.0.1) in app/lib/spring-beans-5.3.15.jar"
        )
    );
    let e = vulnerability(&vuln(
        json!({"package": {"version": "4.3.1"}, "fixed_versions": ["5.2.20", "5.3.18"]}),
    ));
    assert!(
        e.remediation
            .expect("a fix")
            .starts_with("Upgrade org.springframework:spring-beans 4.3.1 → 5.2.20 (or 5.3.18) in")
    );
    let e = vulnerability(&vuln(json!({"fixed_versions": ["5.3.18", "5.3.18"]})));
    assert!(e.remediation.expect("a fix").contains("5.3.15 → 5.3.18 in"), "a fix listed twice is one fix");
}

/// A fix older than the installed version is another release line's, no upgrade: left out
/// (debug 3.0.1 → 3.1.0, not "or 2.6.9"), unless no fix is newer.
#[test]
fn an_older_release_lines_fix_is_no_upgrade() {
    let upgrade = |installed: &str, fixes: Json| {
        let e = vulnerability(&vuln(
            json!({"package": {"version": installed, "path": null}, "fixed_versions": fixes}),
        ));
        e.remediation.expect("a fix").split(" in ").next().unwrap_or_default().to_owned()
    };
    let debug = "Upgrade org.springframework:spring-beans";
    assert_eq!(upgrade("3.0.1", json!(["3.1.0", "2.6.9"])), format!("{debug} 3.0.1 → 3.1.0"));
    assert_eq!(upgrade("6.0.2.1", json!(["6.0.3.1", "5.2.4.3"])), format!("{debug} 6.0.2.1 → 6.0.3.1"));
    assert_eq!(
        upgrade("1.1.20-r4", json!(["1.1.20-r5", "1.1.19"])),
        format!("{debug} 1.1.20-r4 → 1.1.20-r5")
    );
    assert_eq!(
        upgrade("v1.2.0", json!(["1.2.5", "1.3.0", "0.9.9"])),
        format!("{debug} v1.2.0 → 1.2.5 (or 1.3.0)"),
        "a leading v is no number"
    );
    // Not certainly older: kept.
    assert_eq!(upgrade("2.0.0", json!(["2.0.0-rc1"])), format!("{debug} 2.0.0 → 2.0.0-rc1"));
    assert_eq!(
        upgrade("9.9", json!(["1.0", "2.0"])),
        format!("{debug} 9.9 → 1.0 (or 2.0)"),
        "no fix is newer"
    );
}

/// Trivy copies some advisories' ranges (RustSec): a lower bound reads "or later", an upper
/// bound is no version to upgrade to.
#[test]
fn a_range_reads_as_words() {
    let e = vulnerability(&vuln(
        json!({"package": {"name": "ammonia", "version": "1.9.0", "path": null}, "fixed_versions": [">= 2.1.0"]}),
    ));
    assert!(e.remediation.expect("a fix").starts_with("Upgrade ammonia 1.9.0 → 2.1.0 or later in"));
    let e = vulnerability(&vuln(json!({
        "package": {"name": "musl", "version": "1.1.20-r4", "path": null},
        "fixed_versions": [">= 1.1.20-r5", "< 2.0", "> 2.1"],
    })));
    assert!(
        e.remediation
            .expect("a fix")
            .starts_with("Upgrade musl 1.1.20-r4 → 1.1.20-r5 or later (or a version after 2.1) in"),
    );
}

/// Go: a module's fixed version is written as go.mod takes it (`v0.33.0`), and the standard
/// library, which is no module, is fixed by the Go toolchain that builds it.
#[test]
fn go_fixes_read_as_go_writes_them() {
    let module = |name: &str, version: &str, fixed: &[&str], t: &str| {
        vulnerability(&vuln(json!({
            "target": if t == "gomod" { "api/go.mod" } else { "usr/local/bin/api" },
            "package": {"name": name, "version": version, "purl": format!("pkg:golang/{name}@{version}"),
                        "type": t, "path": null},
            "fixed_versions": fixed,
        })))
        .remediation
        .expect("a fix")
    };
    assert_eq!(
        module("golang.org/x/net", "v0.7.0", &["0.17.0"], "gomod"),
        "Upgrade golang.org/x/net v0.7.0 → v0.17.0 in api/go.mod"
    );
    assert_eq!(
        module("stdlib", "v1.21.0", &["1.21.11", "1.22.4"], "gomod"),
        "Build with Go 1.21.11 or later (or 1.22.4) instead of 1.21.0: raise the `toolchain` (or `go`) line of go.mod and the Go of the CI image"
    );
    assert!(
        module("stdlib", "v1.21.0", &["1.21.11"], "gobinary")
            .ends_with("Go of the CI image, then rebuild usr/local/bin/api"),
    );
}

#[test]
fn a_lockfile_is_the_finding_file() {
    let e = vulnerability(&lodash());
    assert_eq!(e.file.as_deref(), Some("web/package-lock.json"));
    assert_eq!(e.remediation.as_deref(), Some("Upgrade lodash 4.17.20 → 4.17.21 in web/package-lock.json"));
    assert_eq!(
        e.msg,
        "HIGH vulnerability CVE-2021-23337 in lodash 4.17.20 (web/package-lock.json): lodash: command injection via template"
    );
}

#[test]
fn only_file_targets_are_files() {
    for (target, file) in [
        ("Gemfile.lock", true),
        ("services/api/go.mod", true),
        ("requirements.txt", true),
        ("pnpm-lock.yaml", true),
        ("app.csproj", true),
        ("Java", false),
        ("Node.js", false),
        ("alpine 3.19", false),
        ("registry.example.com/shop:1.2 (debian 12.7)", false),
        ("", false),
    ] {
        assert_eq!(is_lockfile(target), file, "{target}");
    }
}

#[test]
fn an_os_package_fix_says_how_images_are_fixed() {
    let e = vulnerability(&unfixed(json!({"fixed_versions": ["5.36.0-7+deb12u2"]})));
    assert_eq!(
        e.remediation.as_deref(),
        Some(
            "Upgrade perl-base 5.36.0-7+deb12u1 → 5.36.0-7+deb12u2 in registry.example.com/acme/shop-api:1.4.2 (debian 12.7): \
             rebuild the image from an updated base image, or upgrade the package in its Dockerfile"
        )
    );
    assert_eq!(e.file, None);
    let by_type = vulnerability(&vuln(json!({
        "package": {"name": "musl", "version": "1.2.4-r1", "purl": null, "type": "alpine", "path": null},
        "target": "alpine 3.19",
        "fixed_versions": ["1.2.4-r2"],
    })));
    assert!(by_type.remediation.expect("a fix").ends_with("or upgrade the package in its Dockerfile"));
}

#[test]
fn a_fix_without_installed_version_still_reads_well() {
    let e = vulnerability(&vuln(
        json!({"package": {"version": null, "path": null}, "target": "Java", "title": null, "url": null}),
    ));
    assert_eq!(e.msg, "CRITICAL vulnerability CVE-2022-22965 in org.springframework:spring-beans (Java)");
    assert_eq!(
        e.remediation.as_deref(),
        Some("Upgrade org.springframework:spring-beans → 5.3.18 (or 5.2.20) in Java")
    );
    assert_eq!(e.url, None);
}

#[test]
fn an_unfixed_vulnerability_says_what_to_do_by_its_status() {
    assert_eq!(
        vulnerability(&unfixed(json!({}))),
        Explanation {
            msg: "HIGH vulnerability CVE-2023-31484 in perl-base 5.36.0-7+deb12u1 (registry.example.com/acme/shop-api:1.4.2 (debian 12.7)): perl: CPAN.pm does not verify TLS certificates".into(),
            id: Some("CVE-2023-31484".into()),
            severity: Some(Severity::High),
            url: Some("https://avd.aquasec.com/nvd/cve-2023-31484".into()),
            purl: Some("pkg:deb/debian/perl-base@5.36.0-7%2Bdeb12u1?arch=amd64&distro=debian-12.7".into()),
            remediation: Some(
                "No fixed version of perl-base 5.36.0-7+deb12u1 exists yet for CVE-2023-31484: apply the advisory's \
                 workaround if there is one, remove the package if unused, and upgrade when a fix ships; \
                 advisory: https://avd.aquasec.com/nvd/cve-2023-31484"
                    .into()
            ),
            ..Explanation::default()
        }
    );
    let wont = vulnerability(&unfixed(json!({"status": "will_not_fix", "url": null})));
    assert_eq!(
        wont.remediation.as_deref(),
        Some(
            "The maintainers will not fix CVE-2023-31484 in perl-base 5.36.0-7+deb12u1: replace the package (or the base image), remove it if unused, or accept the risk with a waiver"
        )
    );
    let eol = vulnerability(&unfixed(json!({"status": "end_of_life"})));
    assert!(eol.remediation.expect("advice").starts_with(
        "perl-base 5.36.0-7+deb12u1 has reached its end of life and gets no fix for CVE-2023-31484: move to a supported version (or base image)"
    ));
}

// Misconfigurations -----------------------------------------------------------------------------

/// A failed Checkov check without a severity (no platform key).
fn checkov(fields: Json) -> Misconfiguration {
    record(with(
        json!({
            "fingerprint": "72ea56dea4e364dd6c9a261811e3d57f",
            "source": "reports/checkov.json",
            "tool": "checkov",
            "framework": "terraform",
            "check_id": "CKV_AWS_18",
            "aliases": [],
            "title": "Ensure the S3 bucket has access logging enabled",
            "severity": null,
            "status": "failed",
            "resource": "aws_s3_bucket.uploads",
            "file": "/infra/s3.tf",
            "start_line": 1,
            "end_line": 3,
            "guideline": "https://docs.prismacloud.io/s3-13-enable-logging",
        }),
        fields,
    ))
}

/// A failed Trivy check, with a severity and the scanner's own resolution.
fn trivy_check(fields: Json) -> Misconfiguration {
    checkov(with(
        json!({
            "fingerprint": "5e1f0c2a9b7d4e3f8a6c1b0d2e4f6a8c",
            "tool": "trivy",
            "framework": "dockerfile",
            "check_id": "DS002",
            "aliases": ["AVD-DS-0002"],
            "title": "Image user should not be 'root'",
            "severity": "HIGH",
            "resource": null,
            "file": "Dockerfile",
            "start_line": 12,
            "end_line": 12,
            "guideline": "https://avd.aquasec.com/misconfig/ds002",
            "resolution": "Add 'USER <non root user name>' line to the Dockerfile.",
        }),
        fields,
    ))
}

/// Trivy's message names the part of the resource to change; one that only repeats the title
/// is left out.
#[test]
fn a_check_carries_what_the_scanner_said_of_the_resource() {
    let said = "Container 'health-check' of Deployment 'health-check-deployment' should set 'securityContext.privileged' to false";
    let check = trivy_check(
        json!({"check_id": "KSV017", "title": "Privileged", "file": "deploy.yaml", "start_line": 15, "message": said}),
    );
    assert_eq!(
        misconfiguration(&check).msg,
        format!("Check KSV017 failed (deploy.yaml:15): Privileged — {said}")
    );
    let check = trivy_check(json!({"title": "Privileged", "message": "Privileged\n"}));
    assert_eq!(misconfiguration(&check).msg, "Check DS002 failed (Dockerfile:12): Privileged");
    let check = trivy_check(json!({"title": null, "message": said}));
    assert_eq!(misconfiguration(&check).msg, format!("Check DS002 failed (Dockerfile:12): {said}"));
}

/// Checkov's secret checks name a hash of the secret as the resource: the finding names the
/// file and line, and says to revoke the secret rather than to "change" the hash.
#[test]
fn a_checkov_secret_check_says_to_revoke_the_secret() {
    let check = checkov(json!({
        "check_id": "CKV_SECRET_6", "title": "Base64 High Entropy String", "framework": null,
        "resource": "12273f3e4aa61c86082dbe4a9d9bb0d796651521", "file": "/infrastructure/users-repo/Dockerfile",
        "start_line": 4, "end_line": 5, "guideline": null,
    }));
    let e = misconfiguration(&check);
    assert_eq!(
        e.msg,
        "Check CKV_SECRET_6 failed (/infrastructure/users-repo/Dockerfile:4): Base64 High Entropy String"
    );
    let fix = e.remediation.expect("a fix");
    assert!(
        fix.starts_with("A secret is written in /infrastructure/users-repo/Dockerfile (line 4): revoke it where it was issued"),
        "{fix}"
    );
    assert!(!fix.contains("12273f3e"), "{fix}");
    assert!(fix.ends_with("#checkov:skip=CKV_SECRET_6:<reason>"), "{fix}");
}

/// A check that fails inside a Terraform module is shown, and its fix and skip comment placed,
/// at the module block that calls it: the module's own files (a registry's, the
/// .terraform/modules cache) are not the project's to change.
#[test]
fn a_check_in_a_module_is_fixed_where_the_module_is_called() {
    let check = trivy_check(json!({
        "check_id": "AWS-0132", "resource": "module.bucket", "resolution": "Use SSE-KMS with a customer managed key (CMK)",
        "file": "registry.opentofu.org/terraform-aws-modules/s3-bucket/aws/main.tf", "start_line": 25,
        "called_from": {"file": "main.tf", "resource": "module.bucket", "start_line": 1, "end_line": 5},
    }));
    let mut evidence = Evidence::new(crate::evidence::Meta::default());
    evidence.misconfigurations.push(check.clone());
    let records = Records::of(&evidence, &all(&evidence));
    // The pack names the record with its line inside the module; the finding is moved.
    let result = json!({"fingerprint": check.fingerprint, "line": 25}).as_object().cloned().expect("object");
    let [(msg, filled)] = records.explain(&result).try_into().expect("one finding");
    assert!(
        msg.starts_with("Check AWS-0132 failed on module.bucket (main.tf:1, in the module at registry.opentofu.org/terraform-aws-modules/s3-bucket/aws/main.tf:25)"),
        "{msg}"
    );
    assert_eq!((&filled["file"], &filled["line"]), (&json!("main.tf"), &json!(1)));
    let fix = filled["remediation"].as_str().expect("a fix");
    assert!(
        fix.starts_with(
            "Change the inputs of module.bucket in main.tf (line 1) so that the module meets the check"
        ),
        "{fix}"
    );
    assert!(fix.ends_with("#trivy:ignore:AWS-0132 (above the module block)"), "{fix}");
}

#[test]
fn a_failed_check_says_how_to_change_or_skip_it() {
    assert_eq!(
        misconfiguration(&trivy_check(json!({}))),
        Explanation {
            moved: false,
            msg: "Check DS002 failed (Dockerfile:12): Image user should not be 'root'".into(),
            id: Some("DS002".into()),
            severity: Some(Severity::High),
            file: Some("Dockerfile".into()),
            line: Some(12),
            url: Some("https://avd.aquasec.com/misconfig/ds002".into()),
            remediation: Some(
                "Change Dockerfile (line 12) so that it meets the check: Add 'USER <non root user name>' line to the Dockerfile; \
                 see https://avd.aquasec.com/misconfig/ds002; if it does not apply here, skip it in code, with a comment saying why: #trivy:ignore:DS002"
                    .into()
            ),
            purl: None,
        }
    );
    assert_eq!(
        misconfiguration(&checkov(json!({}))),
        Explanation {
            moved: false,
            msg: "Check CKV_AWS_18 failed on aws_s3_bucket.uploads (/infra/s3.tf:1): Ensure the S3 bucket has access logging enabled".into(),
            id: Some("CKV_AWS_18".into()),
            severity: None,
            file: Some("/infra/s3.tf".into()),
            line: Some(1),
            url: Some("https://docs.prismacloud.io/s3-13-enable-logging".into()),
            remediation: Some(
                "Change aws_s3_bucket.uploads in /infra/s3.tf (line 1) so that it meets the check; \
                 see https://docs.prismacloud.io/s3-13-enable-logging; \
                 if it does not apply here, skip it in code with a reason: #checkov:skip=CKV_AWS_18:<reason>; \
                 unrated (Checkov gives no severity without a platform API key): \
                 thresholds.misconfigurations.unknown_severity decides whether it blocks (warn unless set to fail)"
                    .into()
            ),
            purl: None,
        }
    );
}

/// What a scanner honours depends on the file: Checkov reads no skip comment in a Kubernetes
/// manifest (an annotation of the resource does it) and one for a module's resource only
/// inside the module block; Trivy applies no inline ignore to Kubernetes manifests
/// (`.trivyignore.yaml` does it), and one for a module above the block. A rated Checkov check
/// says nothing of severities.
#[test]
fn the_skip_advice_is_the_one_the_scanner_honours() {
    let fix = |e: Explanation| e.remediation.expect("a fix");
    let k8s = fix(misconfiguration(&checkov(json!({
        "framework": "kubernetes", "check_id": "CKV_K8S_16", "resource": "Deployment.default.web",
        "file": "/deploy/web.yaml", "severity": "HIGH",
    }))));
    assert!(
        k8s.ends_with("skip it with a reason in an annotation of the resource: metadata.annotations: checkov.io/skip1: CKV_K8S_16=<reason>"),
        "{k8s}"
    );
    let module = fix(misconfiguration(&checkov(json!({
        "called_from": {"file": "/main.tf", "resource": "module.logs", "start_line": 3, "end_line": 9},
    }))));
    assert!(module.contains("#checkov:skip=CKV_AWS_18:<reason> (inside the module block)"), "{module}");
    // JSON templates hold no comments: the resource's metadata does it.
    let arm = fix(misconfiguration(&checkov(
        json!({"framework": "arm", "check_id": "CKV_AZURE_35", "severity": "HIGH"}),
    )));
    assert!(
        arm.ends_with(
            r#"the resource's metadata: "metadata": {"checkov": ["checkov:skip=CKV_AZURE_35: <reason>"]}"#
        ),
        "{arm}"
    );
    let cfn = fix(misconfiguration(&checkov(json!({"framework": "cloudformation", "severity": "HIGH"}))));
    assert!(
        cfn.ends_with(r#""Metadata": {"checkov": {"skip": [{"id": "CKV_AWS_18", "comment": "<reason>"}]}}"#),
        "{cfn}"
    );
    let trivy_k8s = fix(misconfiguration(&trivy_check(json!({
        "framework": "kubernetes", "check_id": "KSV-0017", "file": "deploy/web.yaml",
    }))));
    assert!(
        trivy_k8s.ends_with(
            "skip it with a reason in .trivyignore.yaml (Trivy applies no inline ignore to Kubernetes manifests): misconfigurations: [{id: KSV-0017, paths: [deploy/web.yaml], statement: <reason>}]"
        ),
        "{trivy_k8s}"
    );
}

#[test]
fn a_blank_resolution_is_left_out() {
    let e = misconfiguration(&trivy_check(json!({"resolution": "  "})));
    assert!(
        e.remediation
            .expect("a fix")
            .starts_with("Change Dockerfile (line 12) so that it meets the check; see ")
    );
}

#[test]
fn a_check_with_little_data_still_reads_well() {
    let e = misconfiguration(&checkov(json!({
        "tool": "kics", "resource": null, "file": null, "start_line": null, "title": null, "guideline": null,
    })));
    assert_eq!(
        e,
        Explanation {
            msg: "Check CKV_AWS_18 failed".into(),
            id: Some("CKV_AWS_18".into()),
            remediation: Some("Change the resource so that it meets the check".into()),
            ..Explanation::default()
        }
    );
    let passed = misconfiguration(&checkov(
        json!({"status": "passed", "resource": null, "file": null, "title": null}),
    ));
    assert_eq!(passed.msg, "Check CKV_AWS_18 passed");
    assert_eq!(passed.remediation, None, "nothing to change");
    let skipped = misconfiguration(&checkov(json!({"status": "skipped"})));
    assert!(
        skipped.msg.starts_with("Check CKV_AWS_18 was skipped on aws_s3_bucket.uploads"),
        "{}",
        skipped.msg
    );
    assert_eq!(skipped.remediation, None);
}

// Secrets ---------------------------------------------------------------------------------------

/// A secret Trivy found, as the evidence has it: rule and file, never the matched text.
fn secret(fields: Json) -> Secret {
    record(with(
        json!({
            "fingerprint": "8400788bb7f28cd1a5382bee36866fa1",
            "source": "reports/trivy.json",
            "tool": "trivy",
            "target": "deploy/deploy.sh",
            "rule_id": "aws-access-key-id",
            "category": "AWS",
            "severity": "CRITICAL",
            "title": "AWS Access Key ID",
            "start_line": 3,
            "end_line": 3,
        }),
        fields,
    ))
}

/// A secret says which rule matched where, and to revoke it before removing it: changing the
/// file leaves it in the history and in the images already built.
#[test]
fn a_secret_says_where_it_is_and_to_revoke_it() {
    assert_eq!(
        secret_found(&secret(json!({}))),
        Explanation {
            moved: false,
            msg: "CRITICAL secret in deploy/deploy.sh:3: AWS Access Key ID (aws-access-key-id)".into(),
            id: Some("aws-access-key-id".into()),
            severity: Some(Severity::Critical),
            file: Some("deploy/deploy.sh".into()),
            line: Some(3),
            url: None,
            purl: None,
            remediation: Some(
                "Revoke the secret where it was issued and replace it with a new one (it stays in the repository's history \
                 and in images already built), then remove it from deploy/deploy.sh (line 3) and load it at run time from \
                 the CI's secret store or a secrets manager; if it is not a real secret (a test fixture), allow it in \
                 trivy-secret.yaml (allow-rules) with a reason"
                    .into()
            ),
        }
    );
    let bare = secret_found(&secret(json!({"title": null, "start_line": null, "severity": "LOW"})));
    assert_eq!(bare.msg, "LOW secret in deploy/deploy.sh: aws-access-key-id");
    assert!(bare.remediation.is_some_and(|r| r.contains("remove it from deploy/deploy.sh and load it")));
}

// Components ------------------------------------------------------------------------------------

/// A component as the evidence has it.
fn component(fields: Json) -> Component {
    record(with(
        json!({
            "fingerprint": "da4247f1e8542a7ce0ebb20ba578afc6",
            "source": "reports/sbom.cdx.json",
            "bom_ref": "pkg:maven/org.example.legacy/pdf-render@2.1.0",
            "type": "library",
            "name": "pdf-render",
            "group": "org.example.legacy",
            "version": "2.1.0",
            "purl": "pkg:maven/org.example.legacy/pdf-render@2.1.0",
            "cpe": null,
            "licenses": [{"id": "GPL-3.0-only", "name": null, "expression": null, "acknowledgement": null}],
            "hashes": [],
            "scope": null,
            "supplier": null,
            "parent": null,
        }),
        fields,
    ))
}

#[test]
fn a_component_under_a_denied_license_says_which_and_how_to_be_rid_of_it() {
    assert_eq!(
        component_finding(&component(json!({})), Some("AGPL-3.0-only, GPL-3.0-only")),
        Explanation {
            msg: "Component org.example.legacy:pdf-render 2.1.0 uses a denied license: AGPL-3.0-only, GPL-3.0-only"
                .into(),
            id: Some("AGPL-3.0-only, GPL-3.0-only".into()),
            purl: Some("pkg:maven/org.example.legacy/pdf-render@2.1.0".into()),
            remediation: Some(
                "Replace or remove org.example.legacy:pdf-render 2.1.0 (pkg:maven/org.example.legacy/pdf-render@2.1.0), \
                 or keep it under AGPL-3.0-only, GPL-3.0-only only with your legal team's approval, recorded as a waiver"
                    .into()
            ),
            ..Explanation::default()
        }
    );
}

/// An expression the pack cannot weigh is denied for the denied license it names (fail
/// closed), and the finding says so rather than claiming the license is simply denied.
#[test]
fn an_unreadable_expression_says_why_it_is_denied() {
    let e = component_finding(&component(json!({})), Some("GPL-3.0-only OR (MIT"));
    assert_eq!(
        e.msg,
        "Component org.example.legacy:pdf-render 2.1.0 uses a denied license: GPL-3.0-only OR (MIT \
         (an expression that does not parse, denied for the denied license it names)"
    );
    assert!(e.remediation.is_some_and(|r| r.contains("correct the expression")));
    for readable in ["GPL-3.0-only", "(MIT OR GPL-2.0-only) AND Apache-2.0", "((((a))))"] {
        assert!(readable_expression(readable), "{readable}");
    }
    for unreadable in ["GPL-3.0-only OR (MIT", "MIT) OR (GPL-2.0", "(((((a)))))"] {
        assert!(!readable_expression(unreadable), "{unreadable}");
    }
}

#[test]
fn an_npm_scope_keeps_its_slash() {
    let scoped = component(json!({
        "group": "@acme", "name": "charts", "version": "1.0.0", "purl": "pkg:npm/%40acme/charts@1.0.0",
    }));
    assert_eq!(
        component_finding(&scoped, Some("GPL-3.0-only")).msg,
        "Component @acme/charts 1.0.0 uses a denied license: GPL-3.0-only"
    );
}

#[test]
fn a_component_with_little_data_still_reads_well() {
    let bare = component(json!({"group": null, "version": null, "purl": null}));
    assert_eq!(
        component_finding(&bare, Some("GPL-3.0-only")),
        Explanation {
            msg: "Component pdf-render uses a denied license: GPL-3.0-only".into(),
            id: Some("GPL-3.0-only".into()),
            remediation: Some(
                "Replace or remove pdf-render, or keep it under GPL-3.0-only only with your legal team's approval, recorded as a waiver"
                    .into()
            ),
            ..Explanation::default()
        }
    );
}

/// A rule of your own that names a component without saying which licenses it found denied
/// gets the component and its SBOM, and the rule's METADATA remediation.
#[test]
fn a_component_named_for_another_reason_says_where_it_is() {
    assert_eq!(
        component_finding(&component(json!({})), None),
        Explanation {
            msg: "Component org.example.legacy:pdf-render 2.1.0 in reports/sbom.cdx.json".into(),
            id: Some("pkg:maven/org.example.legacy/pdf-render@2.1.0".into()),
            purl: Some("pkg:maven/org.example.legacy/pdf-render@2.1.0".into()),
            ..Explanation::default()
        }
    );
}

// Results ---------------------------------------------------------------------------------------

/// Every fingerprint of the evidence's tests, vulnerabilities, checks and components.
fn all(evidence: &Evidence) -> FoldHashSet<&str> {
    let tests = evidence.tests.cases.iter().map(|r| r.fingerprint.as_str());
    let vulns = evidence.vulnerabilities.iter().map(|r| r.fingerprint.as_str());
    let checks = evidence.misconfigurations.iter().map(|r| r.fingerprint.as_str());
    let secrets = evidence.secrets.iter().map(|r| r.fingerprint.as_str());
    let components = evidence.components.iter().map(|r| r.fingerprint.as_str());
    tests.chain(vulns).chain(checks).chain(secrets).chain(components).collect()
}

/// Several findings in one package where it was found (log4j-core's three CVEs of December
/// 2021, each fixed one release later): each says the one version that clears them all, so
/// that fixing the first does not leave the gate red on the next.
#[test]
fn several_findings_in_a_package_name_the_upgrade_that_clears_them_all() {
    let log4j = |id: &str, fix: &str, fingerprint: &str| {
        vuln(json!({
            "id": id, "fingerprint": fingerprint, "target": "pom.xml", "fixed_versions": [fix],
            "package": {"name": "org.apache.logging.log4j:log4j-core", "version": "2.14.1", "path": null,
                        "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
        }))
    };
    let mut evidence = Evidence::new(crate::evidence::Meta::default());
    evidence.vulnerabilities.push(log4j("CVE-2021-44228", "2.15.0", "a1"));
    evidence.vulnerabilities.push(log4j("CVE-2021-45046", "2.16.0", "a2"));
    evidence.vulnerabilities.push(log4j("CVE-2021-45105", "2.17.0", "a3"));
    evidence.vulnerabilities.push(lodash());
    let records = Records::of(&evidence, &all(&evidence));
    let fix = |fingerprint: &str| {
        let result = json!({"fingerprint": fingerprint}).as_object().cloned().expect("object");
        records.explain(&result)[0].1["remediation"].as_str().expect("a remediation").to_owned()
    };
    assert_eq!(
        fix("a1"),
        "Upgrade org.apache.logging.log4j:log4j-core 2.14.1 → 2.15.0 in pom.xml; 2.17.0 fixes all 3 findings of org.apache.logging.log4j:log4j-core here"
    );
    assert!(fix("a3").ends_with("→ 2.17.0 in pom.xml; this also fixes the other 2 findings of org.apache.logging.log4j:log4j-core here"));
    assert_eq!(
        fix(&lodash().fingerprint),
        "Upgrade lodash 4.17.20 → 4.17.21 in web/package-lock.json",
        "alone in its package"
    );
}

/// A result names its record by fingerprint; the fields it gives are kept and the rest filled,
/// and a fingerprint that is no record's explains nothing.
#[test]
fn a_result_is_filled_where_it_is_silent() {
    let mut evidence = Evidence::new(crate::evidence::Meta::default());
    evidence.vulnerabilities.push(lodash());
    evidence.tests.cases.push(failed());
    evidence.misconfigurations.push(checkov(json!({})));
    evidence.components.push(component(json!({})));
    evidence.secrets.push(secret(json!({})));
    evidence.secrets.push(secret(json!({"start_line": 12})));
    let records = Records::of(&evidence, &all(&evidence));
    let result = |fields: Json| fields.as_object().cloned().expect("an object");

    let explained = records.explain(&result(json!({
        "fingerprint": lodash().fingerprint, "severity": "LOW", "url": null,
    })));
    let [(msg, filled)] = explained.as_slice() else { panic!("one finding: {explained:?}") };
    assert!(msg.starts_with("HIGH vulnerability CVE-2021-23337 in lodash"), "{msg}");
    assert_eq!(filled["severity"], "LOW", "the result's own severity is kept");
    assert_eq!(filled["url"], "https://avd.aquasec.com/nvd/cve-2021-23337", "a null is filled");
    assert_eq!(filled["file"], "web/package-lock.json");
    assert_eq!(filled["remediation"], "Upgrade lodash 4.17.20 → 4.17.21 in web/package-lock.json");
    assert!(!filled.contains_key("msg"), "the message is returned beside the fields");

    let explained = records.explain(&result(json!({"fingerprint": failed().fingerprint})));
    let [(msg, filled)] = explained.as_slice() else { panic!("one finding: {explained:?}") };
    assert!(msg.starts_with("Test \"appliesDiscountOnce\""), "{msg}");
    assert!(
        !filled.contains_key("severity"),
        "a test has no severity of its own: the rule's METADATA gives it"
    );

    let explained = records.explain(&result(json!({
        "fingerprint": component(json!({})).fingerprint, "id": "GPL-3.0-only",
    })));
    let [(msg, filled)] = explained.as_slice() else { panic!("one finding: {explained:?}") };
    assert_eq!(msg, "Component org.example.legacy:pdf-render 2.1.0 uses a denied license: GPL-3.0-only");
    assert_eq!(filled["id"], "GPL-3.0-only");
    assert_eq!(filled["purl"], "pkg:maven/org.example.legacy/pdf-render@2.1.0");
    assert!(!filled.contains_key("severity"), "the rule's METADATA gives it");

    // Two matches of one rule in one file share the fingerprint; the result's line picks one.
    let explained =
        records.explain(&result(json!({"fingerprint": secret(json!({})).fingerprint, "line": 12})));
    let [(msg, filled)] = explained.as_slice() else { panic!("one finding: {explained:?}") };
    assert_eq!(msg, "CRITICAL secret in deploy/deploy.sh:12: AWS Access Key ID (aws-access-key-id)");
    assert_eq!((&filled["file"], &filled["line"]), (&json!("deploy/deploy.sh"), &json!(12)));

    for unknown in [json!({"fingerprint": "0000"}), json!({"fingerprint": 42}), json!({})] {
        assert!(records.explain(&result(unknown.clone())).is_empty(), "{unknown}");
    }
}

/// One fingerprint, several records: a finding for each, where it is; a `line` picks one; and
/// records that read the same are one finding.
#[test]
fn a_fingerprint_of_several_records_is_a_finding_for_each() {
    let mut evidence = Evidence::new(crate::evidence::Meta::default());
    let fingerprint = "72ea56dea4e364dd6c9a261811e3d57f";
    for line in [1, 9, 9] {
        evidence.misconfigurations.push(checkov(json!({"start_line": line})));
    }
    let mut in_jar = |path: &str| {
        evidence.vulnerabilities.push(vuln(json!({"package": {"path": path}})));
    };
    in_jar("app/a.jar");
    in_jar("app/b.jar");
    let records = Records::of(&evidence, &all(&evidence));
    let lines = |explained: Vec<(String, Map<String, Json>)>| -> Vec<Json> {
        explained.into_iter().map(|(_, filled)| filled["line"].clone()).collect()
    };
    assert_eq!(
        lines(records.explain(&json!({"fingerprint": fingerprint}).as_object().cloned().unwrap_or_default())),
        [json!(1), json!(9)]
    );
    assert_eq!(
        lines(records.explain(
            &json!({"fingerprint": fingerprint, "line": 9}).as_object().cloned().unwrap_or_default()
        )),
        [json!(9)]
    );
    let jars: Vec<String> = records
        .explain(
            &json!({"fingerprint": vuln(json!({})).fingerprint}).as_object().cloned().unwrap_or_default(),
        )
        .into_iter()
        .map(|(_, filled)| filled["remediation"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(jars.len(), 2, "{jars:?}");
    let with_line = json!({"fingerprint": vuln(json!({})).fingerprint, "line": 7});
    assert_eq!(
        records.explain(&with_line.as_object().cloned().unwrap_or_default()).len(),
        2,
        "a vulnerability has no line to pick by"
    );
    assert!(jars[0].ends_with(" in app/a.jar") && jars[1].ends_with(" in app/b.jar"), "{jars:?}");
}

/// Only the records the results ask for are indexed.
#[test]
fn only_wanted_records_are_indexed() {
    let mut evidence = Evidence::new(crate::evidence::Meta::default());
    evidence.vulnerabilities.push(lodash());
    evidence.tests.cases.push(failed());
    let wanted: FoldHashSet<&str> = [evidence.tests.cases[0].fingerprint.as_str()].into_iter().collect();
    let records = Records::of(&evidence, &wanted);
    assert_eq!(records.by_fingerprint.len(), 1);
    let ask =
        |fingerprint: String| json!({"fingerprint": fingerprint}).as_object().cloned().unwrap_or_default();
    assert_eq!(records.explain(&ask(failed().fingerprint)).len(), 1);
    assert!(records.explain(&ask(lodash().fingerprint)).is_empty());
}

// License scanners ----------------------------------------------------------------------------

/// A license scanner's finding as the evidence has it (Trivy's `--scanners license`).
fn scanned(fields: Json) -> LicenseFinding {
    record(with(
        json!({
            "fingerprint": "5b0c6e1f2f1a4cd1a3f0f8f4b1c2d3e4",
            "source": "reports/trivy-license.json",
            "tool": "trivy",
            "target": "Java",
            "name": "GPL-3.0-only",
            "package": "org.example:pdf-render",
            "file": null,
            "category": "restricted",
            "severity": "HIGH",
            "confidence": null,
            "url": null,
        }),
        fields,
    ))
}

/// A package or a file a license scan found under a denied license says which, where the scan
/// looked, and how to be rid of it.
#[test]
fn a_scanned_license_names_the_package_or_file_under_it() {
    assert_eq!(
        scanned_license(&scanned(json!({}))),
        Explanation {
            msg: "Package org.example:pdf-render uses a denied license: GPL-3.0-only (found by trivy in Java)".into(),
            id: Some("GPL-3.0-only".into()),
            remediation: Some(
                "Replace or remove org.example:pdf-render, or keep it under GPL-3.0-only only with your legal team's approval, recorded as a waiver"
                    .into()
            ),
            ..Explanation::default()
        }
    );
    let file = scanned(json!({
        "package": null, "file": "vendor/gpl/LICENSE", "target": "Loose File License(s)",
        "url": "https://spdx.org/licenses/GPL-3.0-only.html", "confidence": 0.95,
    }));
    assert_eq!(
        scanned_license(&file),
        Explanation {
            msg: "File vendor/gpl/LICENSE is under a denied license: GPL-3.0-only (found by trivy in Loose File License(s))"
                .into(),
            id: Some("GPL-3.0-only".into()),
            file: Some("vendor/gpl/LICENSE".into()),
            url: Some("https://spdx.org/licenses/GPL-3.0-only.html".into()),
            remediation: Some(
                "Remove vendor/gpl/LICENSE and the code it came with, or keep it under GPL-3.0-only only with your legal team's approval, recorded as a waiver"
                    .into()
            ),
            ..Explanation::default()
        }
    );
}
