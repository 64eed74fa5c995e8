//! The terminal table: one column per strategy, one row per metric, mean and 95% interval; and
//! the column layouts every command's tables use, fitted to 100 columns. Labels and display scales come from the
//! catalogue ([`Metric::label`], [`Metric::scale`]), so a number reads the same on the terminal
//! and in a report.

use lab::Results;
use lab::catalogue::Metric;
use lab::stats::Estimate;
use reports::tables::Decimals;
use std::fmt::Write;

/// `mean [lo, hi]` scaled for display with the terminal's decimals; "—" when undefined.
pub fn cell(e: Option<&Estimate>, scale: f64) -> String {
    Decimals::Terminal.cell(e, scale)
}

/// The first line of `run`'s and `compare`'s output, and with a measurement window a second
/// saying what it counted.
pub fn title(results: &Results) -> String {
    let mut out = format!(
        "scenario {} — seed {}, {} replications, mean [95% CI]\n",
        results.scenario, results.seed, results.replications
    );
    if let Some(w) = &results.measure {
        out.push_str(&paragraph(&measured(w), "  "));
    }
    out
}

/// The verdict ([`reports::tables::verdict_lines`]) in a few lines, each wrapped to [`WIDTH`].
pub fn verdict(results: &Results) -> String {
    verdict_block(reports::tables::verdict_lines(results, Decimals::Terminal))
}

/// A verdict's heading and items in a few lines, each wrapped to [`WIDTH`], then a blank line.
pub fn verdict_block((heading, items): (String, Vec<String>)) -> String {
    let mut out = paragraph(&heading, "  ");
    for item in items {
        out.push_str(&paragraph(&format!("  {item}"), "    "));
    }
    out.push('\n');
    out
}

/// What a measurement window counted, in one line.
pub fn measured(w: &lab::summary::Window) -> String {
    format!(
        "measured {}: calls dialed in it, agent time over it (list and result codes: the whole campaign)",
        w.describe()
    )
}

/// A header row of the strategies' names, then a row per metric of `metrics`: its label and one
/// cell per strategy.
pub fn metric_rows(results: &Results, metrics: &[Metric]) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = vec![String::new()];
    header.extend(results.strategies.iter().map(|s| s.name.clone()));
    rows.push(header);
    for &metric in metrics {
        let mut row = vec![metric.label()];
        // One precision per row: the decimals of its largest value.
        let scale = metric.scale();
        let d = Decimals::Terminal.of_row(
            results.strategies.iter().map(|s| s.metrics.get(metric)),
            scale,
        );
        row.extend(
            results
                .strategies
                .iter()
                .map(|s| Decimals::Terminal.cell_at(s.metrics.get(metric), scale, d)),
        );
        rows.push(row);
    }
    rows
}

pub fn render(results: &Results) -> String {
    let mut out = title(results);
    out.push_str(&verdict(results));
    let mut rows = metric_rows(results, &Metric::TERMINAL);
    rows.push(vec!["customers per result code".into()]);
    for (code, label) in [
        ("1", "  1 talked to an agent"),
        ("2", "  2 call back later"),
        ("3", "  3 e-mail"),
        ("0", "  0 not interested"),
        ("-2", " -2 machine / no input"),
        ("-1", " -1 never reached"),
        ("abandoned", "    abandoned in queue"),
    ] {
        let mut row = vec![label.to_string()];
        row.extend(
            results
                .strategies
                .iter()
                .map(|s| cell(s.outcomes.get(code), 1.0)),
        );
        rows.push(row);
    }
    if results
        .strategies
        .iter()
        .any(|s| s.days.periods_30d.is_some())
    {
        let mut row = vec!["30-day periods over the cap, regulatory rate %".to_string()];
        row.extend(results.strategies.iter().map(|s| {
            s.days.periods_30d.as_ref().map_or("—".into(), |p| {
                format!(
                    "{} of {}, {}",
                    p.abandon_rate_regulatory
                        .iter()
                        .flatten()
                        .filter(|r| **r > results.abandon_cap)
                        .count(),
                    p.abandon_rate_regulatory.len(),
                    cell(Some(&p.over_cap), 100.0)
                )
            })
        }));
        rows.insert(rows.len() - 8, row);
        let mut row = vec!["worst 30-day period regulatory abandon rate %".to_string()];
        row.extend(results.strategies.iter().map(|s| {
            s.days
                .periods_30d
                .as_ref()
                .and_then(|p| p.worst)
                .map_or("—".into(), |w| format!("{:.2}", w * 100.0))
        }));
        rows.insert(rows.len() - 8, row);
    }
    out.push_str(&layout_fitted(&rows));
    out
}

