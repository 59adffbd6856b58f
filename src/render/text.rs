//! Wording: tera templates in `templates/text/*.tera` (editable by offices), rendered to
//! plain text that is then handed to Typst as data. Data inside the context is never
//! parsed as a template, so `{{ x }}` in a name stays literal.

use super::RenderError;
use super::templates::TemplateSet;
use serde::Serialize;
use std::collections::HashMap;
use std::error::Error as _;
use std::path::Path;

/// The tera wording engine; build once per run.
pub struct TextEngine {
    tera: tera::Tera,
}

/// Folder of wording templates inside `templates/`.
const PREFIX: &str = "text/";

impl TextEngine {
    /// Built-in wording overridden by `workspace_templates/text/*.tera`.
    pub fn new(workspace_templates: Option<&Path>) -> Result<TextEngine, RenderError> {
        TextEngine::from_set(&TemplateSet::load(workspace_templates)?)
    }

    pub fn from_set(set: &TemplateSet) -> Result<TextEngine, RenderError> {
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![]);
        tera.register_filter("zh_num", zh_num_filter);
        for f in set.iter().filter(|f| f.is_tera()) {
            let name = f.name.strip_prefix(PREFIX).unwrap_or(&f.name).to_string();
            tera.add_raw_template(&name, f.text()?).map_err(|e| RenderError::Text {
                file: f.name.clone(),
                message: error_chain(&e),
            })?;
        }
        Ok(TextEngine { tera })
    }

    /// Renders `name` (e.g. `notice.tera`) with a serialisable context.
    pub fn render<C: Serialize>(&self, name: &str, ctx: &C) -> Result<String, RenderError> {
        let file = format!("{PREFIX}{name}");
        let context = tera::Context::from_serialize(ctx).map_err(|e| RenderError::Data(error_chain(&e)))?;
        self.tera.render(name, &context).map_err(|e| RenderError::Text {
            file,
            message: error_chain(&e),
        })
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }
}

fn error_chain(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push('：');
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// Chinese numeral for a small ordinal: 1 → 一, 10 → 十, 12 → 十二, 21 → 二十一.
pub fn zh_num(n: u64) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10..=19 => format!("十{}", if n.is_multiple_of(10) { "" } else { D[(n % 10) as usize] }),
        20..=99 => format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n.is_multiple_of(10) { "" } else { D[(n % 10) as usize] }
        ),
        _ => n.to_string(),
    }
}

fn zh_num_filter(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let n = value
        .as_u64()
        .ok_or_else(|| tera::Error::msg("zh_num 只接受非负整数"))?;
    Ok(tera::Value::String(zh_num(n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn chinese_numerals() {
        assert_eq!(zh_num(1), "一");
        assert_eq!(zh_num(10), "十");
        assert_eq!(zh_num(12), "十二");
        assert_eq!(zh_num(20), "二十");
        assert_eq!(zh_num(21), "二十一");
    }

    #[test]
    fn data_is_not_template_syntax() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(dir.path().join("text")).expect("mkdir");
        fs::write(dir.path().join("text/t.tera"), "户主：{{ name }}，第{{ n | zh_num }}条").expect("write");
        let e = TextEngine::new(Some(dir.path())).expect("engine");
        let out = e
            .render("t.tera", &serde_json::json!({"name": "{{ x }}{% if %}<b>", "n": 3}))
            .expect("render");
        assert_eq!(out, "户主：{{ x }}{% if %}<b>，第三条");
    }

    #[test]
    fn template_errors_name_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(dir.path().join("text")).expect("mkdir");
        fs::write(dir.path().join("text/bad.tera"), "{% if %}").expect("write");
        let e = TextEngine::new(Some(dir.path())).err().expect("error");
        assert!(e.to_string().contains("text/bad.tera"), "{e}");
    }
}
