//! Structure-aware mutations of dialsim's inputs: RON scenario and sweep files, CSV contact lists,
//! JSON results files and Amazon Connect contact records (JSON lines).
//!
//! Every input is first cut into [tokens](Token) by one small lossless tokenizer that knows
//! numbers, strings, identifiers, comments and punctuation (it serves RON, JSON and CSV alike).
//! The mutations then work on tokens and lines rather than on random bytes, so most mutants still
//! parse and reach the validation and the simulation behind it: a number replaced by a hostile
//! value (`1e308`, `NaN`, `4294967295`, `10.0` where a count is expected), a field deleted or
//! renamed, two lines swapped, a CSV column duplicated, an `utc_offset` written `+-5`, a JSON
//! `ci95` pair swapped. Contact records get mutations of their own: a record cut short, the lines
//! shuffled, a timestamp made hostile (`0000-01-01`, `2026-02-30`, a leap second) or nudged out
//! of order, two timestamps of one record swapped, one contact's `ContactId` given to another,
//! records back to back or one broken over two lines; [`gzip`] wraps a mutant the way the export
//! compresses it, sometimes broken. A few byte-level mutations (a flipped bit, a truncation, a
//! byte-order mark) cover the reader's own error paths.
//!
//! [`mutate`] is a pure function of its input and its random stream: the same seed gives the same
//! mutant, which is what makes a failure reproducible from `--seed` and `--iteration`.

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, RngExt};

/// Which kind of file is mutated: it picks the mutations that make sense for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A scenario or sweep file.
    Ron,
    /// A contact list.
    Csv,
    /// A results, frontier, sweep, sweep-part or baseline file.
    Json,
    /// Contact records: one JSON object per line, as Connect's export writes them.
    Records,
}

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `12`, `-0.35`, `1e-9`, `2_000`, `+14155550000`.
    Number,
    /// `"..."`, with its quotes.
    Str,
    /// `name`, `Some`, `true`, `LogNormal`.
    Ident,
    /// `// ...` to the end of the line, or `/* ... */`.
    Comment,
    /// Spaces, tabs and line breaks.
    Space,
    /// One byte of anything else: `(`, `:`, `,` — or a byte that is not ASCII.
    Punct,
}

/// A token: `text[start..end]` of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// Cuts `text` into tokens. Lossless: the tokens cover every byte, in order, without overlap, so
/// replacing one token's bytes leaves everything else as it was. Works on bytes, so a mutant that
/// is no longer UTF-8 can be mutated again.
pub fn tokenize(text: &[u8]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let start = i;
        let c = text[i];
        let kind = if c == b'/' && text.get(i + 1) == Some(&b'/') {
            while i < text.len() && text[i] != b'\n' {
                i += 1;
            }
            Kind::Comment
        } else if c == b'/' && text.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < text.len() && !(text[i] == b'*' && text.get(i + 1) == Some(&b'/')) {
                i += 1;
            }
            i = (i + 2).min(text.len());
            Kind::Comment
        } else if c == b'"' {
            i += 1;
            while i < text.len() && text[i] != b'"' {
                i += if text[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(text.len());
            Kind::Str
        } else if c.is_ascii_whitespace() {
            while i < text.len() && text[i].is_ascii_whitespace() {
                i += 1;
            }
            Kind::Space
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < text.len() && (text[i].is_ascii_alphanumeric() || text[i] == b'_') {
                i += 1;
            }
            Kind::Ident
        } else if let Some(end) = number_at(text, i) {
            i = end;
            Kind::Number
        } else {
            i += 1;
            Kind::Punct
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
        });
    }
    tokens
}

/// The end of the number starting at `i`, if one does: an optional sign, digits (with `_`
/// between them, as RON allows), an optional fraction and an optional exponent. The caller has
/// already ruled out an identifier, so `p90`'s `90` is never seen here.
fn number_at(text: &[u8], i: usize) -> Option<usize> {
    let digit = |j: usize| text.get(j).is_some_and(u8::is_ascii_digit);
    let mut j = i;
    if matches!(text[j], b'-' | b'+') {
        j += 1;
    }
    let int_start = j;
    while digit(j) || (text.get(j) == Some(&b'_') && j > int_start && digit(j + 1)) {
        j += 1;
    }
    let has_int = j > int_start;
    if text.get(j) == Some(&b'.') && digit(j + 1) {
        j += 1;
        while digit(j) {
            j += 1;
        }
    } else if !has_int {
        return None;
    } else if text.get(j) == Some(&b'.') && !text.get(j + 1).is_some_and(u8::is_ascii_alphabetic) {
        j += 1; // `1.` is a float in RON; but `1.e` is not ours to judge
    }
    if matches!(text.get(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        if matches!(text.get(k), Some(b'-' | b'+')) {
            k += 1;
        }
        if digit(k) {
            while digit(k) {
                k += 1;
            }
            j = k;
        }
    }
    Some(j)
}

/// The texts of every number token of `text`, in order.
#[cfg(test)]
pub fn numbers(text: &[u8]) -> Vec<&[u8]> {
    tokenize(text)
        .into_iter()
        .filter(|t| t.kind == Kind::Number)
        .map(|t| &text[t.start..t.end])
        .collect()
}

/// A mutated input and what was done to it, one entry per mutation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mutant {
    pub bytes: Vec<u8>,
    pub log: Vec<Mutation>,
}

/// One mutation applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mutation {
    pub op: Op,
    /// The field the mutation landed in (the last field name before it), if any: what a triage
    /// groups hangs and crashes by.
    pub field: Option<String>,
    /// Where and what, e.g. ``17:22 `60.0` -> `1e308` ``.
    pub what: String,
}

impl std::fmt::Display for Mutation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} in {}: {}", self.op.name(), field, self.what),
            None => write!(f, "{}: {}", self.op.name(), self.what),
        }
    }
}

/// Applies one to three mutations chosen for `format` to `input`, drawing every choice from
/// `rng`. The mutant always differs from the input (when the input is not empty).
pub fn mutate<R: Rng>(input: &[u8], format: Format, rng: &mut R) -> Mutant {
    let rounds = match rng.random_range(0..10) {
        0..7 => 1,
        7..9 => 2,
        _ => 3,
    };
    let mut bytes = input.to_vec();
    let mut log = Vec::new();
    for _ in 0..rounds {
        for _attempt in 0..20 {
            let op = pick_op(format, rng);
            if let Some((out, what)) = apply(op, &bytes, format, rng)
                && out != bytes
            {
                let field = field_at(&bytes, &out, format);
                log.push(Mutation { op, field, what });
                bytes = out;
                break;
            }
        }
    }
    if bytes == input && !input.is_empty() {
        // Every attempt was a no-op (an input with almost no structure): cut its last byte.
        bytes.pop();
        log.push(Mutation {
            op: Op::Truncate,
            field: None,
            what: "the last byte".to_string(),
        });
    }
    Mutant { bytes, log }
}

/// The field a mutation from `before` to `after` landed in: the last field name before the first
/// byte that differs (for a CSV, the header's column name of that cell).
fn field_at(before: &[u8], after: &[u8], format: Format) -> Option<String> {
    let pos = before.iter().zip(after).take_while(|(a, b)| a == b).count();
    if format == Format::Csv {
        let (header, _) = split_header(before)?;
        let line_start = before[..pos]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        if line_start == 0 {
            return Some("header".to_string());
        }
        let col = before[line_start..pos]
            .iter()
            .filter(|&&b| b == b',')
            .count();
        let name = header.split(|&b| b == b',').nth(col)?;
        return Some(String::from_utf8_lossy(name).into_owned());
    }
    let tokens = tokenize(before);
    field_keys(before, &tokens)
        .into_iter()
        .take_while(|&k| tokens[k].start <= pos)
        .last()
        .map(|k| {
            let t = tokens[k];
            String::from_utf8_lossy(&before[t.start..t.end])
                .trim_matches('"')
                .to_string()
        })
}

