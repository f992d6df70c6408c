//! Hall peripherals. Each device sits behind a trait with a real backend that speaks the device's byte
//! protocol and a simulator that speaks the far end of the same protocol (over a pseudo-terminal pair
//! or a loopback socket), so everything above can be tested without hardware.

pub mod camera;
pub mod display;
pub mod evaluator;
pub mod idcard;
mod poll;
pub mod printer;
pub mod scanner;