/// Lays out rows as columns two spaces apart, each line after `indent`: the first
/// `text_columns` left-aligned, the others (numbers) right-aligned. Trailing spaces are dropped.
pub fn layout(rows: &[Vec<String>], indent: &str, text_columns: usize) -> String {
    let mut out = String::new();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = indent.to_string();
        for (c, text) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[c] - text.chars().count());
            if c < text_columns {
                let _ = write!(line, "{text}{pad}");
            } else {
                let _ = write!(line, "{pad}{text}");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// The widest a terminal table or line is drawn: tables wider are cut into blocks of columns.
pub const WIDTH: usize = 100;
/// The widest a key cell (a table's first column) is drawn before it wraps onto more lines.
const KEY_WIDTH: usize = 44;

/// `text` cut at spaces into lines of at most `width` characters (a word longer stays whole);
/// leading spaces indent every line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let body = text.trim_start_matches(' ');
    let indent = &text[..text.len() - body.len()];
    let width = width.saturating_sub(indent.len()).max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in body.split(' ') {
        let fits = line.chars().count() + 1 + word.chars().count() <= width;
        if line.is_empty() {
            line.push_str(word);
        } else if fits {
            line.push(' ');
            line.push_str(word);
        } else {
            lines.push(std::mem::take(&mut line));
            line.push_str(word);
        }
    }
    lines.push(line);
    lines.into_iter().map(|l| format!("{indent}{l}")).collect()
}

/// Prose wrapped to [`WIDTH`], each line ended, the lines after the first indented by `hang`.
pub fn paragraph(text: &str, hang: &str) -> String {
    let mut out = String::new();
    for (i, line) in wrap(text, WIDTH - hang.len()).iter().enumerate() {
        let _ = writeln!(out, "{}{line}", if i == 0 { "" } else { hang });
    }
    out
}

