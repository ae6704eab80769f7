//! A loopback HTTP/1.1 server for fakes: binds 127.0.0.1:0 on its own runtime thread, records
//! every request, answers through an [`Api`] (which validates the request against the API's
//! description and keeps state), and plays scripted faults per operation.
//!
//! A request that breaks the description is recorded as a violation and answered 400; dropping
//! the server with violations fails the test, so no test can pass on an invalid request.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The operation it matched (`issues/create-comment`), or `?`.
    pub op: String,
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Names lower-case, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply { status, headers: Vec::new(), body: Some(body) }
    }
    pub fn empty(status: u16) -> Reply {
        Reply { status, headers: Vec::new(), body: None }
    }
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// What a fake API does with a request.
pub trait Api: Send + Sync + 'static {
    /// The operation the request is, or every way it breaks the API description.
    fn route(&self, req: &Recorded) -> Result<String, Vec<String>>;
    /// Acts on a valid request (state changes) and answers.
    fn process(&self, op: &str, req: &Recorded) -> Reply;
    /// Every way an answer breaks the API description (the fake checks itself).
    fn check_reply(&self, op: &str, reply: &Reply) -> Vec<String>;
}

/// A scripted fault, played on the next request of an operation.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer this instead of acting.
    Reply(Reply),
    /// Wait, then act and answer normally.
    Delay(Duration),
    /// Never answer (until the server stops).
    Hang,
    /// Close the connection without an answer.
    Drop,
    /// Act (the write lands), then never answer: a POST that times out but landed.
    LandThenHang,
    /// Act, then hold the answer until `n` requests of this operation have been acted on: a race
    /// in which every client has read before any of them hears back (and so before any writes).
    Barrier(usize),
}

struct Shared {
    api: Arc<dyn Api>,
    requests: Mutex<Vec<Recorded>>,
    violations: Mutex<Vec<String>>,
    faults: Mutex<HashMap<String, VecDeque<Fault>>>,
    /// Requests acted on, per operation (for barriers).
    acted: tokio::sync::watch::Sender<BTreeMap<String, usize>>,
}

/// The running server. Dropping it stops it and fails the test on any violation.
pub struct Server {
    pub addr: SocketAddr,
    /// Served over TLS (reached as `https://localhost:PORT`).
    tls: bool,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts serving `api` (the caller keeps its own `Arc` to look at its state).
    pub fn start(api: Arc<dyn Api>) -> Server {
        Server::start_with(api, None)
    }

    /// Starts serving `api` over HTTPS with this server configuration.
    pub fn start_tls(api: Arc<dyn Api>, tls: Arc<rustls::ServerConfig>) -> Server {
        Server::start_with(api, Some(tls))
    }

