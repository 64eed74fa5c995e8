//! Setting fields of a RON file's text while keeping everything else as the analyst wrote it.
//!
//! A calibrated scenario starts from a template the analyst owns (their staffing, list,
//! strategies, rules and the comments explaining them) and replaces only the fields the records
//! measure. Parsing and re-serialising would lose every comment and the analyst's layout, so the
//! fields are found in the text: a small scanner that knows RON's strings, comments and brackets
//! finds `key:` at the right depth and the span of its value.

/// Where a value lies in the text: `start..end`, without the whitespace around it.
type Span = (usize, usize);

/// Skips whitespace and comments from `i`.
fn skip_trivia(b: &[u8], mut i: usize) -> usize {
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else {
            return i;
        }
    }
}

/// The end of the token or bracketed group that starts at `i` (strings and comments skipped).
fn skip_value_part(b: &[u8], mut i: usize) -> usize {
    match b[i] {
        b'"' => {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i + 1
        }
        b'(' | b'[' | b'{' => {
            let mut depth = 0usize;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = skip_value_part(b, i);
                        continue;
                    }
                    b'/' if b[i..].starts_with(b"//") || b[i..].starts_with(b"/*") => {
                        i = skip_trivia(b, i);
                        continue;
                    }
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i
        }
        _ => {
            while i < b.len()
                && !b[i].is_ascii_whitespace()
                && !matches!(
                    b[i],
                    b',' | b':' | b')' | b']' | b'}' | b'(' | b'[' | b'{' | b'/'
                )
            {
                i += 1;
            }
            i
        }
    }
}

/// The span of a struct's fields: inside the first `(` of the value at `span`.
fn inner(b: &[u8], span: Span) -> Option<Span> {
    let open = (span.0..span.1).find(|&i| b[i] == b'(')?;
    let close = skip_value_part(b, open);
    Some((open + 1, close - 1))
}

/// The value of field `key` among the fields in `within` (a struct's inside), and where the
/// key starts.
fn field(b: &[u8], within: Span, key: &str) -> Option<(usize, Span)> {
    let mut i = skip_trivia(b, within.0);
    while i < within.1 {
        let key_start = i;
        let name_end = skip_value_part(b, i);
        let name = &b[key_start..name_end];
        let colon = skip_trivia(b, name_end);
        if colon >= within.1 || b[colon] != b':' {
            return None;
        }
        let value_start = skip_trivia(b, colon + 1);
        // A value is a sequence of parts (`Some(...)`, `LogNormal(...)`) up to a comma.
        let mut end = value_start;
        loop {
            end = skip_value_part(b, end);
            let next = skip_trivia(b, end);
            if next >= within.1 || b[next] == b',' {
                break;
            }
            end = next;
        }
        if name == key.as_bytes() {
            return Some((key_start, (value_start, end)));
        }
        let next = skip_trivia(b, end);
        i = if next < within.1 && b[next] == b',' {
            skip_trivia(b, next + 1)
        } else {
            next
        };
    }
    None
}

/// The text's top-level struct's inside.
fn top(b: &[u8]) -> Option<Span> {
    let start = skip_trivia(b, 0);
    inner(b, (start, b.len()))
}

/// Sets field `path` (e.g. `["agents", "talk"]`) of the RON text to `value`, with `comment`
/// lines (without `//`) above its key. A missing last field is added at the end of its parent.
/// `None` when a parent along the path is missing.
pub fn set(text: &str, path: &[&str], value: &str, comment: &[String]) -> Option<String> {
    let b = text.as_bytes();
    let mut within = top(b)?;
    for parent in &path[..path.len() - 1] {
        let (_, span) = field(b, within, parent)?;
        within = inner(b, span)?;
    }
    let key = path[path.len() - 1];
    let indent_of = |at: usize| {
        let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        text[line_start..at]
            .chars()
            .take_while(|c| c.is_whitespace())
            .collect::<String>()
    };
    match field(b, within, key) {
        Some((key_start, (_, value_end))) => {
            let indent = indent_of(key_start);
            let comments: String = comment
                .iter()
                .map(|c| format!("// {c}\n{indent}"))
                .collect();
            Some(format!(
                "{}{comments}{key}: {}{}",
                &text[..key_start],
                reindent(value, &indent),
                &text[value_end..]
            ))
        }
        None => {
            // After the last field (and its comma), before the closing bracket.
            let last = text[..within.1].trim_end();
            let at = last.len();
            let field_indent = {
                let line_start = text[..within.0].rfind('\n').map_or(0, |n| n + 1);
                format!(
                    "{}    ",
                    indent_of(line_start.max(within.0.saturating_sub(1)))
                )
            };
            let comma = if last.ends_with(',') || last.ends_with('(') {
                ""
            } else {
                ","
            };
            let comments: String = comment
                .iter()
                .map(|c| format!("{field_indent}// {c}\n"))
                .collect();
            Some(format!(
                "{last}{comma}\n{comments}{field_indent}{key}: {},{}",
                reindent(value, &field_indent),
                &text[at..]
            ))
        }
    }
}

/// The text of field `path`'s value, as written.
pub fn get<'t>(text: &'t str, path: &[&str]) -> Option<&'t str> {
    let b = text.as_bytes();
    let mut within = top(b)?;
    for parent in &path[..path.len() - 1] {
        let (_, span) = field(b, within, parent)?;
        within = inner(b, span)?;
    }
    let (_, (start, end)) = field(b, within, path[path.len() - 1])?;
    Some(&text[start..end])
}

/// `value`'s later lines indented by `indent` (its first line follows the key).
fn reindent(value: &str, indent: &str) -> String {
    value.replace('\n', &format!("\n{indent}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"// the analyst's note
Scenario(
    name: "x", // a name
    agents: (
        staffing: Count(5),
        talk: LogNormal(mean_s: 240.0, sd_s: 180.0),
        after_call_work: Fixed(s: 10.0), /* trailing (with a bracket) */
    ),
    queue: (patience: Some(Weibull(shape: 0.8, scale_s: 25.0))),
    strategies: [Progressive()],
)
"#;

    #[test]
    fn a_nested_field_is_replaced_and_every_comment_kept() {
        let out = set(
            TEXT,
            &["agents", "talk"],
            "Gamma(shape: 2.0, scale_s: 100.0)",
            &["n = 300".into()],
        )
        .unwrap();
        assert!(
            out.contains("        // n = 300\n        talk: Gamma(shape: 2.0, scale_s: 100.0),\n"),
            "{out}"
        );
        assert!(
            out.contains("// the analyst's note")
                && out.contains("/* trailing (with a bracket) */")
        );
        assert!(!out.contains("LogNormal"));
    }

    #[test]
    fn a_value_with_some_and_a_missing_field_are_handled() {
        let out = set(
            TEXT,
            &["queue", "patience"],
            "Some(Exponential(mean_s: 30.0))",
            &[],
        )
        .unwrap();
        assert!(
            out.contains("queue: (patience: Some(Exponential(mean_s: 30.0))),"),
            "{out}"
        );
        let out = set(
            TEXT,
            &["queue", "compliance_threshold_s"],
            "2.0",
            &["added".into()],
        )
        .unwrap();
        assert!(out.contains("compliance_threshold_s: 2.0,"), "{out}");
        let out = set(TEXT, &["amd"], "None", &[]).unwrap();
        assert!(
            out.contains("strategies: [Progressive()],\n    amd: None,\n)"),
            "{out}"
        );
        assert!(set(TEXT, &["dial", "human"], "0.3", &[]).is_none());
    }
}
