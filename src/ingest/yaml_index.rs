//! Line and column of keys and list items in block-style YAML.
//!
//! serde_yaml's values carry no positions, so after a successful parse this small indexer walks
//! the text's indentation structure (block mappings, block sequences, single-line flow mappings)
//! to point a clerk at `file.yaml:14:3`. It only ever refines a place: when the text uses a shape
//! it does not follow, lookups return `None` and callers fall back to a path such as `户第3项`.

/// 1-based (line, column), columns counted in characters.
pub type Pos = (usize, usize);

#[derive(Debug, Default)]
pub enum Node {
    Map(Vec<(String, Pos, Node)>),
    Seq(Vec<(Pos, Node)>),
    #[default]
    Leaf,
}

/// A step in a path: a mapping key as written, or a 0-based list index.
#[derive(Debug, Clone, Copy)]
pub enum Seg<'a> {
    Key(&'a str),
    Idx(usize),
}

#[derive(Debug, Clone)]
struct Line<'a> {
    no: usize,
    /// Indentation in characters.
    indent: usize,
    text: &'a str,
}

#[derive(Debug, Default)]
pub struct YamlIndex {
    root: Node,
}

impl YamlIndex {
    pub fn new(src: &str) -> YamlIndex {
        let mut lines = Vec::new();
        for (i, raw) in src.lines().enumerate() {
            let raw = raw.strip_prefix('\u{FEFF}').unwrap_or(raw);
            let text = raw.trim_start_matches(' ');
            let t = text.trim_end();
            if t.is_empty() || t.starts_with('#') || t == "---" || t == "..." || t.starts_with("%") {
                continue;
            }
            lines.push(Line {
                no: i + 1,
                indent: raw.len() - text.len(),
                text: t,
            });
        }
        let mut i = 0;
        let root = parse_node(&mut lines, &mut i, 0);
        YamlIndex { root }
    }

    /// Position of the key or item at the end of `path`.
    pub fn locate(&self, path: &[Seg]) -> Option<Pos> {
        let mut node = &self.root;
        let mut pos = None;
        for seg in path {
            match (node, seg) {
                (Node::Map(entries), Seg::Key(k)) => {
                    let (_, p, n) = entries.iter().find(|(key, _, _)| key == k)?;
                    pos = Some(*p);
                    node = n;
                }
                (Node::Seq(items), Seg::Idx(i)) => {
                    let (p, n) = items.get(*i)?;
                    pos = Some(*p);
                    node = n;
                }
                _ => return None,
            }
        }
        pos
    }

    /// Number of items of the list at `path` (to check the index agrees with the parsed value).
    pub fn seq_len(&self, path: &[Seg]) -> Option<usize> {
        let mut node = &self.root;
        for seg in path {
            node = match (node, seg) {
                (Node::Map(entries), Seg::Key(k)) => &entries.iter().find(|(key, _, _)| key == k)?.2,
                (Node::Seq(items), Seg::Idx(i)) => &items.get(*i)?.1,
                _ => return None,
            };
        }
        match node {
            Node::Seq(items) => Some(items.len()),
            _ => None,
        }
    }
}

fn is_seq_item(t: &str) -> bool {
    t == "-" || t.starts_with("- ")
}

/// `key: rest` → (key, rest). Handles quoted keys; a colon must be followed by a space or the end.
fn key_of(t: &str) -> Option<(String, &str)> {
    let first = t.chars().next()?;
    if matches!(first, '{' | '[' | '-' | '#' | '&' | '*' | '!' | '|' | '>' | '?') {
        return None;
    }
    if first == '"' || first == '\'' {
        let close = t[1..].find(first)? + 1;
        let after = &t[close + 1..];
        let after = after.trim_start();
        let rest = after.strip_prefix(':')?;
        if !(rest.is_empty() || rest.starts_with(' ')) {
            return None;
        }
        return Some((t[1..close].to_string(), rest.trim()));
    }
    let mut search = 0;
    while let Some(off) = t[search..].find(':') {
        let at = search + off;
        let rest = &t[at + 1..];
        if rest.is_empty() || rest.starts_with(' ') {
            return Some((t[..at].trim().to_string(), rest.trim()));
        }
        search = at + 1;
    }
    None
}