/// Like [`layout`] with one key column (left-aligned; its cells wrap past [`KEY_WIDTH`]) and
/// data columns (right-aligned), fitted to [`WIDTH`]: the data columns go into as many blocks
/// as it takes, each repeating the key column, a blank line between blocks; the first row is
/// the header, its cells wrapped at spaces onto as many lines as the widest takes. A row of one
/// cell (a section heading) is printed whole in every block.
pub fn layout_fitted(rows: &[Vec<String>]) -> String {
    let Some((header, body)) = rows.split_first() else {
        return String::new();
    };
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    if columns < 2 {
        return layout(rows, "", 1);
    }
    let width = |s: &String| s.chars().count();
    let longest_word = |s: &String| s.split(' ').map(|w| w.chars().count()).max().unwrap_or(0);
    let key_width = body
        .iter()
        .filter(|r| r.len() > 1)
        .map(|r| width(&r[0]))
        .chain(header.first().map(longest_word))
        .max()
        .unwrap_or(0)
        .min(KEY_WIDTH);
    // A data column is as wide as its widest cell, or its header's longest word.
    let widths: Vec<usize> = (1..columns)
        .map(|c| {
            body.iter()
                .filter_map(|r| r.get(c))
                .map(width)
                .chain(header.get(c).map(longest_word))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    let mut used = key_width;
    for (i, w) in widths.iter().enumerate() {
        if i > start && used + 2 + w > WIDTH {
            blocks.push(start..i);
            start = i;
            used = key_width;
        }
        used += 2 + w;
    }
    blocks.push(start..widths.len());

    // Room a block leaves goes to its columns whose headers would wrap, in order.
    let mut widths = widths;
    for block in &blocks {
        let used: usize = key_width + block.clone().map(|c| 2 + widths[c]).sum::<usize>();
        let mut spare = WIDTH.saturating_sub(used);
        for c in block.clone() {
            let wanted = header.get(c + 1).map_or(0, width);
            let extra = wanted.saturating_sub(widths[c]).min(spare);
            widths[c] += extra;
            spare -= extra;
        }
    }
    let mut out = String::new();
    for (b, block) in blocks.iter().enumerate() {
        if b > 0 {
            out.push('\n');
        }
        // The header, each cell wrapped to its column, bottom-aligned.
        let cells: Vec<Vec<String>> = std::iter::once(
            header
                .first()
                .map_or(vec![String::new()], |h| wrap(h, key_width)),
        )
        .chain(block.clone().map(|c| {
            header
                .get(c + 1)
                .map_or(vec![String::new()], |h| wrap(h, widths[c]))
        }))
        .collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(1);
        for line in 0..height {
            let mut text = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let skip = height - cell.len();
                let part = if line >= skip {
                    cell[line - skip].as_str()
                } else {
                    ""
                };
                if i == 0 {
                    let _ = write!(text, "{part:<key_width$}");
                } else {
                    let w = widths[block.start + i - 1];
                    let _ = write!(text, "  {part:>w$}");
                }
            }
            let _ = writeln!(out, "{}", text.trim_end());
        }
        for row in body {
            if row.len() == 1 {
                let _ = writeln!(out, "{}", row[0]);
                continue;
            }
            let key = wrap(row.first().map_or("", String::as_str), key_width);
            for (k, part) in key.iter().enumerate() {
                let mut text = format!("{part:<key_width$}");
                if k == 0 {
                    for c in block.clone() {
                        let w = widths[c];
                        let cell = row.get(c + 1).map_or("", String::as_str);
                        let _ = write!(text, "  {cell:>w$}");
                    }
                }
                let _ = writeln!(out, "{}", text.trim_end());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_wide_table_is_cut_into_blocks_that_fit() {
        let mut rows = vec![strings(&[
            "",
            "FreePlusBusy(r 0.3, target 0.03, poll 1s)",
            "Adaptive(HardLimit, target 0.03, max 3, intensity 0)",
            "Predictive(target 0.03, max 3/agent)",
            "Progressive(poll 1s)",
        ])];
        rows.push(strings(&[
            "regulatory abandon rate %",
            "3.22 [3.15, 3.28]",
            "2.89 [2.83, 2.96]",
            "2.91 [2.87, 2.95]",
            "1.00 [0.96, 1.05]",
        ]));
        rows.push(strings(&["customers per result code"]));
        rows.push(strings(&[
            "  1 talked to an agent",
            "1",
            "22",
            "333",
            "4444",
        ]));
        let out = layout_fitted(&rows);
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH), "{out}");
        // Every cell is there, once per block for the keys.
        for cell in rows.iter().flatten().filter(|c| !c.is_empty()) {
            let words = cell.split(' ').next().unwrap();
            assert!(out.contains(words), "{cell} missing:\n{out}");
        }
        let blocks = out.split("\n\n").count();
        assert!(blocks >= 2, "{out}");
        assert_eq!(out.matches("regulatory abandon rate %").count(), blocks);
        assert!(out.contains("3.22 [3.15, 3.28]") && out.contains("1.00 [0.96, 1.05]"));
    }

    #[test]
    fn a_long_key_wraps_and_its_numbers_stay_on_its_first_line() {
        let rows = vec![
            strings(&["strategy", "talk"]),
            strings(&[
                "Adaptive(HardLimit, target 0.03, max 3, intensity 0, diff 0, end 8h)",
                "47.92",
            ]),
        ];
        let out = layout_fitted(&rows);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.iter().all(|l| l.chars().count() <= WIDTH));
        assert!(lines[1].starts_with("Adaptive(HardLimit,") && lines[1].ends_with("47.92"));
        assert!(lines[2].trim_start().starts_with("diff 0") || lines[2].contains("end 8h"));
    }

    #[test]
    fn prose_wraps_at_spaces() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("", 6), [""]);
        assert_eq!(wrap("  a bb ccc", 6), ["  a bb", "  ccc"]);
        let p = paragraph(&"word ".repeat(40), "  ");
        assert!(p.lines().all(|l| l.chars().count() <= WIDTH));
        assert!(p.lines().nth(1).unwrap().starts_with("  word"));
    }
}
