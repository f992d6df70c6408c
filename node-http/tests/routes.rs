//! The OpenAPI document and the routes are one list: each route is registered with its description
//! (`utoipa-axum`'s `routes!`), so a route can only be served undocumented through a plain axum
//! registration. These tests keep those to the deliberate few, and check that every described handler
//! is in the document. (`server/tests/feed_ops.rs` asks the running node for every documented operation.)
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;

/// Served without an entry in the document, on purpose: the document itself (under `/api/v1`) and the
/// citizens' web page (at the root).
const UNDOCUMENTED: [&str; 4] = ["/openapi.json", "/consult", "/consult/app.js", "/consult/app.css"];

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn all_sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    assert!(out.len() > 20, "{} files", out.len());
    out
}

/// The string literal right after each occurrence of `prefix`.
fn literals_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.match_indices(prefix)
        .filter_map(|(i, _)| {
            let rest = text[i + prefix.len()..].trim_start();
            let rest = rest.strip_prefix('"')?;
            Some(&rest[..rest.find('"')?])
        })
        .collect()
}

#[test]
fn only_the_deliberate_routes_bypass_the_document() {
    let mut plain = Vec::new();
    for (file, text) in all_sources() {
        let plain_routers = text.matches("Router::new(").count() - text.matches("OpenApiRouter::new(").count();
        assert_eq!(plain_routers, 0, "{file} builds a plain axum Router");
        for api in [".route_service(", ".nest_service(", ".nest("] {
            if api == ".nest(" {
                // The one nest: the areas under /api/v1, documented through OpenApiRouter::nest.
                let nests = literals_after(&text, api);
                assert!(nests.iter().all(|p| *p == "/api/v1"), "{file}: nest {nests:?}");
                continue;
            }
            assert!(!text.contains(api), "{file} registers routes with plain axum ({api})");
        }
        plain.extend(literals_after(&text, ".route(").into_iter().map(str::to_owned));
    }
    plain.sort();
    let mut want: Vec<_> = UNDOCUMENTED.iter().map(|p| p.to_string()).collect();
    want.sort();
    assert_eq!(plain, want, "routes registered without their OpenAPI description");
}

#[test]
fn every_described_handler_is_in_the_document() {
    // `#[utoipa::path(...)] pub async fn NAME`, and the windows' `window_action!(NAME, ...)`.
    let mut described = BTreeSet::new();
    for (_, text) in all_sources() {
        for (i, _) in text.match_indices("#[utoipa::path(") {
            let fun = &text[i..][text[i..].find("pub async fn ").unwrap() + "pub async fn ".len()..];
            let name = fun[..fun.find(['(', '<']).unwrap()].trim();
            if !name.starts_with('$') {
                described.insert(name.to_owned()); // not the one inside `macro_rules! window_action`
            }
        }
        for (i, _) in text.match_indices("\nwindow_action!(") {
            let rest = text[i + "\nwindow_action!(".len()..].trim_start();
            described.insert(rest[..rest.find(',').unwrap()].trim().to_owned());
        }
    }
    let doc = serde_json::to_value(node_http::openapi()).unwrap();
    let mut documented = BTreeSet::new();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            documented.insert(id.to_owned());
            operations += 1;
        }
    }
    assert_eq!(described, documented);
    // Operation ids repeat across areas (`rate`, `review`…): count the described attributes instead.
    let attributes: usize = all_sources()
        .iter()
        .map(|(_, t)| t.matches("#[utoipa::path(").count() + t.matches("\nwindow_action!(").count())
        .sum::<usize>()
        - 1; // the attribute inside `macro_rules! window_action`
    assert_eq!(operations, attributes, "each described handler once in the document");
}

/// Schema names two types share: the document holds one schema under the name, and the operations of
/// the other type point at it. The later area's type wins, as it did with the hand-kept list of paths
/// (`lib.rs`' `api()`). Kept as they were (no change of the document); renaming one type with
/// `#[schema(as = …)]` would fix its operations. New clashes fail here.
#[test]
fn schema_name_clashes_are_the_known_ones() {
    let doc = node_http::openapi();
    let schemas = &doc.components.as_ref().unwrap().schemas;
    let mut lost = Vec::new();
    let mut areas = node_http::areas();
    areas.push(("lawyer_quality::qc", node_http::lawyer_quality::qc::router()));
    for (area, routes) in areas {
        for (name, schema) in &routes.into_openapi().components.unwrap().schemas {
            if schemas.get(name) != Some(schema) {
                lost.push(format!("{area}::{name}"));
            }
        }
    }
    lost.sort();
    // POST /appointments is described with mediation's BookRequest, POST /lawyer-words/actions/{id}/review
    // with QC's ReviewRequest, the mediation tasks with lawyer_quality's TaskView.
    let known = [
        "appointments::BookRequest",
        "lawyer_words::ReviewRequest",
        "mediation::TaskView",
    ];
    assert_eq!(lost, known);
}
