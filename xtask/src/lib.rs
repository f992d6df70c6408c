//! Repository tasks, run with `cargo xtask …` (see `.cargo/config.toml`):
//!
//! - `chaos`: the sync under real faults, with real processes — a city node, a hall node and simulated
//!   devices, fault proxies between them, `kill -9` at random points — then invariants checked against
//!   every database (see [`chaos`]);
//! - `device`: one simulated device process (kiosk or window terminal), what `chaos` starts and kills.

pub mod chaos;
pub mod device;
pub mod proxy;
