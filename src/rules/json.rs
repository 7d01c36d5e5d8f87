//! The JSON form of `chiso findings`, written directly.
//!
//! Byte for byte what `serde_json::to_vec_pretty(&findings)` gives (a test
//! holds the two together): a national month has 20,000 findings and
//! 10 MB of JSON, and serde's generic writer spent more time on it than the
//! rules engine did.

use std::io::{self, Write};

use super::{Findings, NotEvaluated, RuleSummary, render};

/// Pretty JSON of the findings, with a final newline, in memory (tests
/// compare it with serde's).
#[cfg(test)]
pub fn findings_json(f: &Findings) -> Vec<u8> {
    let mut out = Vec::new();
    write_findings(f, &mut out).expect("writing to memory");
    out
}

/// Writes the JSON in pieces of about 64 KiB: a national month is 10 MB,
/// and one buffer that size costs more in page faults than it saves.
pub fn write_findings(f: &Findings, out: &mut dyn Write) -> io::Result<()> {
    write_findings_with(f, None, out)
}

/// `write_findings` with a quarter's or a year's months on the list as the
/// object's last field, `months_on_list` (`findings --months`).
pub fn write_findings_with(
    f: &Findings,
    months: Option<&super::months_on_list::MonthsOnList>,
    out: &mut dyn Write,
) -> io::Result<()> {
    const CHUNK: usize = 64 * 1024;
    let mut w = Vec::with_capacity(2 * CHUNK);
    w.extend_from_slice(b"{\n");
    field_str(&mut w, 1, "period", &f.period, true);
    field_str(&mut w, 1, "previous_period", &f.previous_period, true);
    key(&mut w, 1, "units_total");
    w.extend_from_slice(itoa::Buffer::new().format(f.units_total).as_bytes());
    w.extend_from_slice(b",\n");

    key(&mut w, 1, "findings");
    // Directives left empty (`evaluate_lean`) are written as they are
    // rendered, one at a time.
    let mut directives = f
        .findings
        .iter()
        .any(|x| x.directive.is_empty())
        .then(|| render::Directives::json(f))
        .flatten();
    let mut text = String::with_capacity(512);
    array(&mut w, 1, &f.findings, |w, x| {
        if w.len() > CHUNK {
            out.write_all(w)?;
            w.clear();
        }
        field_str(w, 3, "unit", &x.unit, true);
        field_str(w, 3, "group", x.group.code(), true);
        field_str(w, 3, "rule", &x.rule, true);
        field_str(w, 3, "metric", &x.metric, true);
        field_str(w, 3, "severity", x.severity.code(), true);
        for (name, v) in x.json_values() {
            key(w, 3, name);
            // Small values: serde's number formatting, so both agree.
            serde_json::to_writer(&mut *w, &v).expect("writing to memory");
            w.extend_from_slice(b",\n");
        }
        key(w, 3, "streak");
        w.extend_from_slice(itoa::Buffer::new().format(x.streak).as_bytes());
        w.extend_from_slice(b",\n");
        key(w, 3, "escalated");
        w.extend_from_slice(if x.escalated { b"true" } else { b"false" });
        w.extend_from_slice(b",\n");
        match &mut directives {
            Some(d) if x.directive.is_empty() => {
                // Rendered escaped already (`Directives::json`).
                text.clear();
                d.render(x, &mut text);
                key(w, 3, "directive");
                w.push(b'"');
                w.extend_from_slice(text.as_bytes());
                w.extend_from_slice(b"\"\n");
            }
            _ => field_str(w, 3, "directive", &x.directive, false),
        }
        Ok(())
    })?;
    w.extend_from_slice(b",\n");

    key(&mut w, 1, "summary");
    array(&mut w, 1, &f.summary, |w, s: &RuleSummary| {
        field_str(w, 3, "rule", &s.rule, true);
        key(w, 3, "count");
        w.extend_from_slice(itoa::Buffer::new().format(s.count).as_bytes());
        w.extend_from_slice(b",\n");
        key(w, 3, "units");
        if s.units.is_empty() {
            w.extend_from_slice(b"[]");
        } else {
            w.extend_from_slice(b"[\n");
            for (i, u) in s.units.iter().enumerate() {
                indent(w, 4);
                string(w, u);
                w.extend_from_slice(if i + 1 < s.units.len() { b",\n" } else { b"\n" });
            }
            indent(w, 3);
            w.push(b']');
        }
        w.extend_from_slice(b",\n");
        field_str(w, 3, "compared_with", &s.compared_with, false);
        Ok(())
    })?;
    w.extend_from_slice(b",\n");

    key(&mut w, 1, "not_evaluated");
    array(&mut w, 1, &f.not_evaluated, |w, n: &NotEvaluated| {
        field_str(w, 3, "rule", &n.rule, true);
        if let Some(u) = &n.unit {
            field_str(w, 3, "unit", u, true);
        }
        field_str(w, 3, "reason", &n.reason, false);
        Ok(())
    })?;
    if let Some(m) = months {
        w.extend_from_slice(b",\n");
        key(&mut w, 1, "months_on_list");
        m.write_json(&mut w, 1)?;
    }
    w.extend_from_slice(b"\n}\n");
    out.write_all(&w)
}

