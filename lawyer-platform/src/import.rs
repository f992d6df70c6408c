//! 附录 B rows (users 表 B.1, lawyers 表 B.2, certification files 表 B.3, service orders 表 B.5) as
//! stored: the whole record sealed (it is personal data — names, phones, ID numbers, addresses), with
//! keyed digests of the phone and ID number for lookups (as citizen codes and appointments keep ID
//! numbers), the region and sex the word statistics group by, and the lawyer's staff id when the
//! import links one. A batch is one writer record, so it is written whole or not at all.

use rusqlite::{Connection, params};
use serde_json::{Value, json};

pub use hall_api::import::RowError;
use node_core::store::StoreError;

#[derive(Debug, Clone)]
pub struct ImportRow {
    pub id: String,
    /// 1-based row of the upload.
    pub row_no: u32,
    pub staff_id: Option<String>,
    pub phone_key: Option<String>,
    pub id_key: Option<String>,
    pub region: Option<String>,
    pub sex: Option<String>,
    pub sealed: String,
}

#[derive(Debug, Clone)]
pub struct ImportBatch {
    /// `user`, `lawyer`, `certification`, `order`.
    pub kind: String,
    pub batch: String,
    pub rows: Vec<ImportRow>,
}

impl ImportBatch {
    pub fn audit_body(&self) -> Value {
        json!({"kind": self.kind, "batch": self.batch, "rows": self.rows.len()})
    }
}

pub fn apply(c: &Connection, b: &ImportBatch, at: i64) -> Result<(), StoreError> {
    let mut st = c.prepare_cached(
        "INSERT INTO lw_records (id, kind, batch, row_no, staff_id, phone_key, id_key, region, sex, sealed, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for r in &b.rows {
        st.execute(params![
            r.id,
            b.kind,
            b.batch,
            r.row_no,
            r.staff_id,
            r.phone_key,
            r.id_key,
            r.region,
            r.sex,
            r.sealed,
            at
        ])?;
    }
    Ok(())
}

/// Rows of one kind stored so far.
pub fn count(c: &Connection, kind: &str) -> rusqlite::Result<u64> {
    c.prepare_cached("SELECT COUNT(*) FROM lw_records WHERE kind = ?1")?
        .query_row(params![kind], |r| r.get(0))
}

/// The tables of 附录 B that can be imported, by URL name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// 表 B.1
    Users,
    /// 表 B.2
    Lawyers,
    /// 表 B.3
    Certifications,
    /// 表 B.5
    Orders,
}

impl Table {
    pub fn parse(s: &str) -> Option<Table> {
        Some(match s {
            "users" => Table::Users,
            "lawyers" => Table::Lawyers,
            "certifications" => Table::Certifications,
            "orders" => Table::Orders,
            _ => return None,
        })
    }

    /// The `kind` stored in `lw_records`.
    pub fn kind(self) -> &'static str {
        match self {
            Table::Users => "user",
            Table::Lawyers => "lawyer",
            Table::Certifications => "certification",
            Table::Orders => "order",
        }
    }

    pub fn specs(self) -> &'static [lawyer::records::FieldSpec] {
        use lawyer::records::tables as t;
        match self {
            Table::Users => &t::USER_FIELDS,
            Table::Lawyers => &t::LAWYER_FIELDS,
            Table::Certifications => &t::CERTIFICATION_FIELDS,
            Table::Orders => &t::ORDER_FIELDS,
        }
    }

    /// Lawyers and their certification files may name the lawyer's staff id (not a 附录 B field: it
    /// links the row to the platform account, for the word statistics' region and sex).
    pub fn links_staff(self) -> bool {
        matches!(self, Table::Lawyers | Table::Certifications)
    }

    /// List-valued fields (表 B.2 20208, 20209): JSON arrays, or `、` / `;` separated in CSV.
    fn is_list(self, field: &str) -> bool {
        self == Table::Lawyers && matches!(field, "frequent_courts" | "specialties")
    }
}

/// A row checked against its table, ready to be sealed.
#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub row: usize,
    /// The record as JSON (the table's fields only).
    pub record: Value,
    pub staff_id: Option<String>,
}

fn err(row: usize, field: &str, code: Option<u32>, expected: impl Into<String>) -> RowError {
    RowError {
        row,
        field: field.to_owned(),
        code,
        expected: expected.into(),
    }
}

