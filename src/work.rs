//! Independent jobs on one thread per core: the artifacts read, the rules evaluated, the
//! report files written. Each is a list of jobs of very different lengths (a 43 MB scan beside
//! a 10 KB test report), so the jobs are taken longest first from a shared counter: a long one
//! started last would run alone while the other cores sit idle.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `job(state, i)` for each index in `order` (the jobs `0..order.len()`, longest first),
/// on up to one thread per core (the calling thread is one of them). Each thread makes its own
/// `state` once, for what its jobs can share (a policy engine). The results come back by
/// index, whichever thread made them: `None` for a job `order` does not name (an index past
/// the end is not a job).
pub fn longest_first<S, T: Send>(
    order: &[usize],
    state: impl Fn() -> S + Sync,
    job: impl Fn(&mut S, usize) -> T + Sync,
) -> Vec<Option<T>> {
    let slots: Vec<Mutex<Option<T>>> = order.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        let mut state = state();
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let Some(slot) = slots.get(i) else { continue };
            let out = job(&mut state, i);
            *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(out);
        }
    };
    let threads = cores().min(order.len());
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(work);
        }
        work();
    });
    slots.into_iter().map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner())).collect()
}

/// The cores this process may use, asked once: the standard library reads the cgroup's
/// quota files on every call, and a run spreads its work over the cores several times.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every job named runs once, and its result lands at its own index whatever the order
    /// and the thread; a job the order does not name stays empty.
    #[test]
    fn results_by_index() {
        let order = [3, 0, 2, 1];
        let out = longest_first(&[3, 0, 4, 1, 9], || 10, |base: &mut usize, i| *base + i);
        assert_eq!(out, [Some(10), Some(11), None, Some(13), Some(14)]);
        let calls = AtomicUsize::new(0);
        longest_first(
            &order,
            || (),
            |_, _| {
                calls.fetch_add(1, Ordering::Relaxed);
            },
        );
        assert_eq!(calls.load(Ordering::Relaxed), order.len());
    }
}
