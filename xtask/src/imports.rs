//! `cargo xtask imports`: finds import circles between the files of each crate and fails on any circle
//! larger than one folder (ARCHITECTURE.md's rule "no import circle larger than one folder").
//!
//! A file's module path comes from where it lies (`src/a/b.rs` and `src/a/b/mod.rs` are `a::b`); its
//! imports are the `crate::…`, `super::…` and `self::…` paths it names (in `use` trees, braces included,
//! and inline), each resolved to the deepest module that is a file. `mod x;` lines are not imports. A
//! strongly connected component of that graph is allowed when its files are one module and its direct
//! children (one folder: siblings, or a module with the files in its own folder); anything wider is a
//! circle that ties layers together, and is reported with its files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

/// One crate's files as module paths (`[]` is the crate root) and the imports between them.
#[derive(Debug, Default)]
pub struct Graph {
    pub files: BTreeMap<Vec<String>, PathBuf>,
    pub edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
}

/// A circle wider than one folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Circle {
    pub krate: String,
    pub files: Vec<PathBuf>,
}

/// The module path of `file` below `src`, or `None` for files outside the module tree (e.g. `bin/`).
fn module_path(src: &Path, file: &Path) -> Option<Vec<String>> {
    let rel = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop()?;
    let stem = last.strip_suffix(".rs")?;
    match stem {
        "lib" | "main" if parts.is_empty() => {}
        "mod" => {}
        s => parts.push(s.to_owned()),
    }
    Some(parts)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "bin") {
                continue; // separate crates
            }
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Drops comments and string literals, so a path in a doc comment or a message is no import.
fn strip(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if !escaped && c == '"' {
                        break;
                    }
                    escaped = !escaped && c == '\\';
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every path that starts with `crate`, `super` or `self`, braces of `use` trees expanded.
fn paths(source: &str) -> Vec<Vec<String>> {
    let text = strip(source);
    let bytes: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let boundary = i == 0 || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_' || bytes[i - 1] == ':');
        if boundary {
            for head in ["crate::", "super::", "self::"] {
                let h: Vec<char> = head.chars().collect();
                if bytes[i..].starts_with(&h) {
                    let (tree, end) = use_tree(&bytes, i);
                    found.extend(tree);
                    i = end;
                    break;
                }
            }
        }
        i += 1;
    }
    found
}

/// Reads a path or `use` tree starting at `at`; returns the expanded paths and where it ended.
fn use_tree(s: &[char], at: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix: Vec<String> = Vec::new();
    let mut seg = String::new();
    let mut i = at;
    while i < s.len() {
        let c = s[i];
        if c.is_alphanumeric() || c == '_' {
            seg.push(c);
            i += 1;
        } else if c == ':' && s.get(i + 1) == Some(&':') {
            prefix.push(std::mem::take(&mut seg));
            i += 2;
        } else if c == '{' {
            // A group: each member is a tree of its own under the prefix.
            let mut out = Vec::new();
            i += 1;
            loop {
                while i < s.len() && (s[i].is_whitespace() || s[i] == ',') {
                    i += 1;
                }
                if i >= s.len() || s[i] == '}' {
                    break;
                }
                let (inner, end) = use_tree(s, i);
                for p in inner {
                    out.push([prefix.clone(), p].concat());
                }
                i = end.max(i + 1);
            }
            return (out, i + 1);
        } else {
            break;
        }
    }
    if !seg.is_empty() {
        prefix.push(seg);
    }
    (vec![prefix], i)
}

/// Reads one crate (its `src/`).
pub fn graph(src: &Path) -> Result<Graph> {
    let mut files = Vec::new();
    rust_files(src, &mut files)?;
    let mut g = Graph::default();
    let mut sources = Vec::new();
    for f in files {
        if let Some(m) = module_path(src, &f) {
            sources.push((m.clone(), std::fs::read_to_string(&f)?));
            g.files.insert(m, f);
        }
    }
    for (module, source) in &sources {
        let mut targets = BTreeSet::new();
        for path in paths(source) {
            let mut abs: Vec<String> = Vec::new();
            let mut rest = path.as_slice();
            match rest.first().map(String::as_str) {
                Some("crate") => rest = &rest[1..],
                _ => {
                    abs = module.clone();
                    while let Some(head) = rest.first().map(String::as_str) {
                        match head {
                            "super" => {
                                abs.pop();
                            }
                            "self" => {}
                            _ => break,
                        }
                        rest = &rest[1..];
                    }
                }
            }
            abs.extend(rest.iter().filter(|s| !s.is_empty()).cloned());
            // The deepest prefix that is a file of the crate.
            while !abs.is_empty() && !g.files.contains_key(&abs) {
                abs.pop();
            }
            if &abs != module && g.files.contains_key(&abs) {
                targets.insert(abs);
            }
        }
        g.edges.insert(module.clone(), targets);
    }
    Ok(g)
}

