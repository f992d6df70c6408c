//! The hall rules' integration tests, one test binary: example-based rules (`rules`) and property
//! tests (`properties`), both written against the `Sim` harness of `common`.

mod common;
mod properties;
mod rules;