    fn start_with(api: Arc<dyn Api>, tls: Option<Arc<rustls::ServerConfig>>) -> Server {
        let is_tls = tls.is_some();
        let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
        let shared = Arc::new(Shared {
            api,
            requests: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
            faults: Mutex::new(HashMap::new()),
            acted: tokio::sync::watch::channel(BTreeMap::new()).0,
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let for_thread = shared.clone();
        let thread = std::thread::spawn(move || {
            let rt =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => {
                            let Ok((stream, _)) = accepted else { continue };
                            let shared = for_thread.clone();
                            let acceptor = acceptor.clone();
                            tokio::spawn(async move {
                                let svc = service_fn(move |req| handle(shared.clone(), req));
                                match acceptor {
                                    Some(a) => {
                                        let Ok(tls) = a.accept(stream).await else { return };
                                        let _ = http1::Builder::new().serve_connection(TokioIo::new(tls), svc).await;
                                    }
                                    None => {
                                        let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
                                    }
                                }
                            });
                        }
                    }
                }
            });
            // Hung requests are pending tasks: dropping the runtime cancels them.
            rt.shutdown_timeout(Duration::from_millis(200));
        });
        Server { addr, tls: is_tls, shared, stop: Some(stop), thread: Some(thread) }
    }

    pub fn url(&self) -> String {
        if self.tls {
            format!("https://localhost:{}", self.addr.port())
        } else {
            format!("http://{}", self.addr)
        }
    }

    /// Queues faults for the next requests of `op`.
    pub fn script(&self, op: &str, faults: impl IntoIterator<Item = Fault>) {
        self.shared.faults.lock().unwrap().entry(op.to_string()).or_default().extend(faults);
    }

    /// Forgets the faults not played yet.
    pub fn clear_script(&self) {
        self.shared.faults.lock().unwrap().clear();
    }

    /// How many requests of `op` were acted on so far (what a [`Fault::Barrier`] counts).
    pub fn acted(&self, op: &str) -> usize {
        self.shared.acted.borrow().get(op).copied().unwrap_or_default()
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The operations requested, in order.
    pub fn ops(&self) -> Vec<String> {
        self.requests().into_iter().map(|r| r.op).collect()
    }

    /// Violations so far.
    pub fn violations(&self) -> Vec<String> {
        self.shared.violations.lock().unwrap().clone()
    }

    /// Takes the violations so far (for tests of the fake itself, which provoke them).
    pub fn take_violations(&self) -> Vec<String> {
        std::mem::take(&mut *self.shared.violations.lock().unwrap())
    }

    /// Sends one raw HTTP/1.1 request and returns the status (for tests of the fake itself).
    pub fn raw(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> u16 {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(self.addr).unwrap();
        let mut request = format!("{method} {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n", self.addr);
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        request.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let violations = self.violations();
        if !violations.is_empty() && !std::thread::panicking() {
            panic!("requests or answers broke the API description:\n  {}", violations.join("\n  "));
        }
    }
}

type Answer = Result<hyper::Response<Full<Bytes>>, Box<dyn std::error::Error + Send + Sync>>;

async fn handle(shared: Arc<Shared>, req: hyper::Request<hyper::body::Incoming>) -> Answer {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let query = parts
        .uri
        .query()
        .map(|q| {
            q.split('&')
                .filter(|kv| !kv.is_empty())
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (decode(k), decode(v))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut rec = Recorded {
        op: "?".into(),
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query,
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let routed = shared.api.route(&rec);
    if let Ok(op) = &routed {
        rec.op = op.clone();
    }
    shared.requests.lock().unwrap().push(rec.clone());
    let op = match routed {
        Ok(op) => op,
        Err(problems) => {
            let text = problems.join("; ");
            shared.violations.lock().unwrap().extend(problems);
            return Ok(respond(&Reply::json(400, serde_json::json!({ "message": text }))));
        }
    };
    let fault = shared.faults.lock().unwrap().get_mut(&op).and_then(VecDeque::pop_front);
    match &fault {
        Some(Fault::Reply(reply)) => return Ok(respond(reply)),
        Some(Fault::Delay(d)) => tokio::time::sleep(*d).await,
        Some(Fault::Hang) => std::future::pending::<()>().await,
        Some(Fault::Drop) => return Err("dropped by the fault script".into()),
        Some(Fault::LandThenHang | Fault::Barrier(_)) | None => {}
    }
    let reply = shared.api.process(&op, &rec);
    let problems = shared.api.check_reply(&op, &reply);
    shared.violations.lock().unwrap().extend(problems);
    shared.acted.send_modify(|m| *m.entry(op.clone()).or_default() += 1);
    if let Some(Fault::Barrier(n)) = fault {
        let mut rx = shared.acted.subscribe();
        let waited = tokio::time::timeout(
            Duration::from_secs(10),
            rx.wait_for(|m| m.get(&op).copied().unwrap_or_default() >= n),
        )
        .await;
        if waited.is_err() {
            shared.violations.lock().unwrap().push(format!("barrier on {op} for {n} requests timed out"));
        }
    }
    if matches!(fault, Some(Fault::LandThenHang)) {
        std::future::pending::<()>().await;
    }
    Ok(respond(&reply))
}

fn respond(reply: &Reply) -> hyper::Response<Full<Bytes>> {
    let mut b = hyper::Response::builder().status(reply.status);
    for (k, v) in &reply.headers {
        b = b.header(k, v);
    }
    let body = match &reply.body {
        Some(json) => {
            b = b.header("content-type", "application/json; charset=utf-8");
            Full::new(Bytes::from(json.to_string()))
        }
        None => Full::new(Bytes::new()),
    };
    b.body(body).unwrap()
}

/// Percent-decoding for query parts (`+` is a space in form encoding).
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
