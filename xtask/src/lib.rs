//! Repository tasks, run with `cargo xtask …` (see `.cargo/config.toml`):
//!
//! - `chaos`: the sync under real faults, with real processes — a city node, a hall node and simulated
//!   devices, fault proxies between them, `kill -9` at random points — then invariants checked against
//!   every database (see [`chaos`]);
//! - `fuzz`: every byte parser of `drivers` under libFuzzer for a number of executions (see [`fuzz`]);
//! - `ui`: the desktop apps' Leptos UIs built for wasm32 into `<app>/ui/dist` (see [`ui`]);
//! - `imports`: import circles between a crate's files wider than one folder (see [`imports`]);
//! - `device`: one simulated device process (kiosk or window terminal), what `chaos` starts and kills.

pub mod chaos;
pub mod device;
pub mod fuzz;
pub mod imports;
pub mod proxy;
pub mod ui;
