//! City mode (the leaders' command wall over the whole city's feed, `GET /api/v1/events` with a
//! `command_wall` device): not part of this version. `--mode city` stops at start with
//! [`crate::config::ConfigError::CityNotImplemented`]; this module is where its state, link and
//! commands go, beside `hall/`, sharing `config` and the page shell.