/// The mutations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    ReplaceNumber,
    SwapNumbers,
    DeleteToken,
    DuplicateToken,
    DeleteLine,
    DuplicateLine,
    SwapLines,
    InsertBom,
    Truncate,
    FlipByte,
    RenameField,
    DeleteField,
    ReplaceValue,
    ReplaceString,
    ReplaceIdent,
    SwapCi95,
    CsvDuplicateColumn,
    CsvUtcOffset,
    CsvField,
    CsvColumnCount,
    CsvHeaderOnly,
    CsvCrlf,
    RecordsCutLine,
    RecordsShuffle,
    RecordsTimestamp,
    RecordsNudgeTimestamp,
    RecordsSwapTimestamps,
    RecordsSameContactId,
    RecordsJoinLines,
    RecordsBreakLine,
    RecordsArray,
    RecordsUtcOffset,
    /// Not drawn by [`mutate`]: the case wraps a mutant with [`gzip`].
    Gzip,
    /// Not drawn by [`mutate`]: the case replaces the whole file with one of another kind.
    OtherFormat,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::ReplaceNumber => "replace number",
            Op::SwapNumbers => "swap numbers",
            Op::DeleteToken => "delete token",
            Op::DuplicateToken => "duplicate token",
            Op::DeleteLine => "delete line",
            Op::DuplicateLine => "duplicate line",
            Op::SwapLines => "swap lines",
            Op::InsertBom => "insert BOM",
            Op::Truncate => "truncate",
            Op::FlipByte => "flip byte",
            Op::RenameField => "rename field",
            Op::DeleteField => "delete field",
            Op::ReplaceValue => "replace value",
            Op::ReplaceString => "replace string",
            Op::ReplaceIdent => "replace identifier",
            Op::SwapCi95 => "swap ci95",
            Op::CsvDuplicateColumn => "duplicate CSV column",
            Op::CsvUtcOffset => "corrupt utc_offset",
            Op::CsvField => "corrupt CSV field",
            Op::CsvColumnCount => "change CSV column count",
            Op::CsvHeaderOnly => "CSV header only",
            Op::CsvCrlf => "CRLF line ends",
            Op::RecordsCutLine => "cut a record short",
            Op::RecordsShuffle => "shuffle lines",
            Op::RecordsTimestamp => "hostile timestamp",
            Op::RecordsNudgeTimestamp => "nudge timestamp",
            Op::RecordsSwapTimestamps => "swap timestamps",
            Op::RecordsSameContactId => "repeat ContactId",
            Op::RecordsJoinLines => "records back to back",
            Op::RecordsBreakLine => "break a line",
            Op::RecordsArray => "wrap in a JSON array",
            Op::RecordsUtcOffset => "corrupt dialsim_utc_offset",
            Op::Gzip => "gzip",
            Op::OtherFormat => "another format",
        }
    }
}

/// Each format's mutations with their weights.
fn weights(format: Format) -> &'static [(Op, u32)] {
    use Op::*;
    match format {
        Format::Ron => &[
            (ReplaceNumber, 34),
            (SwapNumbers, 4),
            (DeleteToken, 5),
            (DuplicateToken, 4),
            (DeleteLine, 5),
            (DuplicateLine, 4),
            (SwapLines, 4),
            (InsertBom, 2),
            (Truncate, 3),
            (FlipByte, 3),
            (RenameField, 5),
            (DeleteField, 7),
            (ReplaceValue, 7),
            (ReplaceString, 4),
            (ReplaceIdent, 7),
        ],
        Format::Csv => &[
            (ReplaceNumber, 8),
            (CsvUtcOffset, 22),
            (CsvDuplicateColumn, 8),
            (CsvField, 14),
            (CsvColumnCount, 6),
            (CsvHeaderOnly, 3),
            (RenameField, 0),
            (DeleteLine, 5),
            (DuplicateLine, 7),
            (SwapLines, 5),
            (InsertBom, 4),
            (Truncate, 3),
            (FlipByte, 3),
            (CsvCrlf, 3),
            (ReplaceIdent, 5),
        ],
        Format::Json => &[
            (ReplaceNumber, 30),
            (SwapCi95, 10),
            (SwapNumbers, 3),
            (DeleteField, 12),
            (ReplaceValue, 10),
            (ReplaceString, 10),
            (RenameField, 6),
            (DeleteToken, 3),
            (DuplicateLine, 3),
            (DeleteLine, 3),
            (SwapLines, 2),
            (InsertBom, 2),
            (Truncate, 4),
            (FlipByte, 3),
        ],
        Format::Records => &[
            (RecordsTimestamp, 12),
            (RecordsNudgeTimestamp, 8),
            (RecordsSwapTimestamps, 8),
            (RecordsCutLine, 8),
            (RecordsSameContactId, 5),
            (RecordsShuffle, 3),
            (RecordsJoinLines, 3),
            (RecordsBreakLine, 3),
            (RecordsArray, 1),
            (RecordsUtcOffset, 4),
            (ReplaceNumber, 8),
            (ReplaceValue, 10),
            (ReplaceString, 5),
            (DeleteField, 8),
            (RenameField, 4),
            (ReplaceIdent, 2),
            (DeleteToken, 2),
            (DeleteLine, 3),
            (DuplicateLine, 5),
            (SwapLines, 4),
            (InsertBom, 2),
            (Truncate, 3),
            (FlipByte, 3),
            (CsvCrlf, 2),
        ],
    }
}

fn pick_op<R: Rng>(format: Format, rng: &mut R) -> Op {
    let table = weights(format);
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    for &(op, w) in table {
        if x < w {
            return op;
        }
        x -= w;
    }
    unreachable!("x < total")
}

/// Values that have broken, or could break, a number-reading program.
pub const HOSTILE_NUMBERS: &[&str] = &[
    "0",
    "-1",
    "-0.0",
    "1e-9",
    "1e12",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "5e-324",
    "4294967295",
    "4294967296",
    "2147483648",
    "-2147483649",
    "18446744073709551615",
    "18446744073709551616",
    "NaN",
    "inf",
    "-inf",
    "1e999",
    "1e-999",
    "9e99999999999",
    "1e6",
    "0.5",
    "1",
    "2",
    "65535",
];

/// Written where a whole number is: a count must be whole.
const FRACTIONS: &[&str] = &["10.0", "2.5", "1.0", "0.999"];

const RON_VALUES: &[&str] = &[
    "None",
    "()",
    "[]",
    "Some(())",
    "\"\"",
    "0",
    "-1",
    "Some(1e12)",
    "Some(0.0)",
    "inf",
    "[()]",
];

const JSON_VALUES: &[&str] = &[
    "null",
    "[]",
    "{}",
    "\"\"",
    "0",
    "-1",
    "true",
    "[1e308, -1e308]",
    "[0]",
    "1e400",
];

/// Replacements for a contact record's timestamp (the quotes are added): before the epoch, past
/// any contact's seven days, dates and times that do not exist, other layouts, other zones.
const HOSTILE_TIMESTAMPS: &[&str] = &[
    "1970-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "-0001-12-31T23:59:59Z",
    "1900-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "+275760-09-13T00:00:00Z",
    "2026-03-09T14:00:00Z",
    "2026-03-02T13:59:59Z",
    "2026-03-01T23:59:59Z",
    "2026-02-30T14:00:00Z",
    "2026-13-02T14:00:00Z",
    "2026-03-02T24:00:00Z",
    "2026-03-02T23:59:60Z",
    "2026-03-02T14:00:00.999999999Z",
    "2026-03-02T14:00:00.5Z",
    "2026-03-02T14:00:00+14:00",
    "2026-03-02T14:00:00-12:00",
    "2026-03-02T14:00:00+99:99",
    "2026-03-02T14:00:00",
    "2026-03-02 14:00:00Z",
    "2026-03-02",
    "2026-W10-1T14:00:00Z",
    "1772460000",
    "1e308",
    "",
    "Z",
];

