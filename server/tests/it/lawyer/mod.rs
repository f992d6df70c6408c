//! The online-lawyer platform over real HTTP and WebSockets (issue 7), one module per area.

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