fn strip_comment(rest: &str) -> &str {
    if rest.starts_with('#') { "" } else { rest }
}

/// Skips continuation lines of a value (more indented than its key).
fn skip_deeper(lines: &[Line], i: &mut usize, indent: usize) {
    while *i < lines.len() && lines[*i].indent > indent {
        *i += 1;
    }
}

fn parse_node(lines: &mut [Line], i: &mut usize, min_indent: usize) -> Node {
    let Some(line) = lines.get(*i) else { return Node::Leaf };
    if line.indent < min_indent {
        return Node::Leaf;
    }
    let indent = line.indent;
    if is_seq_item(line.text) {
        parse_seq(lines, i, indent)
    } else if key_of(line.text).is_some() {
        parse_map(lines, i, indent)
    } else {
        *i += 1;
        skip_deeper(lines, i, indent);
        Node::Leaf
    }
}

fn parse_seq(lines: &mut [Line], i: &mut usize, indent: usize) -> Node {
    let mut items = Vec::new();
    while *i < lines.len() && lines[*i].indent == indent && is_seq_item(lines[*i].text) {
        let line = lines[*i].clone();
        let pos = (line.no, indent + 1);
        let after_dash = &line.text[1..];
        let rest = after_dash.trim_start_matches(' ');
        let rest_indent = indent + 1 + (after_dash.len() - rest.len());
        let node = if rest.is_empty() {
            *i += 1;
            if *i < lines.len() && lines[*i].indent > indent {
                parse_node(lines, i, indent + 1)
            } else {
                Node::Leaf
            }
        } else if is_seq_item(rest) || key_of(rest).is_some() {
            // `- key: value` starts a mapping whose keys line up with `key`.
            lines[*i] = Line {
                no: line.no,
                indent: rest_indent,
                text: rest,
            };
            parse_node(lines, i, rest_indent)
        } else if rest.starts_with('{') {
            *i += 1;
            skip_deeper(lines, i, indent);
            flow_map(rest, line.no, rest_indent)
        } else {
            *i += 1;
            skip_deeper(lines, i, indent);
            Node::Leaf
        };
        items.push((pos, node));
    }
    Node::Seq(items)
}

fn parse_map(lines: &mut [Line], i: &mut usize, indent: usize) -> Node {
    let mut entries = Vec::new();
    while *i < lines.len() && lines[*i].indent == indent && !is_seq_item(lines[*i].text) {
        let line = lines[*i].clone();
        let Some((key, rest)) = key_of(line.text) else { break };
        let pos = (line.no, indent + 1);
        let rest = strip_comment(rest);
        *i += 1;
        let node = if rest.is_empty() {
            match lines.get(*i) {
                Some(next) if next.indent > indent => parse_node(lines, i, indent + 1),
                // A list may sit at the same indentation as its key.
                Some(next) if next.indent == indent && is_seq_item(next.text) => parse_seq(lines, i, indent),
                _ => Node::Leaf,
            }
        } else if rest.starts_with('{') {
            let col = indent + line.text.chars().count() - rest.chars().count();
            skip_deeper(lines, i, indent);
            flow_map(rest, line.no, col)
        } else {
            skip_deeper(lines, i, indent);
            Node::Leaf
        };
        entries.push((key, pos, node));
    }
    Node::Map(entries)
}

