//! The seed design's list of hidden allocations (shared/seed F071, "process_event_bad"), in a
//! `#[hot_path]` function, and the same work rewritten to allocate nothing. Run under the sentinel,
//! the first reports each of its five allocations at its line; the second passes the gate.
//! (The `// ALLOC:` markers let the test find the lines.)

use std::collections::HashMap;
use std::fmt::Write as _;

pub const KEY_LEN: usize = 16;

pub struct Event {
    pub id: u64,
    pub key: [u8; KEY_LEN],
    pub value: u64,
}

/// The naive engine: idiomatic Rust that allocates on every event.
#[derive(Default)]
pub struct Naive {
    items: Vec<u64>,
    map: HashMap<Vec<u8>, u64>,
    last: Option<Box<u64>>,
    log_len: usize,
}

impl Naive {
    pub fn new() -> Self {
        Naive { items: vec![1, 2, 3, 4], ..Default::default() }
    }

    #[hotpath::hot_path]
    pub fn process_event_bad(&mut self, event: &Event) -> u64 {
        let key = event.key.to_vec(); // ALLOC:to_vec
        let msg = format!("Processing {}", event.id); // ALLOC:format
        let results: Vec<_> = self.items.iter().collect(); // ALLOC:collect
        self.map.insert(key, event.value); // ALLOC:insert
        let result = results.iter().copied().sum::<u64>() + event.value;
        let boxed = Box::new(result); // ALLOC:box
        self.log_len += msg.len();
        self.last = Some(boxed);
        result
    }
}

/// The same work without an allocation: everything sized at start-up.
pub struct Engine {
    items: Vec<u64>,
    map: HashMap<[u8; KEY_LEN], u64>,
    scratch: Vec<u64>,
    last: Box<u64>,
    msg: [u8; 64],
    log_len: usize,
}

/// `fmt::Write` into a fixed buffer: `write!` without a String.
struct Fixed<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl std::fmt::Write for Fixed<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl Engine {
    /// Start-up: every buffer the hot path will use, at the size it will need.
    pub fn with_capacity(keys: usize) -> Self {
        Engine {
            items: vec![1, 2, 3, 4],
            map: HashMap::with_capacity(keys),
            scratch: Vec::with_capacity(4),
            last: Box::new(0),
            msg: [0; 64],
            log_len: 0,
        }
    }

    #[hotpath::hot_path]
    pub fn process_event_good(&mut self, event: &Event) -> u64 {
        let key = event.key; // a copy, on the stack
        let mut w = Fixed { buf: &mut self.msg, len: 0 };
        let _ = write!(w, "Processing {}", event.id); // into a fixed buffer
        let n = w.len;
        self.scratch.clear(); // reuses its capacity
        self.scratch.extend(self.items.iter().copied());
        self.map.insert(key, event.value); // within the capacity reserved at start-up
        let result = self.scratch.iter().sum::<u64>() + event.value;
        *self.last = result; // the box made at start-up, reused
        self.log_len += n;
        result
    }
}

pub fn event(i: u64) -> Event {
    let mut key = [0u8; KEY_LEN];
    key[..8].copy_from_slice(&i.to_le_bytes());
    Event { id: i, key, value: i * 3 }
}
