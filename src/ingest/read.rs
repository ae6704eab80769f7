//! A reader that bounds, counts and hashes what passes through it.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

use super::error::LimitExceeded;

/// Wraps the raw file reader (below any buffering), so every byte of the artifact is counted
/// and hashed exactly once, and reading fails with [`LimitExceeded`] past `limit` bytes —
/// a read is never unbounded.
pub struct Measured<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
    limit: u64,
}

impl<R: Read> Measured<R> {
    /// Wraps `inner`, allowing at most `limit` bytes.
    pub fn new(inner: R, limit: u64) -> Self {
        Measured { inner, hasher: Sha256::new(), bytes: 0, limit }
    }

    /// Reads whatever the parser left unread (still bounded), and returns the size and the
    /// SHA-256 of the whole artifact. Bytes a buffer above this reader read but the parser did
    /// not consume were already counted and hashed when they passed through.
    pub fn finish(mut self) -> io::Result<(u64, String)> {
        io::copy(&mut self, &mut io::sink())?;
        Ok((self.bytes, hex::encode(self.hasher.finalize())))
    }
}

impl<R: Read> Read for Measured<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        if self.bytes > self.limit {
            return Err(io::Error::other(LimitExceeded { limit: self.limit }));
        }
        if let Some(read) = buf.get(..n) {
            self.hasher.update(read);
        }
        Ok(n)
    }
}

/// Reads a whole small file (a key, a bundle, a trust root), failing past `limit` bytes with
/// a message that names the limit.
pub fn bytes_capped(path: &std::path::Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::other(format!(
            "is larger than {limit} bytes, too large for what it should be"
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Size and hash cover the whole input, including what the consumer left unread.
    #[test]
    fn hashes_everything() {
        let mut m = Measured::new(&b"hello world"[..], 100);
        let mut first = [0u8; 5];
        m.read_exact(&mut first).expect("reads");
        let (bytes, sha) = m.finish().expect("drains");
        assert_eq!(bytes, 11);
        assert_eq!(sha, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
    }

    /// Past the limit, reading fails with the limit in the error.
    #[test]
    fn enforces_limit() {
        let mut m = Measured::new(&[0u8; 100][..], 10);
        let err = io::copy(&mut m, &mut io::sink()).expect_err("limited");
        let inner = err.get_ref().and_then(|e| e.downcast_ref::<LimitExceeded>()).expect("typed");
        assert_eq!(inner.limit, 10);
    }
}