/// The fields of a timestamp (`2026-03-02T14:00:19Z`, after its opening quote): where each starts,
/// its length, and values to put there.
const TIMESTAMP_PARTS: &[(usize, usize, &[&str])] = &[
    (0, 4, &["0000", "1969", "2025", "2027", "9999"]),
    (5, 2, &["00", "01", "02", "04", "12", "13", "99"]),
    (8, 2, &["00", "01", "03", "09", "29", "31", "32"]),
    (11, 2, &["00", "13", "14", "23", "24", "99"]),
    (14, 2, &["00", "59", "60", "99"]),
    (17, 2, &["00", "01", "59", "60", "61", "99"]),
];

const RON_IDENTS: &[&str] = &["None", "Some", "true", "false", "inf", "NaN", "X"];
const JSON_IDENTS: &[&str] = &["null", "true", "false", "NaN", "Infinity"];

/// Replacements for strings (the quotes are added).
const HOSTILE_STRINGS: &[&str] = &[
    "",
    "x",
    "dialsim-results/1",
    "dialsim-results/2",
    "dialsim-frontier/2",
    "dialsim-sweep/1",
    "dialsim-sweep-part/1",
    "dialsim-baseline/1",
    "../seed-sample.ron",
    "../missing.ron",
    "/dev/null",
    ".",
    "agents.staffing.Count",
    "strategy.ratio",
    "dial.nothing",
    "strategies.99.FixedRatio.ratio",
    "\\u0000",
    "é✓\\n<b>&amp;",
    "NaN",
];

/// Replacements for a CSV `utc_offset` cell.
const HOSTILE_OFFSETS: &[&str] = &[
    "--05:00",
    "+-5",
    "+99:99",
    "",
    "+14:01",
    "-14:00",
    "+15",
    "-00:00",
    "+05:60",
    "UTC+",
    "UTC-",
    "+5:0",
    "+0530",
    "Z",
    "utc",
    "−05:00",
    "NaN",
    "+2147483648",
    " -05:00",
    "+",
    "-",
    "+1e9",
    "GMT+14",
    "+9999999999999999999",
];

/// Replacements for any CSV cell.
const HOSTILE_CELLS: &[&str] = &[
    "",
    "\"",
    "\"\"",
    "yes",
    "TRUE",
    "maybe",
    "+0",
    "+1",
    "+1234567",
    "+1234567890123456",
    "+14155550000",
    "14155550000",
    "+1 415 555 0000",
    "+١٤١٥٥٥٥٠٠٠٠",
    ",",
    "a\"b",
];