/// An array of objects at `depth`; `body` writes an object's fields (each
/// ending its line).
fn array<T>(
    w: &mut Vec<u8>,
    depth: usize,
    items: &[T],
    mut body: impl FnMut(&mut Vec<u8>, &T) -> io::Result<()>,
) -> io::Result<()> {
    if items.is_empty() {
        w.extend_from_slice(b"[]");
        return Ok(());
    }
    w.extend_from_slice(b"[\n");
    for (i, item) in items.iter().enumerate() {
        indent(w, depth + 1);
        w.extend_from_slice(b"{\n");
        body(w, item)?;
        indent(w, depth + 1);
        w.push(b'}');
        w.extend_from_slice(if i + 1 < items.len() { b",\n" } else { b"\n" });
    }
    indent(w, depth);
    w.push(b']');
    Ok(())
}

fn indent(w: &mut Vec<u8>, depth: usize) {
    for _ in 0..depth {
        w.extend_from_slice(b"  ");
    }
}

/// `"name": ` at `depth`; names are this file's own, plain ASCII.
fn key(w: &mut Vec<u8>, depth: usize, name: &str) {
    debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    indent(w, depth);
    w.push(b'"');
    w.extend_from_slice(name.as_bytes());
    w.extend_from_slice(b"\": ");
}

fn field_str(w: &mut Vec<u8>, depth: usize, name: &str, value: &str, more: bool) {
    key(w, depth, name);
    string(w, value);
    w.extend_from_slice(if more { b",\n" } else { b"\n" });
}

/// A JSON string as serde_json escapes it: `"` `\` and control characters;
/// everything else, Vietnamese included, as is.
fn string(w: &mut Vec<u8>, s: &str) {
    w.push(b'"');
    escape(w, s);
    w.push(b'"');
}

/// `s` as the inside of a JSON string: for text escaped once and written
/// many times (the parts of directive templates, unit phrases).
pub(super) fn escaped(s: &str) -> String {
    let mut w = Vec::with_capacity(s.len());
    escape(&mut w, s);
    String::from_utf8(w).expect("escaping ASCII bytes keeps UTF-8")
}

/// The inside of `string`.
fn escape(w: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    // One pass: the strings escaped here are short (names, codes; the
    // directives' fixed text is escaped once, `escaped`), and a search
    // set up per string cost more than it saved.
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        w.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => w.extend_from_slice(b"\\\""),
            b'\\' => w.extend_from_slice(b"\\\\"),
            b'\n' => w.extend_from_slice(b"\\n"),
            b'\r' => w.extend_from_slice(b"\\r"),
            b'\t' => w.extend_from_slice(b"\\t"),
            0x08 => w.extend_from_slice(b"\\b"),
            0x0C => w.extend_from_slice(b"\\f"),
            _ => w.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xF) as usize],
            ]),
        }
        start = i + 1;
    }
    w.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_as_serde_does() {
        let mut s: String = (0u8..0x20).map(char::from).collect();
        s.push_str("\"\\/ Đồng Tiến \u{7f} \u{2028} kết quả \"Tốt\"");
        let mut w = Vec::new();
        string(&mut w, &s);
        assert_eq!(w, serde_json::to_vec(&s).unwrap());
    }
}
