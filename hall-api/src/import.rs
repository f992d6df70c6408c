//! Bulk import of the platform's tables (`/lawyer-import/{table}`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportQuery {
    /// Check only; nothing is written.
    pub dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// `imported`, `checked` (dry run, all valid) or `invalid_rows`.
    pub code: String,
    pub message: String,
    /// The first bad field, if any.
    pub field: Option<String>,
    pub table: String,
    pub dry_run: bool,
    /// Rows in the upload.
    pub rows: usize,
    /// Rows of this table stored before and after (equal unless imported).
    pub before: u64,
    pub after: u64,
    /// Every problem, by row (1-based, the CSV header not counted).
    pub errors: Vec<RowError>,
}

/// One problem of one row: the row (1-based, header not counted), the field and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    pub row: usize,
    pub field: String,
    /// 附录 B 数据元格式 (e.g. 20103); none for a column outside the table.
    pub code: Option<u32>,
    /// What the field should be, in Chinese first.
    pub expected: String,
}