/// Applies `op` once; `None` when it has nothing to work on.
fn apply<R: Rng>(op: Op, text: &[u8], format: Format, rng: &mut R) -> Option<(Vec<u8>, String)> {
    let tokens = tokenize(text);
    match op {
        Op::ReplaceNumber => replace_number(text, &tokens, rng),
        Op::SwapNumbers => {
            let nums = indices(&tokens, |t| t.kind == Kind::Number);
            if nums.len() < 2 {
                return None;
            }
            let a = *nums.choose(rng)?;
            let b = *nums.choose(rng)?;
            let (a, b) = (a.min(b), a.max(b));
            swap_tokens(text, &tokens, a, b)
        }
        Op::SwapCi95 => {
            let keys = indices(&tokens, |t| {
                t.kind == Kind::Str && &text[t.start..t.end] == b"\"ci95\""
            });
            let key = *keys.choose(rng)?;
            let mut after = (key + 1..tokens.len()).filter(|&i| tokens[i].kind == Kind::Number);
            let (a, b) = (after.next()?, after.next()?);
            swap_tokens(text, &tokens, a, b)
        }
        Op::DeleteToken | Op::DuplicateToken => {
            let solid = indices(&tokens, |t| t.kind != Kind::Space);
            let t = tokens[*solid.choose(rng)?];
            let piece = &text[t.start..t.end];
            let with = if op == Op::DeleteToken {
                Vec::new()
            } else {
                [piece, piece].concat()
            };
            Some((
                splice(text, t.start, t.end, &with),
                format!("{} `{}`", at(text, t.start), show(piece)),
            ))
        }
        Op::DeleteLine | Op::DuplicateLine => {
            let lines = lines(text);
            let (s, e) = *lines.choose(rng)?;
            let line = &text[s..e];
            let with = if op == Op::DeleteLine {
                Vec::new()
            } else {
                [line, line].concat()
            };
            Some((
                splice(text, s, e, &with),
                format!(
                    "line {} `{}`",
                    line_of(text, s),
                    show(line.trim_ascii_end())
                ),
            ))
        }
        Op::SwapLines => {
            let lines = lines(text);
            if lines.len() < 2 {
                return None;
            }
            let i = rng.random_range(0..lines.len());
            // Mostly neighbours (a field moved), sometimes anywhere.
            let j = if rng.random_bool(0.6) {
                if i + 1 < lines.len() { i + 1 } else { i - 1 }
            } else {
                rng.random_range(0..lines.len())
            };
            let (i, j) = (i.min(j), i.max(j));
            if i == j {
                return None;
            }
            let (a, b) = (lines[i], lines[j]);
            let mut out = text[..a.0].to_vec();
            out.extend_from_slice(&with_newline(&text[b.0..b.1]));
            out.extend_from_slice(&text[a.1..b.0]);
            out.extend_from_slice(&with_newline(&text[a.0..a.1]));
            out.extend_from_slice(&text[b.1..]);
            trim_added_newline(&mut out, text);
            Some((out, format!("lines {} and {}", i + 1, j + 1)))
        }
        Op::InsertBom => {
            let pos = if rng.random_bool(0.7) {
                0
            } else {
                lines(text).choose(rng).map_or(0, |l| l.0)
            };
            Some((
                splice(text, pos, pos, "\u{feff}".as_bytes()),
                format!("at {}", at(text, pos)),
            ))
        }
        Op::Truncate => {
            if text.is_empty() {
                return None;
            }
            let pos = rng.random_range(0..text.len());
            Some((
                text[..pos].to_vec(),
                format!("at {} of {} bytes", pos, text.len()),
            ))
        }
        Op::FlipByte => {
            if text.is_empty() {
                return None;
            }
            let pos = rng.random_range(0..text.len());
            let mut out = text.to_vec();
            out[pos] ^= 1 << rng.random_range(0..8);
            Some((
                out.clone(),
                format!(
                    "at {}: {:#04x} -> {:#04x}",
                    at(text, pos),
                    text[pos],
                    out[pos]
                ),
            ))
        }
        Op::RenameField => {
            let keys = field_keys(text, &tokens);
            let k = *keys.choose(rng)?;
            let t = tokens[k];
            let old = &text[t.start..t.end];
            let quoted = t.kind == Kind::Str;
            if quoted && (old.len() < 2 || !old.ends_with(b"\"")) {
                return None; // an unterminated string
            }
            let bare = if quoted { &old[1..old.len() - 1] } else { old };
            let others: Vec<&[u8]> = keys
                .iter()
                .map(|&i| &text[tokens[i].start..tokens[i].end])
                .filter(|o| *o != old)
                .collect();
            let mut new: Vec<u8> = match rng.random_range(0..5) {
                0 => [bare, b"x"].concat(),
                1 => bare[..bare.len().saturating_sub(1)].to_vec(),
                2 => bare.to_ascii_uppercase(),
                3 => [b"_", bare].concat(),
                _ => others.choose(rng)?.to_vec(),
            };
            if quoted && !new.starts_with(b"\"") {
                new = [b"\"", &new[..], b"\""].concat();
            }
            Some(replaced(text, t, &new))
        }
        Op::DeleteField | Op::ReplaceValue => {
            let keys = field_keys(text, &tokens);
            let k = *keys.choose(rng)?;
            let colon = next_solid(&tokens, k + 1)?;
            let v = next_solid(&tokens, colon + 1)?;
            let v_end = value_end(text, &tokens, v)?;
            let key_text = show(&text[tokens[k].start..tokens[k].end]);
            if op == Op::DeleteField {
                let mut end = tokens[v_end].end;
                if let Some(c) = next_solid(&tokens, v_end + 1)
                    && &text[tokens[c].start..tokens[c].end] == b","
                {
                    end = tokens[c].end;
                }
                Some((
                    splice(text, tokens[k].start, end, b""),
                    format!("{} `{}`", at(text, tokens[k].start), key_text),
                ))
            } else {
                let pool = if format == Format::Json {
                    JSON_VALUES
                } else {
                    RON_VALUES
                };
                let new = pool.choose(rng)?;
                let (s, e) = (tokens[v].start, tokens[v_end].end);
                Some((
                    splice(text, s, e, new.as_bytes()),
                    format!(
                        "{} `{}`: `{}` -> `{}`",
                        at(text, s),
                        key_text,
                        show(&text[s..e]),
                        new
                    ),
                ))
            }
        }
        Op::ReplaceString => {
            let strs = indices(&tokens, |t| t.kind == Kind::Str);
            let i = *strs.choose(rng)?;
            if next_solid(&tokens, i + 1)
                .is_some_and(|c| &text[tokens[c].start..tokens[c].end] == b":")
                && rng.random_bool(0.8)
            {
                return None; // a key: RenameField's job, mostly
            }
            let t = tokens[i];
            let new = if rng.random_bool(0.05) {
                format!("\"{}\"", "A".repeat(100_000))
            } else {
                format!("\"{}\"", HOSTILE_STRINGS.choose(rng)?)
            };
            Some(replaced(text, t, new.as_bytes()))
        }
        Op::ReplaceIdent => {
            let keys = field_keys(text, &tokens);
            let idents = indices(&tokens, |t| t.kind == Kind::Ident);
            let candidates: Vec<usize> = idents.into_iter().filter(|i| !keys.contains(i)).collect();
            let i = *candidates.choose(rng)?;
            let t = tokens[i];
            let pool = if format == Format::Json {
                JSON_IDENTS
            } else {
                RON_IDENTS
            };
            let new: Vec<u8> = if rng.random_bool(0.4) {
                let o = tokens[*candidates.choose(rng)?];
                text[o.start..o.end].to_vec()
            } else {
                pool.choose(rng)?.as_bytes().to_vec()
            };
            Some(replaced(text, t, &new))
        }
        Op::CsvDuplicateColumn => {
            let (header, rest) = split_header(text)?;
            let cols: Vec<&[u8]> = header.split(|&b| b == b',').collect();
            let dup = *cols.choose(rng)?;
            let mut new = header.to_vec();
            if rng.random_bool(0.5) {
                new.push(b',');
                new.extend_from_slice(dup);
            } else {
                new = [dup, b",", &new[..]].concat();
            }
            Some((
                [&new[..], rest].concat(),
                format!("header `{}` -> `{}`", show(header), show(&new)),
            ))
        }
        Op::CsvUtcOffset => {
            let (header, _) = split_header(text)?;
            let col = header
                .split(|&b| b == b',')
                .position(|c| c.trim_ascii().eq_ignore_ascii_case(b"utc_offset"))?;
            let new = HOSTILE_OFFSETS.choose(rng)?;
            replace_cell(text, col, new.as_bytes(), rng)
        }
        Op::CsvField => {
            let (header, _) = split_header(text)?;
            let cols = header.split(|&b| b == b',').count();
            let col = rng.random_range(0..cols.max(1));
            let new = HOSTILE_CELLS.choose(rng)?;
            replace_cell(text, col, new.as_bytes(), rng)
        }
        Op::CsvColumnCount => {
            let rows = lines(text);
            if rows.len() < 2 {
                return None;
            }
            let (s, e) = rows[rng.random_range(1..rows.len())];
            let row = text[s..e].trim_ascii_end();
            let new: Vec<u8> = if rng.random_bool(0.5) {
                [row, b",extra"].concat()
            } else {
                let cut = row.iter().rposition(|&b| b == b',')?;
                row[..cut].to_vec()
            };
            Some((
                splice(text, s, s + row.len(), &new),
                format!(
                    "line {} `{}` -> `{}`",
                    line_of(text, s),
                    show(row),
                    show(&new)
                ),
            ))
        }
        Op::CsvHeaderOnly => {
            let (header, _) = split_header(text)?;
            Some((
                with_newline(header),
                "keep only the header line".to_string(),
            ))
        }
        Op::CsvCrlf => {
            let mut out = Vec::with_capacity(text.len() + 64);
            for &b in text {
                if b == b'\n' {
                    out.push(b'\r');
                }
                out.push(b);
            }
            Some((out, "every line ends with CR LF".to_string()))
        }
        Op::RecordsCutLine => {
            let lines = lines(text);
            let (s, e) = *lines.choose(rng)?;
            let body = text[s..e].trim_ascii_end().len();
            if body < 2 {
                return None;
            }
            let cut = rng.random_range(1..body);
            Some((
                [&text[..s + cut], b"\n", &text[e..]].concat(),
                format!("line {} after {cut} of {body} bytes", line_of(text, s)),
            ))
        }
        Op::RecordsShuffle => {
            let mut all: Vec<Vec<u8>> = lines(text)
                .into_iter()
                .map(|(s, e)| with_newline(&text[s..e]))
                .collect();
            all.shuffle(rng);
            let mut out = all.concat();
            trim_added_newline(&mut out, text);
            Some((out, format!("all {} lines", all.len())))
        }
        Op::RecordsTimestamp => {
            let t = tokens[*timestamps(text, &tokens).choose(rng)?];
            let new = format!("\"{}\"", HOSTILE_TIMESTAMPS.choose(rng)?);
            Some(replaced(text, t, new.as_bytes()))
        }
        Op::RecordsNudgeTimestamp => {
            let t = tokens[*timestamps(text, &tokens).choose(rng)?];
            let &(from, len, values) = TIMESTAMP_PARTS.choose(rng)?;
            let (s, e) = (t.start + 1 + from, t.start + 1 + from + len);
            let new = values.choose(rng)?.as_bytes();
            if &text[s..e] == new {
                return None;
            }
            Some((
                splice(text, s, e, new),
                format!(
                    "{} `{}` -> `{}`",
                    at(text, t.start),
                    show(&text[t.start..t.end]),
                    show(&splice(
                        &text[t.start..t.end],
                        1 + from,
                        1 + from + len,
                        new
                    ))
                ),
            ))
        }
        Op::RecordsSwapTimestamps => {
            let all = timestamps(text, &tokens);
            let a = *all.choose(rng)?;
            let line = line_of(text, tokens[a].start);
            let same: Vec<usize> = all
                .into_iter()
                .filter(|&b| b != a && line_of(text, tokens[b].start) == line)
                .collect();
            let b = *same.choose(rng)?;
            swap_tokens(text, &tokens, a.min(b), a.max(b))
        }
        Op::RecordsSameContactId => {
            let ids = values_of(text, &tokens, b"\"ContactId\"");
            let (a, b) = (*ids.choose(rng)?, *ids.choose(rng)?);
            let (ta, tb) = (tokens[a], tokens[b]);
            let id = &text[ta.start..ta.end];
            if id == &text[tb.start..tb.end] {
                return None;
            }
            Some((
                splice(text, tb.start, tb.end, id),
                format!(
                    "{} `{}` -> `{}` (line {}'s)",
                    at(text, tb.start),
                    show(&text[tb.start..tb.end]),
                    show(id),
                    line_of(text, ta.start)
                ),
            ))
        }
        Op::RecordsJoinLines => {
            let breaks: Vec<usize> = lines(text)
                .into_iter()
                .filter(|&(_, e)| e < text.len())
                .map(|(_, e)| e - 1)
                .collect();
            let at_break = *breaks.choose(rng)?;
            let from = if at_break > 0 && text[at_break - 1] == b'\r' {
                at_break - 1
            } else {
                at_break
            };
            Some((
                splice(text, from, at_break + 1, b""),
                format!(
                    "lines {} and {} back to back",
                    line_of(text, at_break),
                    line_of(text, at_break) + 1
                ),
            ))
        }
        Op::RecordsBreakLine => {
            let (s, e) = *lines(text).choose(rng)?;
            let body = text[s..e].trim_ascii_end().len();
            if body < 2 {
                return None;
            }
            let pos = s + rng.random_range(1..body);
            Some((
                splice(text, pos, pos, b"\n"),
                format!("at {}", at(text, pos)),
            ))
        }
        Op::RecordsArray => {
            let records: Vec<&[u8]> = lines(text)
                .into_iter()
                .map(|(s, e)| text[s..e].trim_ascii())
                .filter(|l| !l.is_empty())
                .collect();
            if records.is_empty() {
                return None;
            }
            Some((
                [&b"[\n"[..], &records.join(&b",\n"[..]), b"\n]\n"].concat(),
                format!("all {} records in one array", records.len()),
            ))
        }
        Op::RecordsUtcOffset => {
            let v = *values_of(text, &tokens, b"\"dialsim_utc_offset\"").choose(rng)?;
            let t = tokens[v];
            let new = format!("\"{}\"", HOSTILE_OFFSETS.choose(rng)?);
            Some(replaced(text, t, new.as_bytes()))
        }
        // Applied by the case, not drawn here.
        Op::Gzip | Op::OtherFormat => None,
    }
}