/// Checks one row (a JSON object of field → value) against its table with `lawyer::records`.
pub fn check_row(table: Table, row: usize, obj: &serde_json::Map<String, Value>) -> Result<CheckedRow, Vec<RowError>> {
    let specs = table.specs();
    let mut errors = Vec::new();
    let mut record = serde_json::Map::new();
    let mut staff_id = None;
    for (k, v) in obj {
        if table.links_staff() && k == "staff_id" {
            match v {
                Value::String(s) if !s.trim().is_empty() => staff_id = Some(s.trim().to_owned()),
                Value::Null => {}
                Value::String(_) => {}
                _ => errors.push(err(
                    row,
                    k,
                    None,
                    "文本（律师的工作人员编号） (text: the lawyer's staff id)",
                )),
            }
            continue;
        }
        let Some(spec) = specs.iter().find(|s| s.field == k) else {
            let known: Vec<&str> = specs.iter().map(|s| s.field).collect();
            errors.push(err(
                row,
                k,
                None,
                format!("不是本表字段；应为 {} 之一 (unknown column)", known.join("、")),
            ));
            continue;
        };
        let value = match (v, table.is_list(k)) {
            (Value::Null, _) => continue,
            (Value::String(s), true) => Value::Array(
                s.split(['、', ';', '；'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            ),
            (Value::Array(items), true) if items.iter().all(Value::is_string) => v.clone(),
            (Value::String(s), false) if s.trim().is_empty() => continue,
            (Value::String(_), false) => v.clone(),
            // Spreadsheets turn phone numbers and prices into numbers; the text is what the table means.
            (Value::Number(n), false) => Value::String(n.to_string()),
            _ => {
                errors.push(err(row, k, Some(spec.code), format!("{}：文本 (text)", spec.name_zh)));
                continue;
            }
        };
        record.insert(k.clone(), value);
    }
    let record = Value::Object(record);
    let validated = match table {
        Table::Users => validate::<lawyer::records::tables::UserRecord>(&record, |r| r.validate()),
        Table::Lawyers => validate::<lawyer::records::tables::LawyerRecord>(&record, |r| r.validate()),
        Table::Certifications => validate::<lawyer::records::tables::CertificationRecord>(&record, |r| r.validate()),
        Table::Orders => validate::<lawyer::records::tables::ServiceOrderRecord>(&record, |r| r.validate()),
    };
    match validated {
        Ok(()) => {}
        Err(Some(fields)) => errors.extend(
            fields
                .into_iter()
                .map(|f| err(row, f.field, Some(f.code), f.to_string())),
        ),
        Err(None) => errors.push(err(row, "", None, "行格式有误 (the row does not fit the table)")),
    }
    if errors.is_empty() {
        Ok(CheckedRow { row, record, staff_id })
    } else {
        Err(errors)
    }
}

fn validate<T: serde::de::DeserializeOwned>(
    record: &Value,
    f: impl Fn(&T) -> Result<(), Vec<lawyer::records::FieldError>>,
) -> Result<(), Option<Vec<lawyer::records::FieldError>>> {
    let r: T = serde_json::from_value(record.clone()).map_err(|_| None)?;
    f(&r).map_err(Some)
}

/// The text of a field of a checked row.
pub fn text<'a>(record: &'a Value, field: &str) -> Option<&'a str> {
    record.get(field).and_then(Value::as_str)
}

/// Parses CSV (RFC 4180: quoted fields, `""` inside quotes, CRLF or LF) into rows of fields.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let text = text.trim_start_matches('\u{feff}');
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                line += 1;
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(format!("第 {line} 行：引号未闭合 (unterminated quote)"));
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows.retain(|r| !(r.len() == 1 && r[0].trim().is_empty()));
    Ok(rows)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_and_line_ends() {
        let rows = parse_csv("\u{feff}a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\n1,\n").unwrap();
        assert_eq!(rows, vec![vec!["a", "b"], vec!["x, y", "say \"hi\""], vec!["1", ""]]);
        assert!(parse_csv("a\n\"open").is_err());
    }

    #[test]
    fn rows_are_checked_against_appendix_b() {
        let obj = serde_json::json!({"name": "张三", "username": "zs", "phone": "1380013800", "native_place": "北京",
            "address": "某路 1 号", "source": "web", "age": 3});
        let errors = check_row(Table::Users, 4, obj.as_object().unwrap()).unwrap_err();
        let fields: Vec<(&str, Option<u32>)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(fields, vec![("age", None), ("phone", Some(20103))]);
        assert!(errors.iter().all(|e| e.row == 4));
    }
}
