//! The voice crate's integration tests, one test binary: clip loading and rendering (`library`),
//! every ticket speakable (`clips_prop`), the sinks (`sink`) and the announcer end to end
//! (`announcer`).

mod announcer;
mod clips_prop;
mod library;
mod sink;
