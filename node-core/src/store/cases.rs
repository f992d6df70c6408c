//! Cases (办件) as stored: `cases` (one row per case, its current stage) and `case_stages` (every stage
//! it went through, in order). Written only by the writer, through [`super::Record::CaseOpened`] and
//! [`super::Record::CaseStage`], so each change is also an audit row.

use serde::Serialize;

/// A case as the store holds it. `citizen_key` (the keyed digest of the ID number) stays in the store:
/// lookups pass it in, rows never carry it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRow {
    pub id: String,
    pub hall_id: String,
    pub item_id: String,
    /// 受理回执号, e.g. `HRB-20261124-000123`.
    pub receipt: String,
    pub ticket_id: Option<String>,
    pub opened_at: i64,
    /// The current stage (`accepted`, `reviewing` …).
    pub stage: String,
    /// Oldest first.
    pub stages: Vec<CaseStageRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseStageRow {
    pub seq: i64,
    pub stage: String,
    pub at: i64,
    pub note: Option<String>,
    /// Who moved it (`staff:S1`).
    pub actor: String,
}

/// Where receipt numbers of a day start: `{CITY}-{YYYYMMDD}-`; the writer appends the next free
/// six-digit number.
pub fn receipt_prefix(city: &str, day: domain::BusinessDay) -> String {
    let d = day.date();
    let city: String = city
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    format!("{city}-{:04}{:02}{:02}-", d.year, d.month, d.day)
}
