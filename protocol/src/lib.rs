//! What crosses a process boundary between a device, a hall node and a city node: the sync protocol's
//! messages and the device request signature. Pure (no I/O, no clock, no randomness — callers pass
//! time and nonces in) so that the server, the `edge` crate and the wasm UIs share one definition.

pub mod sign;
pub mod sync;