fn replace_number<R: Rng>(text: &[u8], tokens: &[Token], rng: &mut R) -> Option<(Vec<u8>, String)> {
    let nums = indices(tokens, |t| t.kind == Kind::Number);
    let t = tokens[*nums.choose(rng)?];
    let old = &text[t.start..t.end];
    let integer = !old.iter().any(|b| matches!(b, b'.' | b'e' | b'E'));
    let new = if integer && rng.random_bool(0.2) {
        FRACTIONS.choose(rng)?
    } else {
        HOSTILE_NUMBERS.choose(rng)?
    };
    Some(replaced(text, t, new.as_bytes()))
}

/// Whether a string token (with its quotes) holds a timestamp as Connect writes them,
/// `"2026-03-02T14:00:19Z"`: its fields where [`TIMESTAMP_PARTS`] expects them.
fn is_timestamp(quoted: &[u8]) -> bool {
    let Some(b) = quoted.strip_prefix(b"\"") else {
        return false;
    };
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    b.len() >= 21
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && digits(14..16)
        && digits(17..19)
}

/// The string tokens holding a timestamp.
fn timestamps(text: &[u8], tokens: &[Token]) -> Vec<usize> {
    indices(tokens, |t| {
        t.kind == Kind::Str && is_timestamp(&text[t.start..t.end])
    })
}

/// The string values of every field named `key` (with its quotes).
fn values_of(text: &[u8], tokens: &[Token], key: &[u8]) -> Vec<usize> {
    field_keys(text, tokens)
        .into_iter()
        .filter(|&k| &text[tokens[k].start..tokens[k].end] == key)
        .filter_map(|k| next_solid(tokens, next_solid(tokens, k + 1)? + 1))
        .filter(|&v| tokens[v].kind == Kind::Str)
        .collect()
}

/// `bytes` compressed the way a contact records export is (gzip), mostly whole, sometimes as two
/// members (Firehose appends them) and sometimes broken: cut short, a wrong checksum, a
/// flipped byte, plain text after it.
pub fn gzip<R: Rng>(bytes: &[u8], rng: &mut R) -> (Vec<u8>, Mutation) {
    let (out, what) = match rng.random_range(0..100) {
        0..55 => (gzip_member(bytes), "one member".to_string()),
        55..70 => {
            let cut = lines(bytes).choose(rng).map_or(bytes.len() / 2, |l| l.0);
            (
                [gzip_member(&bytes[..cut]), gzip_member(&bytes[cut..])].concat(),
                format!("two members, the second from byte {cut}"),
            )
        }
        70..80 => {
            let whole = gzip_member(bytes);
            let cut = rng.random_range(2..whole.len());
            (
                whole[..cut].to_vec(),
                format!("cut at byte {cut} of {}", whole.len()),
            )
        }
        80..88 => {
            let mut whole = gzip_member(bytes);
            let crc = whole.len() - 8 + rng.random_range(0..4);
            whole[crc] ^= 1 << rng.random_range(0..8);
            (whole, "a wrong CRC".to_string())
        }
        88..95 => {
            let mut whole = gzip_member(bytes);
            // Past the 10-byte header and the first block's 5, before the 8-byte trailer.
            let (from, to) = (15, whole.len().saturating_sub(8));
            if from >= to {
                (whole, "one member (nothing to flip)".to_string())
            } else {
                let pos = rng.random_range(from..to);
                whole[pos] ^= 1 << rng.random_range(0..8);
                (whole, format!("byte {pos} flipped"))
            }
        }
        _ => (
            [
                gzip_member(bytes),
                bytes.iter().take(100).copied().collect(),
            ]
            .concat(),
            "plain text after the member".to_string(),
        ),
    };
    let log = Mutation {
        op: Op::Gzip,
        field: None,
        what: format!("{what} ({} bytes -> {})", bytes.len(), out.len()),
    };
    (out, log)
}

/// One gzip member holding `data`, as Firehose's compressor writes it.
fn gzip_member(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).expect("writing to memory");
    gz.finish().expect("writing to memory")
}

/// Replaces the `col`-th cell of a random data row.
fn replace_cell<R: Rng>(
    text: &[u8],
    col: usize,
    new: &[u8],
    rng: &mut R,
) -> Option<(Vec<u8>, String)> {
    let rows = lines(text);
    if rows.len() < 2 {
        return None;
    }
    let (s, e) = rows[rng.random_range(1..rows.len())];
    let row = text[s..e].trim_ascii_end();
    let mut cells: Vec<&[u8]> = row.split(|&b| b == b',').collect();
    let old = *cells.get(col)?;
    cells[col] = new;
    let joined = cells.join(&b","[..]);
    Some((
        splice(text, s, s + row.len(), &joined),
        format!(
            "line {} column {}: `{}` -> `{}`",
            line_of(text, s),
            col + 1,
            show(old),
            show(new)
        ),
    ))
}

/// The header line (without its line break) and everything after it.
fn split_header(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
    let header = text[..end].strip_suffix(b"\r").unwrap_or(&text[..end]);
    (!header.is_empty()).then(|| (header, &text[header.len()..]))
}

/// Indices of the tokens that are field names: an identifier (RON) or a string (JSON) followed
/// by `:`.
fn field_keys(text: &[u8], tokens: &[Token]) -> Vec<usize> {
    (0..tokens.len())
        .filter(|&i| matches!(tokens[i].kind, Kind::Ident | Kind::Str))
        .filter(|&i| {
            next_solid(tokens, i + 1).is_some_and(|c| &text[tokens[c].start..tokens[c].end] == b":")
        })
        .collect()
}

/// The next token from `i` on that is neither space nor comment.
fn next_solid(tokens: &[Token], i: usize) -> Option<usize> {
    (i..tokens.len()).find(|&j| !matches!(tokens[j].kind, Kind::Space | Kind::Comment))
}

