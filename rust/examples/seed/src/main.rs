//! `seed bad` runs the allocating version, `seed good` the rewritten one, over a few events.

use hotpath_example_seed::{event, Engine, Naive};

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    const EVENTS: u64 = 8;
    let mut sum = 0;
    match which.as_str() {
        "bad" => {
            let mut e = Naive::new();
            for i in 0..EVENTS {
                sum += e.process_event_bad(&event(i));
            }
        }
        "good" => {
            let mut e = Engine::with_capacity(EVENTS as usize);
            for i in 0..EVENTS {
                sum += e.process_event_good(&event(i));
            }
        }
        _ => {
            eprintln!("usage: seed bad|good");
            std::process::exit(2);
        }
    }
    println!("sum {sum}");
}
