//! The message catalogue: zh-CN by default, English available. Every user-facing string of the
//! web layer goes through here; a test checks that every key the templates use exists in both.
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn parse(raw: &str) -> Lang {
        if raw.trim().to_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

mod admin;
mod base;
mod discipline;
mod documents;
mod identity;
mod letters;
mod quality_records;
mod rectification;

/// The catalogue, by feature: (key, zh-CN, en).
const CATALOGUE: &[&[(&str, &str, &str)]] = &[
    base::ENTRIES,
    admin::ENTRIES,
    documents::ENTRIES,
    quality_records::ENTRIES,
    letters::ENTRIES,
    rectification::ENTRIES,
    identity::ENTRIES,
    discipline::ENTRIES,
];

fn index() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static IDX: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    IDX.get_or_init(|| {
        CATALOGUE
            .iter()
            .flat_map(|c| c.iter())
            .map(|(k, zh, en)| (*k, (*zh, *en)))
            .collect()
    })
}

/// A translator for one language; templates call its `s` method with a catalogue key.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn s(&self, key: &str) -> &'static str {
        match index().get(key) {
            Some((zh, en)) => {
                if self.0 == Lang::En {
                    en
                } else {
                    zh
                }
            }
            None => "??",
        }
    }
    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
    /// An audit action's name in this language (the code itself when unnamed).
    pub fn audit_action(&self, action: &str) -> String {
        match index().get(format!("audit.action.{action}").as_str()) {
            Some(_) => self.s(&format!("audit.action.{action}")).to_string(),
            None => action.to_string(),
        }
    }
    /// An audit entry's before/after as readable lines: each field named, "before → after".
    pub fn audit_diff(&self, before: &str, after: &str) -> Vec<String> {
        use serde_json::Value;
        let parse = |s: &str| match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => m,
            Ok(other) if !s.is_empty() => {
                let mut m = serde_json::Map::new();
                m.insert("value".into(), other);
                m
            }
            _ => serde_json::Map::new(),
        };
        let (b, a) = (parse(before), parse(after));
        let show = |v: Option<&Value>| match v {
            None | Some(Value::Null) => "—".to_string(),
            Some(Value::String(s)) => s.chars().take(120).collect(),
            Some(v) => v.to_string().chars().take(120).collect(),
        };
        let mut keys: Vec<&String> = a.keys().collect();
        keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
        let blank = |v: Option<&Value>| match v {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            _ => false,
        };
        keys.into_iter()
            // nothing said where there is nothing before or after
            .filter(|k| !(blank(b.get(*k)) && blank(a.get(*k))))
            .take(12)
            .map(|k| {
                let name = match index().get(format!("audit.field.{k}").as_str()) {
                    Some(_) => self.s(&format!("audit.field.{k}")).to_string(),
                    None => k.clone(),
                };
                match (b.get(k), a.get(k)) {
                    (Some(x), Some(y)) if x != y => {
                        format!("{name}：{} → {}", show(Some(x)), show(Some(y)))
                    }
                    (Some(x), None) => format!("{name}：{} → —", show(Some(x))),
                    (_, y) => format!("{name}：{}", show(y)),
                }
            })
            .collect()
    }
    /// A stored UTC time (RFC 3339) shown in China time, to the minute.
    pub fn time(&self, rfc3339: &str) -> String {
        match duban_store::china_time(rfc3339) {
            Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
            None => rfc3339.to_string(),
        }
    }
    /// A refusal of the domain's rules in this language, with the values it names.
    pub fn rule(&self, e: &duban_domain::rectification::RuleError) -> String {
        let mut out = self.s(e.key()).to_string();
        for (i, a) in e.args().iter().enumerate() {
            out = out.replace(&format!("{{{i}}}"), a);
        }
        out
    }
    pub fn role(&self, role: &duban_domain::org::Role) -> &'static str {
        self.s(&format!("role.{}", role.as_str()))
    }
    pub fn category(&self, c: &duban_domain::rectification::Category) -> &'static str {
        self.s(&format!("category.{}", c.as_str()))
    }
    pub fn state(&self, s: &duban_domain::rectification::TaskState) -> &'static str {
        self.s(&format!("state.{}", s.as_str()))
    }
    pub fn light(&self, l: &duban_domain::rectification::Light) -> &'static str {
        self.s(&format!("light.{}", l.as_str()))
    }
    pub fn notice(&self, level: &str) -> &'static str {
        self.s(&format!("notice.{level}"))
    }
    pub fn entry(&self, kind: &str) -> &'static str {
        self.s(&format!("entry.{kind}"))
    }
    /// A label of a supervised matter's kind: `part` is "" (the kind), "by", "period", "date" or "due".
    pub fn source(&self, kind: &str, part: &str) -> &'static str {
        if part.is_empty() {
            self.s(&format!("source.{kind}"))
        } else {
            self.s(&format!("source.{kind}.{part}"))
        }
    }
    /// A letter's channel, category or step, by its code.
    pub fn letter(&self, group: &str, code: &str) -> &'static str {
        self.s(&format!("{group}.{code}"))
    }
    /// A choice of a fixed list (a category, a manner, a kind) in this language: its Chinese
    /// name, or in English the catalogue's `choice.<group>.<code>`.
    pub fn choice(&self, group: &str, code: &str, zh: &'static str) -> &'static str {
        if self.0 == Lang::En {
            match index().get(format!("choice.{group}.{code}").as_str()) {
                Some((_, en)) => en,
                None => zh,
            }
        } else {
            zh
        }
    }
    /// A level given as text ("1" … "4"), as the figures key it.
    pub fn level_of(&self, level: &str) -> &'static str {
        self.s(&format!("level.{}", level.trim()))
    }
    /// A word of the discipline desk's figures (keyed by its Chinese name) in this language.
    pub fn zh_word(&self, group: &str, zh: &str) -> String {
        use duban_domain::discipline::{ClueSource, Disposal, Outcome};
        let code = match group {
            "disposal" => Disposal::ALL
                .iter()
                .find(|d| d.zh() == zh)
                .map(|d| d.as_str()),
            "outcome" => Outcome::ALL
                .iter()
                .find(|d| d.zh() == zh)
                .map(|d| d.as_str()),
            "source" => ClueSource::ALL
                .iter()
                .find(|d| d.zh() == zh)
                .map(|d| d.as_str()),
            _ => None,
        };
        match code {
            Some(c) => self.s(&format!("choice.{group}.{c}")).to_string(),
            None => zh.to_string(),
        }
    }
    pub fn level(&self, level: &i64) -> &'static str {
        self.s(&format!("level.{level}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn catalog_has_unique_keys() {
        assert_eq!(
            index().len(),
            CATALOGUE.iter().map(|c| c.len()).sum::<usize>(),
            "duplicate keys in the catalogue"
        );
    }
    #[test]
    fn every_choice_has_its_english() {
        use duban_domain::records::{IntervenerCategory, Manner, Matter};
        let mut codes: Vec<(&str, &str)> = vec![];
        codes.extend(
            IntervenerCategory::ALL
                .iter()
                .map(|c| ("intervener", c.as_str())),
        );
        codes.extend(Manner::ALL.iter().map(|c| ("manner", c.as_str())));
        codes.extend(Matter::ALL.iter().map(|c| ("matter", c.as_str())));
        codes.extend(
            duban_domain::paperwork::Kind::ALL
                .iter()
                .map(|c| ("paperwork", c.as_str())),
        );
        codes.extend(
            duban_domain::paperwork::Metric::ALL
                .iter()
                .map(|c| ("metric", c.as_str())),
        );
        codes.extend(
            duban_domain::documents::Kind::ALL
                .iter()
                .map(|c| ("document", c.as_str())),
        );
        use duban_domain::letters::answers::{OrganKind, Rating, ReplyKind};
        codes.extend(ReplyKind::ALL.iter().map(|c| ("reply", c.as_str())));
        codes.extend(OrganKind::ALL.iter().map(|c| ("organ", c.as_str())));
        codes.extend(Rating::ALL.iter().map(|c| ("rating", c.as_str())));
        codes.extend(
            duban_domain::documents::TOKENS
                .iter()
                .map(|(name, _)| ("token", *name)),
        );
        for s in duban_domain::letters::Step::ALL {
            assert_ne!(
                Tr(Lang::En).s(&format!("step.{}", s.as_str())),
                "??",
                "{s:?}"
            );
        }
        for (group, code) in codes {
            let en = Tr(Lang::En).choice(group, code, "");
            assert!(!en.is_empty(), "no English for {group}.{code}");
        }
        for k in duban_domain::todo::Kind::ALL {
            assert_ne!(
                Tr(Lang::En).s(&format!("todo.{}", k.as_str())),
                "??",
                "{k:?}"
            );
        }
    }
    /// A template's own words go through the catalogue: no Chinese character in a template
    /// outside an expression (data and catalogue texts come in through `{{ … }}`), nor in a
    /// string literal inside one, except as the Chinese fallback of `choice` (its third
    /// argument, which `every_choice_has_its_english` covers).
    #[test]
    fn templates_hold_no_chinese_of_their_own() {
        let han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut found = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let mut rest = text.as_str();
            let mut outside = String::new();
            let mut literals = String::new();
            // split into the text outside {{ }}, {% %}, {# #} and the expressions' string literals
            while let Some(i) = rest.find(['{']) {
                outside.push_str(&rest[..i]);
                let close = match rest[i..].chars().nth(1) {
                    Some('{') => "}}",
                    Some('%') => "%}",
                    Some('#') => "#}",
                    _ => {
                        outside.push('{');
                        rest = &rest[i + 1..];
                        continue;
                    }
                };
                let end = rest[i..].find(close).map_or(rest.len(), |j| i + j + 2);
                let expr = &rest[i..end];
                if !expr.starts_with("{#") {
                    for (k, lit) in expr.split('"').enumerate() {
                        if k % 2 == 1 && !expr.contains(".choice(") {
                            literals.push_str(lit);
                            literals.push(' ');
                        }
                    }
                }
                rest = &rest[end..];
            }
            outside.push_str(rest);
            for (what, s) in [("text", &outside), ("literal", &literals)] {
                if s.chars().any(han) {
                    let at: String = s
                        .lines()
                        .filter(|l| l.chars().any(han))
                        .take(3)
                        .collect::<Vec<_>>()
                        .join(" | ");
                    found.push(format!("{} ({what}): {at}", path.display()));
                }
            }
        }
        assert!(
            found.is_empty(),
            "Chinese outside the catalogue:\n{}",
            found.join("\n")
        );
    }
    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        ];
        let mut missing = Vec::new();
        let mut todo: Vec<std::path::PathBuf> = dirs.iter().map(Into::into).collect();
        while let Some(path) = todo.pop() {
            if path.is_dir() {
                todo.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split(".s(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                if !index().contains_key(key) {
                    missing.push(key.to_string());
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue: {missing:?}"
        );
    }
}