/// Keys of a one-line flow mapping `{a: 1, b: [x, y]}` starting at 0-based char column `col`.
fn flow_map(text: &str, line: usize, col: usize) -> Node {
    let mut entries = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut key_start: Option<usize> = None;
    let mut expecting_key = false;
    let mut key_buf = String::new();
    for (ci, ch) in text.chars().enumerate() {
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            }
            if expecting_key {
                key_buf.push(ch);
            }
            continue;
        }
        match ch {
            '{' | '[' => {
                depth += 1;
                if depth == 1 && ch == '{' {
                    expecting_key = true;
                    key_buf.clear();
                    key_start = None;
                }
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => {
                expecting_key = true;
                key_buf.clear();
                key_start = None;
            }
            ':' if depth == 1 && expecting_key => {
                let key = key_buf.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
                if let Some(start) = key_start {
                    entries.push((key, (line, col + start + 1), Node::Leaf));
                }
                expecting_key = false;
            }
            '"' | '\'' if expecting_key => {
                quote = Some(ch);
                if key_start.is_none() {
                    key_start = Some(ci);
                }
                key_buf.push(ch);
            }
            c if expecting_key && depth == 1 => {
                if key_start.is_none() && c != ' ' {
                    key_start = Some(ci);
                }
                key_buf.push(c);
            }
            _ => {}
        }
    }
    Node::Map(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Seg::*;

    const DOC: &str = "\
# comment
户:
  - 户编号: H001
    户主姓名: 张三
    成员:
      - 姓名: 张三
        证件号码: '530926199001010012'
      - {姓名: 李四, 证件号码: x}
  - 户编号: H002
    风险类型: [因病, 因残]
成员:
- 户编号: H002
  姓名: 王五
发文:
  主送:
    - 各村
  印章: a.png
";

    #[test]
    fn locates_keys_and_items() {
        let ix = YamlIndex::new(DOC);
        assert_eq!(ix.locate(&[Key("户")]), Some((2, 1)));
        assert_eq!(ix.locate(&[Key("户"), Idx(0)]), Some((3, 3)));
        assert_eq!(ix.locate(&[Key("户"), Idx(0), Key("户编号")]), Some((3, 5)));
        assert_eq!(ix.locate(&[Key("户"), Idx(0), Key("户主姓名")]), Some((4, 5)));
        assert_eq!(ix.locate(&[Key("户"), Idx(0), Key("成员"), Idx(1)]), Some((8, 7)));
        assert_eq!(
            ix.locate(&[Key("户"), Idx(0), Key("成员"), Idx(1), Key("证件号码")]),
            Some((8, 18))
        );
        assert_eq!(
            ix.locate(&[Key("户"), Idx(0), Key("成员"), Idx(0), Key("证件号码")]),
            Some((7, 9))
        );
        assert_eq!(ix.locate(&[Key("户"), Idx(1), Key("风险类型")]), Some((10, 5)));
        assert_eq!(ix.seq_len(&[Key("户")]), Some(2));
        assert_eq!(ix.seq_len(&[Key("户"), Idx(0), Key("成员")]), Some(2));
        // A list at the same indentation as its key.
        assert_eq!(ix.seq_len(&[Key("成员")]), Some(1));
        assert_eq!(ix.locate(&[Key("成员"), Idx(0), Key("姓名")]), Some((13, 3)));
        assert_eq!(ix.locate(&[Key("发文"), Key("印章")]), Some((17, 3)));
        assert_eq!(ix.locate(&[Key("户"), Idx(5)]), None);
        assert_eq!(ix.locate(&[Key("无")]), None);
    }

    #[test]
    fn flow_lists_fall_back() {
        let ix = YamlIndex::new("户: [{户编号: a}, {户编号: b}]\n");
        assert_eq!(ix.seq_len(&[Key("户")]), None);
        assert_eq!(ix.locate(&[Key("户")]), Some((1, 1)));
    }

    #[test]
    fn block_scalars_and_quoted_keys() {
        let ix = YamlIndex::new("a: |\n  x: y\n  z\n\"b c\": 1\nd: {e: 1, 'f': [1, 2], g: {h: 1}}\n");
        assert_eq!(ix.locate(&[Key("b c")]), Some((4, 1)));
        assert_eq!(ix.locate(&[Key("d"), Key("f")]), Some((5, 11)));
        assert_eq!(ix.locate(&[Key("d"), Key("g")]), Some((5, 24)));
    }
}
