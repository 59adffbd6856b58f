//! Wording: tera templates in `templates/text/*.tera` (editable by offices), rendered to
//! plain text that is then handed to Typst as data. Data inside the context is never
//! parsed as a template, so `{{ x }}` in a name stays literal.

use super::RenderError;
use super::templates::TemplateSet;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::error::Error as _;
use std::path::Path;

/// The tera wording engine; build once per run.
pub struct TextEngine {
    tera: tera::Tera,
    /// Wording files the workspace overrides: their renders run under the limits of
    /// [`super::limits`] (a template can loop).
    workspace: HashSet<String>,
}

/// Most items `range()` gives in a wording template (a notice lists a few dozen milestones).
pub const MAX_RANGE: u64 = 100_000;

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
        // Workspace wording is sandboxed: tera 1.x always registers `get_env`, which would print
        // the machine's environment into a public notice; `range` is bounded.
        tera.register_function("get_env", refuse_get_env);
        tera.register_function("range", bounded_range);
        let mut workspace = HashSet::new();
        for f in set.iter().filter(|f| f.is_tera()) {
            let name = f.name.strip_prefix(PREFIX).unwrap_or(&f.name).to_string();
            if matches!(f.origin, super::templates::Origin::Workspace(_)) {
                workspace.insert(name.clone());
            }
            tera.add_raw_template(&name, f.text()?).map_err(|e| RenderError::Text {
                file: f.name.clone(),
                message: error_chain(&e),
            })?;
        }
        Ok(TextEngine { tera, workspace })
    }

    /// Renders `name` (e.g. `notice.tera`) with a serialisable context.
    pub fn render<C: Serialize>(&self, name: &str, ctx: &C) -> Result<String, RenderError> {
        let file = format!("{PREFIX}{name}");
        let context = tera::Context::from_serialize(ctx).map_err(|e| RenderError::Data(error_chain(&e)))?;
        let _watch = self
            .workspace
            .contains(name)
            .then(|| super::limits::watch(&format!("“templates/{file}”")));
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

fn refuse_get_env(_: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    Err(tera::Error::msg(
        "文字模板不能读取环境变量（get_env 已停用）。请删去 get_env，把需要的文字直接写进模板或 campaign.yaml",
    ))
}

/// tera's `range(start=0, end, step_by=1)`, refusing more than [`MAX_RANGE`] items.
fn bounded_range(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let arg = |key: &str, default: Option<u64>| -> tera::Result<u64> {
        match args.get(key) {
            None => default.ok_or_else(|| tera::Error::msg(format!("range() 缺少参数 {key}"))),
            Some(v) => v
                .as_u64()
                .or_else(|| {
                    v.as_f64()
                        .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19)
                        .map(|f| f as u64)
                })
                .ok_or_else(|| tera::Error::msg(format!("range() 的参数 {key}={v} 应为非负整数"))),
        }
    };
    let start = arg("start", Some(0))?;
    let end = arg("end", None)?;
    let step = arg("step_by", Some(1))?;
    if step == 0 {
        return Err(tera::Error::msg("range() 的 step_by 不能为 0"));
    }
    if start > end {
        return Err(tera::Error::msg("range() 的 start 不能大于 end"));
    }
    let count = (end - start).div_ceil(step);
    if count > MAX_RANGE {
        return Err(tera::Error::msg(format!(
            "range() 要生成 {count} 项，超过上限 {MAX_RANGE} 项。请缩小 range 的范围"
        )));
    }
    let items: Vec<tera::Value> = (0..count).map(|i| tera::Value::from(start + i * step)).collect();
    Ok(tera::Value::Array(items))
}

pub use crate::model::zh_num;

fn zh_num_filter(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let n = value
        .as_u64()
        .ok_or_else(|| tera::Error::msg("zh_num 只接受非负整数"))?;
    Ok(tera::Value::String(zh_num(n)))
}

impl crate::documents::Wording for TextEngine {
    type Error = RenderError;
    fn words<C: Serialize>(&self, name: &str, vars: &C) -> Result<String, RenderError> {
        self.render(name, vars)
    }
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

    fn workspace_engine(template: &str) -> TextEngine {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(dir.path().join("text")).expect("mkdir");
        fs::write(dir.path().join("text/t.tera"), template).expect("write");
        TextEngine::new(Some(dir.path())).expect("engine")
    }

    #[test]
    fn get_env_is_refused() {
        let e = workspace_engine("{{ get_env(name=\"PATH\") }}")
            .render("t.tera", &serde_json::json!({}))
            .expect_err("get_env refused");
        let msg = e.to_string();
        assert!(msg.contains("get_env 已停用") && msg.contains("text/t.tera"), "{msg}");
        let path = std::env::var("PATH").unwrap_or_default();
        assert!(path.is_empty() || !msg.contains(&path), "{msg}");
        // A default does not bring it back.
        let e =
            workspace_engine("{{ get_env(name=\"PATH\", default=\"x\") }}").render("t.tera", &serde_json::json!({}));
        assert!(e.is_err());
    }

    #[test]
    fn range_is_bounded_but_works() {
        let e = workspace_engine("{% for i in range(start=1, end=10, step_by=3) %}{{ i }},{% endfor %}");
        assert_eq!(e.render("t.tera", &serde_json::json!({})).expect("render"), "1,4,7,");
        let e = workspace_engine("{% for i in range(end=10000000000) %}x{% endfor %}");
        let msg = e
            .render("t.tera", &serde_json::json!({}))
            .expect_err("too big")
            .to_string();
        assert!(msg.contains("超过上限 100000 项"), "{msg}");
        let e = workspace_engine("{% for i in range(end=10000000000.0) %}x{% endfor %}");
        assert!(e.render("t.tera", &serde_json::json!({})).is_err());
        assert_eq!(
            bounded_range(&HashMap::from([("end".to_string(), tera::Value::from(100_000))]))
                .map(|v| v.as_array().map(Vec::len))
                .ok()
                .flatten(),
            Some(100_000)
        );
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
