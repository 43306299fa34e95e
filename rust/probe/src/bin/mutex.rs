//! std::sync::Mutex in a section: its uncontended lock is an atomic (no call any interceptor sees),
//! its contended wait the futex system call through libc's syscall() (check=misc).

use std::sync::{Arc, Mutex};
use std::time::Duration;

fn main() {
    let m = Arc::new(Mutex::new(0u64));
    {
        let _s = hotpath::enter("uncontended\0");
        *m.lock().unwrap() += 1; // LOCK:uncontended
    }
    let held = m.lock().unwrap();
    let m2 = Arc::clone(&m);
    let t = std::thread::spawn(move || {
        let _s = hotpath::enter("contended\0");
        *m2.lock().unwrap() += 1; // LOCK:contended
    });
    // Held until the thread waits in the kernel (or 2 s pass: then the report is missing and the
    // test fails, rather than hang).
    for _ in 0..200 {
        std::thread::sleep(Duration::from_millis(10));
        if hotpath::violations() > 0 {
            break;
        }
    }
    drop(held);
    t.join().unwrap();
    println!("value {} violations {}", *m.lock().unwrap(), hotpath::violations());
}