/// Strongly connected components with more than one file (Tarjan).
pub fn circles(g: &Graph) -> Vec<Vec<Vec<String>>> {
    struct T<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        on: BTreeSet<&'a Vec<String>>,
        out: Vec<Vec<Vec<String>>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a Vec<String>) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        if let Some(next) = t.g.edges.get(v) {
            for w in next {
                if !t.index.contains_key(w) {
                    visit(t, w);
                    let lw = t.low[w];
                    let lv = t.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if t.on.contains(w) {
                    let iw = t.index[w];
                    let lv = t.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
        }
        if t.low[v] == t.index[v] {
            let mut scc = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                scc.push(w.clone());
                if w == v {
                    break;
                }
            }
            if scc.len() > 1 {
                scc.sort();
                t.out.push(scc);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.files.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

/// One folder: some module `m` such that every member is `m` or a direct child of `m`.
pub fn one_folder(scc: &[Vec<String>]) -> bool {
    let parent = |m: &Vec<String>| m[..m.len().saturating_sub(1)].to_vec();
    let candidates: BTreeSet<Vec<String>> = scc.iter().flat_map(|m| [m.clone(), parent(m)]).collect();
    candidates
        .iter()
        .any(|c| scc.iter().all(|m| m == c || (!m.is_empty() && &parent(m) == c)))
}

/// The workspace's crates (folders with a Cargo.toml and a src/), checked one by one.
pub fn check(root: &Path) -> Result<Vec<Circle>> {
    let mut crates = Vec::new();
    find_crates(root, &mut crates, 0)?;
    let mut wide = Vec::new();
    for dir in crates {
        let g = graph(&dir.join("src"))?;
        let name = dir.strip_prefix(root).unwrap_or(&dir).display().to_string();
        for scc in circles(&g) {
            if !one_folder(&scc) {
                wide.push(Circle {
                    krate: name.clone(),
                    files: scc.iter().map(|m| g.files[m].clone()).collect(),
                });
            }
        }
    }
    Ok(wide)
}

fn find_crates(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> Result<()> {
    if dir.join("Cargo.toml").exists() && dir.join("src").is_dir() {
        out.push(dir.to_path_buf());
    }
    if depth >= 2 {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() && !name.starts_with('.') && !matches!(name.as_str(), "target" | "fuzz" | "node_modules") {
            find_crates(&path, out, depth + 1)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<String> {
        if s.is_empty() {
            vec![]
        } else {
            s.split("::").map(str::to_owned).collect()
        }
    }

    #[test]
    fn use_trees_expand_and_comments_and_strings_do_not_count() {
        let src = r#"
            use crate::{api::views::{A, B}, store};
            // use crate::demo::X;
            let s = "crate::auth::sign";
            fn f() { super::sibling::g(); self::child::h(); }
        "#;
        let got: BTreeSet<Vec<String>> = paths(src).into_iter().collect();
        assert!(got.contains(&p("crate::api::views::A")));
        assert!(got.contains(&p("crate::api::views::B")));
        assert!(got.contains(&p("crate::store")));
        assert!(got.contains(&p("super::sibling::g")));
        assert!(got.contains(&p("self::child::h")));
        assert!(
            !got.iter()
                .any(|x| x.contains(&"demo".to_owned()) || x.contains(&"auth".to_owned()))
        );
    }

    #[test]
    fn one_folder_allows_siblings_and_a_module_with_its_children_only() {
        assert!(one_folder(&[p("event"), p("hall"), p("appointment")]));
        assert!(one_folder(&[p("api::quality"), p("api::quality::qc")]));
        assert!(one_folder(&[p(""), p("app")]));
        assert!(!one_folder(&[p("api::tickets"), p("store::sqlite")]));
        assert!(!one_folder(&[p("api"), p("api::halls"), p("api::halls::deep")]));
    }

    #[test]
    fn a_circle_across_folders_is_found_and_one_inside_a_folder_is_allowed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("src");
        for (file, body) in [
            ("lib.rs", "pub mod api; pub mod store; pub mod a; pub mod b;"),
            ("api/mod.rs", "pub mod tickets;"),
            ("api/tickets.rs", "use crate::store::sqlite::Row;"),
            ("store/mod.rs", "pub mod sqlite;"),
            ("store/sqlite.rs", "fn f() { crate::api::tickets::issue(); }"),
            ("a.rs", "use super::b::B;"),
            ("b.rs", "use crate::a::A;"),
        ] {
            let path = src.join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, body).expect("write");
        }
        let g = graph(&src).expect("graph");
        let sccs = circles(&g);
        assert_eq!(sccs.len(), 2, "{sccs:?}");
        let wide: Vec<_> = sccs.iter().filter(|s| !one_folder(s)).collect();
        assert_eq!(wide, vec![&vec![p("api::tickets"), p("store::sqlite")]]);
    }
}