/// The last token of the value starting at token `v`: a bracketed group, an identifier with its
/// parenthesized fields (`Some(...)`, `LogNormal(...)`), or one token.
fn value_end(text: &[u8], tokens: &[Token], v: usize) -> Option<usize> {
    let is_open = |i: usize| matches!(&text[tokens[i].start..tokens[i].end], b"(" | b"[" | b"{");
    let start = if tokens[v].kind == Kind::Ident {
        match next_solid(tokens, v + 1) {
            Some(p) if &text[tokens[p].start..tokens[p].end] == b"(" => p,
            _ => return Some(v),
        }
    } else if is_open(v) {
        v
    } else {
        return Some(v);
    };
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(start) {
        match &text[t.start..t.end] {
            b"(" | b"[" | b"{" => depth += 1,
            b")" | b"]" | b"}" => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn indices(tokens: &[Token], keep: impl Fn(&Token) -> bool) -> Vec<usize> {
    (0..tokens.len()).filter(|&i| keep(&tokens[i])).collect()
}

fn swap_tokens(text: &[u8], tokens: &[Token], a: usize, b: usize) -> Option<(Vec<u8>, String)> {
    let (ta, tb) = (tokens[a], tokens[b]);
    if a == b || text[ta.start..ta.end] == text[tb.start..tb.end] {
        return None;
    }
    let mut out = text[..ta.start].to_vec();
    out.extend_from_slice(&text[tb.start..tb.end]);
    out.extend_from_slice(&text[ta.end..tb.start]);
    out.extend_from_slice(&text[ta.start..ta.end]);
    out.extend_from_slice(&text[tb.end..]);
    Some((
        out,
        format!(
            "{} `{}` <-> {} `{}`",
            at(text, ta.start),
            show(&text[ta.start..ta.end]),
            at(text, tb.start),
            show(&text[tb.start..tb.end])
        ),
    ))
}

/// Each line's byte range, its line break included.
fn lines(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = 0;
    for (i, &b) in text.iter().enumerate() {
        if b == b'\n' {
            out.push((s, i + 1));
            s = i + 1;
        }
    }
    if s < text.len() {
        out.push((s, text.len()));
    }
    out
}

fn with_newline(line: &[u8]) -> Vec<u8> {
    let mut l = line.to_vec();
    if !l.ends_with(b"\n") {
        l.push(b'\n');
    }
    l
}

/// Swapping a last line without a line break in gives the result one more: take it off again.
fn trim_added_newline(out: &mut Vec<u8>, original: &[u8]) {
    if !original.ends_with(b"\n") && out.ends_with(b"\n") {
        out.pop();
    }
}

fn splice(text: &[u8], start: usize, end: usize, with: &[u8]) -> Vec<u8> {
    [&text[..start], with, &text[end..]].concat()
}

fn line_of(text: &[u8], pos: usize) -> usize {
    1 + text[..pos].iter().filter(|&&b| b == b'\n').count()
}

/// `line:column` of byte `pos`, 1-based, as dialsim's messages write it.
fn at(text: &[u8], pos: usize) -> String {
    let line_start = text[..pos]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    format!("{}:{}", line_of(text, pos), pos - line_start + 1)
}

/// A short printable form of some bytes for the mutation log.
/// `text` with token `t` replaced by `new`, and what was done: where, the old and the new.
fn replaced(text: &[u8], t: Token, new: &[u8]) -> (Vec<u8>, String) {
    (
        splice(text, t.start, t.end, new),
        format!(
            "{} `{}` -> `{}`",
            at(text, t.start),
            show(&text[t.start..t.end]),
            show(new)
        ),
    )
}

fn show(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let s = s.replace('\n', "\\n").replace('\r', "\\r");
    if s.chars().count() > 80 {
        let head: String = s.chars().take(60).collect();
        format!("{head}… ({} bytes)", bytes.len())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64;
    use std::path::Path;

    fn bundled(rel: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios")
            .join(rel);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn texts(v: Vec<&[u8]>) -> Vec<String> {
        v.into_iter()
            .map(|b| String::from_utf8(b.to_vec()).unwrap())
            .collect()
    }

    /// Every number, and nothing else: not the digits of identifiers (`wait_p90_s`, `mmn2`), of
    /// strings or of comments; signs and exponents stay with their number.
    #[test]
    fn the_number_finder_finds_every_number_of_a_ron_file_and_nothing_else() {
        let ron = br#"// 100 agents, 8 h
Scenario(
    name: "day-100 agents 2",   /* 3 strategies */
    seed: 2018, replications: 1_000,
    horizon_h: Some(8.0), start_utc_h: -5.5,
    dial: (human: 0.35, ring_timeout_s: 6e1, tiny: 1e-9, big: 1.5E+12, dot: 2.),
    gates: [WaitP90(max_s: 5)], mmn2: [-0.0, +7],
)"#;
        assert_eq!(
            texts(numbers(ron)),
            [
                "2018", "1_000", "8.0", "-5.5", "0.35", "6e1", "1e-9", "1.5E+12", "2.", "5",
                "-0.0", "+7"
            ]
        );
    }

    /// The tokenizer loses nothing, so a mutation changes only what it means to; and on a bundled
    /// scenario each number it finds is one (it parses), and the dial probabilities are among them.
    #[test]
    fn tokens_cover_every_bundled_file_and_its_numbers_parse() {
        for rel in [
            "seed-sample.ron",
            "day-100-agents.ron",
            "csv-list.ron",
            "sweeps/quick.ron",
            "customers-sample.csv",
        ] {
            let text = bundled(rel);
            let tokens = tokenize(&text);
            let mut pos = 0;
            for t in &tokens {
                assert_eq!(t.start, pos, "{rel}: a gap or an overlap at byte {pos}");
                assert!(t.end > t.start, "{rel}: an empty token");
                pos = t.end;
            }
            assert_eq!(pos, text.len(), "{rel}: the tokens stop short");
            for n in numbers(&text) {
                let s = std::str::from_utf8(n).unwrap().replace('_', "");
                assert!(s.parse::<f64>().is_ok(), "{rel}: `{s}` is not a number");
            }
        }
        let found = texts(numbers(&bundled("seed-sample.ron")));
        for p in ["0.35", "0.15", "0.05", "0.40", "60.0", "2018"] {
            assert!(
                found.iter().any(|f| f == p),
                "seed-sample.ron: {p} not found in {found:?}"
            );
        }
    }

    /// The same seed gives the same mutant and log; different seeds give different mutants; a
    /// mutant always differs from its input.
    #[test]
    fn mutations_are_deterministic_per_seed_and_always_change_the_input() {
        for (rel, format) in [
            ("seed-sample.ron", Format::Ron),
            ("customers-sample.csv", Format::Csv),
        ] {
            let input = bundled(rel);
            let mut distinct = std::collections::HashSet::new();
            for seed in 0..200 {
                let a = mutate(&input, format, &mut Pcg64::seed_from_u64(seed));
                let b = mutate(&input, format, &mut Pcg64::seed_from_u64(seed));
                assert_eq!(a, b, "{rel}: seed {seed} gave two different mutants");
                assert_ne!(
                    a.bytes, input,
                    "{rel}: seed {seed} changed nothing: {:?}",
                    a.log
                );
                assert!(!a.log.is_empty());
                distinct.insert(a.bytes);
            }
            assert!(
                distinct.len() > 150,
                "{rel}: only {} distinct mutants of 200",
                distinct.len()
            );
        }
    }

    /// Mutants of mutants of mutants: whatever earlier mutations left (unterminated strings,
    /// invalid UTF-8, an empty file), the mutator itself never panics.
    #[test]
    fn mutating_mutants_never_panics() {
        for (rel, format) in [
            ("sweeps/quick.ron", Format::Ron),
            ("customers-sample.csv", Format::Csv),
        ] {
            let input = bundled(rel);
            for seed in 0..150 {
                let mut rng = Pcg64::seed_from_u64(seed);
                let mut bytes = input.clone();
                for _ in 0..25 {
                    bytes = mutate(&bytes, format, &mut rng).bytes;
                }
            }
        }
        let json = br#"{"format": "dialsim-results/1", "ci95": [0.1, 0.2], "m": {"a": [1, 2, {"b": null}]}}"#;
        for seed in 0..300 {
            let mut rng = Pcg64::seed_from_u64(seed);
            let mut bytes = json.to_vec();
            for _ in 0..25 {
                bytes = mutate(&bytes, Format::Json, &mut rng).bytes;
            }
        }
    }

    /// `replace number` changes exactly one number token into a hostile value and leaves every
    /// other token as it was.
    #[test]
    fn replace_number_changes_one_number_and_nothing_else() {
        let input = bundled("seed-sample.ron");
        let before = tokenize(&input);
        for seed in 0..50 {
            let mut rng = Pcg64::seed_from_u64(seed);
            let (out, _) = apply(Op::ReplaceNumber, &input, Format::Ron, &mut rng).unwrap();
            let after = tokenize(&out);
            let text = |b: &[u8], t: &Token| b[t.start..t.end].to_vec();
            // Find the one differing token by comparing the token texts from both ends.
            let prefix = before
                .iter()
                .zip(&after)
                .take_while(|(x, y)| text(&input, x) == text(&out, y))
                .count();
            let suffix = before
                .iter()
                .rev()
                .zip(after.iter().rev())
                .take_while(|(x, y)| text(&input, x) == text(&out, y))
                .count();
            assert_eq!(before[prefix].kind, Kind::Number, "seed {seed}");
            assert_eq!(
                prefix + suffix + 1,
                before.len(),
                "seed {seed}: more than one token changed"
            );
            let (s, e) = (before[prefix].start, before[prefix].end);
            let new = String::from_utf8(out[s..out.len() - (input.len() - e)].to_vec()).unwrap();
            assert!(
                HOSTILE_NUMBERS.contains(&new.as_str()) || FRACTIONS.contains(&new.as_str()),
                "seed {seed}: `{new}` is not from the dictionary"
            );
        }
    }

    /// A JSON `ci95` pair comes out with its low and high ends exchanged.
    #[test]
    fn swap_ci95_exchanges_the_two_ends_of_an_interval() {
        let json = br#"{"mean": 0.5, "ci95": [0.25, 0.75], "n": 3}"#;
        let (out, _) = apply(
            Op::SwapCi95,
            json,
            Format::Json,
            &mut Pcg64::seed_from_u64(1),
        )
        .unwrap();
        assert_eq!(out, br#"{"mean": 0.5, "ci95": [0.75, 0.25], "n": 3}"#);
    }

    /// `corrupt utc_offset` touches the utc_offset cell of one data row, wherever the column is.
    #[test]
    fn corrupt_utc_offset_touches_only_that_column() {
        let csv = b"phone,UTC_Offset,name\n+14155550000,-05:00,a\n+14155550001,+01:00,b\n";
        for seed in 0..30 {
            let (out, _) = apply(
                Op::CsvUtcOffset,
                csv,
                Format::Csv,
                &mut Pcg64::seed_from_u64(seed),
            )
            .unwrap();
            let out = String::from_utf8(out).unwrap();
            let rows: Vec<&str> = out.lines().collect();
            assert_eq!(rows.len(), 3);
            assert_eq!(rows[0], "phone,UTC_Offset,name");
            for (row, (phone, name)) in rows[1..]
                .iter()
                .zip([("+14155550000", "a"), ("+14155550001", "b")])
            {
                assert!(row.starts_with(&format!("{phone},")), "seed {seed}: {row}");
                assert!(row.ends_with(&format!(",{name}")), "seed {seed}: {row}");
            }
        }
    }

    /// Three contact records as the synthetic center's export writes them: a call nobody
    /// answered, one served by an agent, one that hung up in the queue.
    const RECORDS: &str = concat!(
        r#"{"AWSAccountId":"123456789012","AWSContactTraceRecordFormatVersion":"2017-03-10","Agent":null,"AnsweringMachineDetectionStatus":null,"Attributes":{"dialsim_attempt":"1","dialsim_campaign":"synthetic-center","dialsim_customer":"0","dialsim_utc_offset":"-05:00"},"Channel":"VOICE","ConnectedToSystemTimestamp":null,"ContactId":"00000000-0000-4000-a001-000000000001","CustomerEndpoint":{"Address":"+15550000000","Type":"TELEPHONE_NUMBER"},"DisconnectReason":"TELECOM_UNANSWERED","DisconnectTimestamp":"2026-03-02T14:00:22Z","InitialContactId":null,"InitiationMethod":"API","InitiationTimestamp":"2026-03-02T14:00:00Z","InstanceARN":"arn:aws:connect:us-east-1:123456789012:instance/dialsim","LastUpdateTimestamp":"2026-03-02T14:00:24Z","NextContactId":null,"PreviousContactId":null,"Queue":null,"Recording":null,"SystemEndpoint":{"Address":"+18005550100","Type":"TELEPHONE_NUMBER"},"Tags":{},"TransferCompletedTimestamp":null,"TransferredToEndpoint":null}"#,
        "\n",
        r#"{"AWSAccountId":"123456789012","AWSContactTraceRecordFormatVersion":"2017-03-10","Agent":{"ARN":"arn:aws:connect:us-east-1:123456789012:instance/dialsim/agent/agent","AfterContactWorkDuration":23,"AfterContactWorkEndTimestamp":"2026-03-02T14:01:35Z","AfterContactWorkStartTimestamp":"2026-03-02T14:01:12Z","AgentConnectionAttempts":1,"AgentInteractionDuration":53,"ConnectedToAgentTimestamp":"2026-03-02T14:00:19Z","CustomerHoldDuration":0,"HierarchyGroups":null,"LongestHoldDuration":0,"NumberOfHolds":0,"RoutingProfile":{"Name":"Outbound"},"Username":"agent"},"AnsweringMachineDetectionStatus":null,"Attributes":{"dialsim_attempt":"1","dialsim_campaign":"synthetic-center","dialsim_customer":"5","dialsim_result":"1","dialsim_utc_offset":"-05:00"},"Channel":"VOICE","ConnectedToSystemTimestamp":"2026-03-02T14:00:08Z","ContactId":"00000000-0000-4000-a001-000000000501","CustomerEndpoint":{"Address":"+15550000005","Type":"TELEPHONE_NUMBER"},"DisconnectReason":"CUSTOMER_DISCONNECT","DisconnectTimestamp":"2026-03-02T14:01:12Z","InitialContactId":null,"InitiationMethod":"API","InitiationTimestamp":"2026-03-02T14:00:00Z","InstanceARN":"arn:aws:connect:us-east-1:123456789012:instance/dialsim","LastUpdateTimestamp":"2026-03-02T14:01:37Z","NextContactId":null,"PreviousContactId":null,"Queue":{"ARN":"arn:aws:connect:us-east-1:123456789012:instance/dialsim/queue/Outbound","DequeueTimestamp":"2026-03-02T14:00:19Z","Duration":0,"EnqueueTimestamp":"2026-03-02T14:00:19Z","Name":"Outbound"},"Recording":null,"SystemEndpoint":{"Address":"+18005550100","Type":"TELEPHONE_NUMBER"},"Tags":{},"TransferCompletedTimestamp":null,"TransferredToEndpoint":null}"#,
        "\n",
        r#"{"AWSAccountId":"123456789012","AWSContactTraceRecordFormatVersion":"2017-03-10","Agent":null,"AnsweringMachineDetectionStatus":null,"Attributes":{"dialsim_attempt":"1","dialsim_campaign":"synthetic-center","dialsim_customer":"498","dialsim_result":"1","dialsim_utc_offset":"-05:00"},"Channel":"VOICE","ConnectedToSystemTimestamp":"2026-03-02T14:32:10Z","ContactId":"00000000-0000-401f-a001-00000001f201","CustomerEndpoint":{"Address":"+15550000498","Type":"TELEPHONE_NUMBER"},"DisconnectReason":"CUSTOMER_DISCONNECT","DisconnectTimestamp":"2026-03-02T14:32:23Z","InitialContactId":null,"InitiationMethod":"API","InitiationTimestamp":"2026-03-02T14:32:03Z","InstanceARN":"arn:aws:connect:us-east-1:123456789012:instance/dialsim","LastUpdateTimestamp":"2026-03-02T14:32:25Z","NextContactId":null,"PreviousContactId":null,"Queue":{"ARN":"arn:aws:connect:us-east-1:123456789012:instance/dialsim/queue/Outbound","DequeueTimestamp":"2026-03-02T14:32:23Z","Duration":2,"EnqueueTimestamp":"2026-03-02T14:32:21Z","Name":"Outbound"},"Recording":null,"SystemEndpoint":{"Address":"+18005550100","Type":"TELEPHONE_NUMBER"},"Tags":{},"TransferCompletedTimestamp":null,"TransferredToEndpoint":null}"#,
        "\n",
    );

    /// Contact records get mutants that differ, the same per seed; and mutants of mutants (a
    /// gzip mutant among them, text mutations then landing in binary) never panic the mutator.
    #[test]
    fn records_mutations_are_deterministic_and_never_panic() {
        let input = RECORDS.as_bytes();
        let mut distinct = std::collections::HashSet::new();
        for seed in 0..200 {
            let a = mutate(input, Format::Records, &mut Pcg64::seed_from_u64(seed));
            let b = mutate(input, Format::Records, &mut Pcg64::seed_from_u64(seed));
            assert_eq!(a, b, "seed {seed} gave two different mutants");
            assert_ne!(a.bytes, input, "seed {seed} changed nothing: {:?}", a.log);
            distinct.insert(a.bytes);
        }
        assert!(
            distinct.len() > 150,
            "only {} distinct mutants of 200",
            distinct.len()
        );
        for seed in 0..100 {
            let mut rng = Pcg64::seed_from_u64(seed);
            let mut bytes = input.to_vec();
            for round in 0..25 {
                if round == 10 && seed % 3 == 0 {
                    bytes = gzip(&bytes, &mut rng).0;
                }
                bytes = mutate(&bytes, Format::Records, &mut rng).bytes;
            }
        }
    }

    /// The timestamp mutations change timestamps only: a nudge one field of one, a swap two of
    /// one record (the line count and every other byte stay).
    #[test]
    fn timestamp_mutations_change_timestamps_only() {
        let input = RECORDS.as_bytes();
        let stamps = |b: &[u8]| -> Vec<String> {
            let tokens = tokenize(b);
            timestamps(b, &tokens)
                .into_iter()
                .map(|i| String::from_utf8_lossy(&b[tokens[i].start..tokens[i].end]).into_owned())
                .collect()
        };
        let before = stamps(input);
        assert_eq!(before.len(), 18, "{before:?}");
        let mut swapped = 0;
        for seed in 0..40 {
            let mut rng = Pcg64::seed_from_u64(seed);
            // None when the two drawn hold the same instant.
            if let Some((out, what)) =
                apply(Op::RecordsSwapTimestamps, input, Format::Records, &mut rng)
            {
                swapped += 1;
                let after = stamps(&out);
                let moved: Vec<usize> = (0..before.len())
                    .filter(|&i| before[i] != after[i])
                    .collect();
                assert_eq!(moved.len(), 2, "seed {seed}: {what}");
                assert_eq!(before[moved[0]], after[moved[1]], "seed {seed}: {what}");
                assert_eq!(before[moved[1]], after[moved[0]], "seed {seed}: {what}");
                assert_eq!(out.len(), input.len(), "seed {seed}: {what}");
                assert_eq!(lines(&out).len(), 3, "seed {seed}: {what}");
            }
            let Some((out, what)) =
                apply(Op::RecordsNudgeTimestamp, input, Format::Records, &mut rng)
            else {
                continue; // the value drawn was the one there
            };
            assert_eq!(out.len(), input.len(), "seed {seed}: {what}");
            let changed: Vec<usize> = (0..input.len()).filter(|&i| input[i] != out[i]).collect();
            let (first, last) = (changed[0], changed[changed.len() - 1]);
            assert!(last - first < 4, "seed {seed}: {what}");
            assert!(
                out[first..=last].iter().all(u8::is_ascii_digit),
                "seed {seed}: {what}"
            );
        }
        assert!(swapped > 20, "only {swapped} swaps of 40");
    }

    /// One contact's id given to another: two lines then share a ContactId.
    #[test]
    fn repeat_contact_id_gives_two_records_one_id() {
        let input = RECORDS.as_bytes();
        let (out, what) = (0..20)
            .find_map(|seed| {
                apply(
                    Op::RecordsSameContactId,
                    input,
                    Format::Records,
                    &mut Pcg64::seed_from_u64(seed),
                )
            })
            .expect("three ids");
        let tokens = tokenize(&out);
        let ids: std::collections::HashSet<&[u8]> = values_of(&out, &tokens, b"\"ContactId\"")
            .into_iter()
            .map(|i| &out[tokens[i].start..tokens[i].end])
            .collect();
        assert_eq!(ids.len(), 2, "{what}");
    }

    /// What [`gzip`] writes decompresses to the input when whole (two members hold it between
    /// them), and a broken file is one the decompressor refuses.
    #[test]
    fn gzip_members_hold_the_input() {
        fn gunzip(gz: &[u8]) -> Option<Vec<u8>> {
            use std::io::Read;
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(gz)
                .read_to_end(&mut out)
                .ok()?;
            Some(out)
        }
        let big: Vec<u8> = RECORDS.bytes().cycle().take(150_000).collect();
        for input in [&b""[..], RECORDS.as_bytes(), &big] {
            assert_eq!(gunzip(&gzip_member(input)).as_deref(), Some(input));
        }
        let (mut whole, mut broken) = (0, 0);
        for seed in 0..200 {
            let (out, log) = gzip(&big, &mut Pcg64::seed_from_u64(seed));
            assert_eq!(log.op, Op::Gzip);
            assert!(out.starts_with(&[0x1f, 0x8b]), "{log}");
            match gunzip(&out) {
                Some(back) => {
                    assert_eq!(back, big, "{log}");
                    whole += 1;
                }
                None => broken += 1,
            }
        }
        assert!(whole > 100 && broken > 40, "{whole} whole, {broken} broken");
    }

    /// Deleting a field takes its whole value: a nested structure, an enum with its fields.
    #[test]
    fn delete_field_removes_the_whole_value() {
        let ron = b"(a: 1, b: LogNormal(mean_s: 2.0, sd_s: (x: [1, 2])), c: 3)";
        let tokens = tokenize(ron);
        let b = field_keys(ron, &tokens)
            .into_iter()
            .find(|&i| &ron[tokens[i].start..tokens[i].end] == b"b")
            .unwrap();
        let colon = next_solid(&tokens, b + 1).unwrap();
        let v = next_solid(&tokens, colon + 1).unwrap();
        let end = value_end(ron, &tokens, v).unwrap();
        assert_eq!(
            &ron[tokens[v].start..tokens[end].end],
            b"LogNormal(mean_s: 2.0, sd_s: (x: [1, 2]))"
        );
    }
}
