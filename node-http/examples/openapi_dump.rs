//! Prints the node's OpenAPI document as JSON with every object's keys sorted (arrays keep their
//! order), so two versions can be compared with `diff`:
//! `cargo run -p node-http --example openapi_dump > before.json`. With `--raw`: the document exactly as
//! `/api/v1/openapi.json` serves it.

use serde_json::Value;

fn sorted(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

fn main() -> Result<(), serde_json::Error> {
    if std::env::args().any(|a| a == "--raw") {
        println!("{}", node_http::openapi().to_pretty_json()?);
        return Ok(());
    }
    let doc = serde_json::to_value(node_http::openapi())?;
    println!("{}", serde_json::to_string_pretty(&sorted(doc))?);
    Ok(())
}
