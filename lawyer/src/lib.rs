//! Online-lawyer platform rules (lawyer-platform standard). Pure Rust, no I/O, no clock.
