//! Service guides (办事指南) of a service item: the materials to bring, the fee, the promised time limit,
//! the conditions and the legal basis. A kiosk shows and prints them (tender 21(2) "办事指南打印").

use serde::{Deserialize, Serialize};

use crate::config::ConfigError;

/// Most materials one guide may list.
pub const MAX_MATERIALS: usize = 40;
/// Longest material name, fee and time limit text, in characters.
pub const MAX_SHORT_CHARS: usize = 100;
/// Longest note, condition and basis text, in characters.
pub const MAX_LONG_CHARS: usize = 1000;
/// Most copies of one material a guide may ask for.
pub const MAX_COPIES: u32 = 99;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceGuide {
    /// 申请材料.
    pub materials: Vec<Material>,
    /// 收费标准, e.g. "免费" or "每件 10 元".
    pub fee: String,
    /// 承诺时限, e.g. "即办" or "5 个工作日".
    pub time_limit: String,
    /// 办理条件.
    #[serde(default)]
    pub conditions: Option<String>,
    /// 设定依据.
    #[serde(default)]
    pub basis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Material {
    pub name: String,
    /// 份数 (at least 1).
    pub copies: u32,
    /// Whether the original (原件) is shown; otherwise a copy (复印件) is handed in.
    pub original: bool,
    #[serde(default)]
    pub note: Option<String>,
}

fn text(path: String, v: &str, max: usize) -> Result<(), ConfigError> {
    let n = v.trim().chars().count();
    if n == 0 || n > max {
        return Err(ConfigError {
            field: path,
            message: format!("expected 1–{max} characters"),
        });
    }
    Ok(())
}

impl ServiceGuide {
    /// Checks names, copies and lengths; `path` is where the guide sits (`items[3].guide`), so an error
    /// names the field, e.g. `items[3].guide.materials[0].name`.
    pub fn validate(&self, path: &str) -> Result<(), ConfigError> {
        if self.materials.len() > MAX_MATERIALS {
            return Err(ConfigError {
                field: format!("{path}.materials"),
                message: format!("at most {MAX_MATERIALS} materials"),
            });
        }
        for (i, m) in self.materials.iter().enumerate() {
            let at = format!("{path}.materials[{i}]");
            text(format!("{at}.name"), &m.name, MAX_SHORT_CHARS)?;
            if !(1..=MAX_COPIES).contains(&m.copies) {
                return Err(ConfigError {
                    field: format!("{at}.copies"),
                    message: format!("expected 1–{MAX_COPIES} copies"),
                });
            }
            if let Some(note) = &m.note {
                text(format!("{at}.note"), note, MAX_LONG_CHARS)?;
            }
        }
        text(format!("{path}.fee"), &self.fee, MAX_SHORT_CHARS)?;
        text(format!("{path}.time_limit"), &self.time_limit, MAX_SHORT_CHARS)?;
        for (field, v) in [("conditions", &self.conditions), ("basis", &self.basis)] {
            if let Some(v) = v {
                text(format!("{path}.{field}"), v, MAX_LONG_CHARS)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guide() -> ServiceGuide {
        ServiceGuide {
            materials: vec![Material {
                name: "居民身份证".into(),
                copies: 1,
                original: true,
                note: None,
            }],
            fee: "免费".into(),
            time_limit: "即办".into(),
            conditions: Some("本市户籍居民".into()),
            basis: None,
        }
    }

    #[test]
    fn a_complete_guide_is_valid() {
        assert_eq!(guide().validate("items[0].guide"), Ok(()));
    }

    #[test]
    fn errors_name_the_field() {
        let mut g = guide();
        g.materials[0].name = "  ".into();
        assert_eq!(
            g.validate("items[3].guide").map_err(|e| e.field),
            Err("items[3].guide.materials[0].name".to_owned())
        );
        let mut g = guide();
        g.materials[0].copies = 0;
        assert_eq!(
            g.validate("items[3].guide").map_err(|e| e.field),
            Err("items[3].guide.materials[0].copies".to_owned())
        );
        let mut g = guide();
        g.fee = String::new();
        assert_eq!(g.validate("g").map_err(|e| e.field), Err("g.fee".to_owned()));
        let mut g = guide();
        g.basis = Some("法".repeat(MAX_LONG_CHARS + 1));
        assert_eq!(g.validate("g").map_err(|e| e.field), Err("g.basis".to_owned()));
    }
}
