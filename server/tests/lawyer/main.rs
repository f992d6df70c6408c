//! The online-lawyer platform over real HTTP and WebSockets (issue 7), one test binary for all its
//! areas (each area a module; one link instead of nine keeps CI fast).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod consult;
mod history;
mod mediation;
mod people;
mod quality;
mod reports;
mod support;
mod video;
mod web;
mod words;
