//! The problems and conflicts an import collects, kept within bounds: a
//! hostile file must not build millions of messages, and a report must not
//! print seventy thousand lines. The first problems are kept whole, the
//! rest only counted by kind; the report shows the first few whole and a
//! count per kind for the rest; every kept one can be written as CSV.

use std::fmt::Write as _;

use super::{Conflict, Problem};
use crate::text;

/// Problems kept whole; past this they are only counted by kind.
pub const KEEP: usize = 100_000;
/// Problems (and conflicts) a report prints whole.
pub const SHOWN: usize = 50;
/// Kinds counted separately; the rest are counted together.
const KINDS: usize = 50;

/// The kind of a problem: its message without the particulars after a
/// parenthesis, colon, semicolon or quote ("đơn vị có hai giá trị e_copies
/// trong cùng lần nhập (lần đầu: …)" → "đơn vị có hai giá trị e_copies
/// trong cùng lần nhập").
pub fn kind(message: &str) -> &str {
    let end = message
        .find(['(', ':', ';', '"', '\n'])
        .unwrap_or(message.len());
    let k = message[..end].trim_end_matches([' ', ',']);
    if k.is_empty() { message } else { k }
}

/// Counts per kind, in order of first appearance, at most `KINDS` of them.
#[derive(Debug, Clone, Default, PartialEq)]
struct KindCounts {
    kinds: Vec<(String, usize)>,
    other: usize,
}

impl KindCounts {
    fn add(&mut self, kind: &str, n: usize) {
        if let Some(k) = self.kinds.iter_mut().find(|(k, _)| k == kind) {
            k.1 += n;
        } else if self.kinds.len() < KINDS {
            self.kinds.push((kind.to_owned(), n));
        } else {
            self.other += n;
        }
    }
}

/// The problems of one import: the first `KEEP` whole, the rest counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Problems {
    kept: Vec<Problem>,
    dropped: KindCounts,
    dropped_total: usize,
    /// The hint of the last problem kept that had one.
    last_hint: Option<String>,
}

impl Problems {
    pub fn new() -> Problems {
        Problems::default()
    }

    /// Keeps a problem (a hint the one before carried is kept once: the
    /// report prints a shared hint once, and a file of a hundred thousand
    /// unknown names need not hold the same paragraph a hundred thousand
    /// times) or, past `KEEP`, counts it.
    pub fn push(&mut self, mut p: Problem) {
        if self.kept.len() < KEEP {
            if p.hint.is_some() {
                if p.hint == self.last_hint {
                    p.hint = None;
                } else {
                    self.last_hint.clone_from(&p.hint);
                }
            }
            self.kept.push(p);
        } else {
            self.dropped.add(kind(&p.message), 1);
            self.dropped_total += 1;
        }
    }

    /// Every problem found, kept or only counted.
    pub fn len(&self) -> usize {
        self.kept.len() + self.dropped_total
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The problems kept whole, in the order found.
    pub fn kept(&self) -> &[Problem] {
        &self.kept
    }

    /// Problems found past `KEEP`, counted but not kept.
    pub fn dropped(&self) -> usize {
        self.dropped_total
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Problem> {
        self.kept.iter()
    }

    /// "… và 70.201 lỗi cùng loại: …" lines for the problems after the
    /// first `shown`, one per kind.
    pub fn more_lines(&self, shown: usize) -> Vec<String> {
        let shown = shown.min(self.kept.len());
        let mut counts = KindCounts::default();
        for p in &self.kept[shown..] {
            counts.add(kind(&p.message), 1);
        }
        for (k, n) in &self.dropped.kinds {
            counts.add(k, *n);
        }
        counts.other += self.dropped.other;
        let seen: Vec<&str> = self.kept[..shown]
            .iter()
            .map(|p| kind(&p.message))
            .collect();
        let mut out: Vec<String> = counts
            .kinds
            .iter()
            .map(|(k, n)| {
                let same = if seen.contains(&k.as_str()) {
                    "lỗi cùng loại"
                } else {
                    "lỗi khác"
                };
                format!("… và {} {same}: {}", count(*n), text::escape(k))
            })
            .collect();
        if counts.other > 0 {
            out.push(format!("… và {} lỗi loại khác", count(counts.other)));
        }
        out
    }
}

impl<'a> IntoIterator for &'a Problems {
    type Item = &'a Problem;
    type IntoIter = std::slice::Iter<'a, Problem>;
    fn into_iter(self) -> Self::IntoIter {
        self.kept.iter()
    }
}

impl From<Vec<Problem>> for Problems {
    fn from(list: Vec<Problem>) -> Problems {
        let mut p = Problems::new();
        for x in list {
            p.push(x);
        }
        p
    }
}

/// Conflicts with the stored values: the first `KEEP` whole, the rest counted.
#[derive(Debug, Clone, Default)]
pub struct Conflicts {
    kept: Vec<Conflict>,
    dropped: usize,
}

impl Conflicts {
    pub fn push(&mut self, c: Conflict) {
        if self.kept.len() < KEEP {
            self.kept.push(c);
        } else {
            self.dropped += 1;
        }
    }

    pub fn len(&self) -> usize {
        self.kept.len() + self.dropped
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    pub fn kept(&self) -> &[Conflict] {
        &self.kept
    }

    pub fn dropped(&self) -> usize {
        self.dropped
    }
}

/// How a refusal is shown: the first `SHOWN` problems or all of them, and
/// a note to add (where the full list was written).
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub all: bool,
    pub note: Option<String>,
}

/// A count the Vietnamese way: 70.201.
pub fn count(n: usize) -> String {
    text::format_vi(n as f64, 0)
}

/// The text of a refusal: the problems, then the conflicts, each list cut
/// after `SHOWN` entries (unless `opts.all`) with a count per kind for the
/// rest.
pub fn report(problems: &Problems, conflicts: &Conflicts, opts: &ReportOptions) -> String {
    let mut s = String::new();
    let limit = if opts.all { usize::MAX } else { SHOWN };
    let mut cut = false;
    if !problems.is_empty() {
        let _ = writeln!(
            s,
            "lỗi: {} vấn đề trong dữ liệu nhập; không ghi gì vào cơ sở dữ liệu:",
            count(problems.len())
        );
        // A hint shared by many rows is printed once, after its first row.
        let mut hinted: rustc_hash::FxHashSet<&str> = Default::default();
        for p in problems.iter().take(limit) {
            let hint = p.hint.as_deref().filter(|h| hinted.insert(h));
            let shown = Problem {
                hint: hint.map(str::to_owned),
                ..p.clone()
            };
            let _ = writeln!(s, "  {shown}");
        }
        let more = problems.more_lines(limit);
        cut |= problems.kept().len() > limit;
        for line in &more {
            let _ = writeln!(s, "  {line}");
        }
        if problems.dropped() > 0 {
            let _ = writeln!(
                s,
                "  (chỉ giữ {} lỗi đầu tiên; các lỗi sau chỉ được đếm)",
                count(KEEP)
            );
        }
    }
    if !conflicts.is_empty() {
        let _ = writeln!(
            s,
            "lỗi: {} giá trị khác với số liệu đã lưu; không ghi gì (dùng --replace để ghi đè):",
            count(conflicts.len())
        );
        for c in conflicts.kept().iter().take(limit) {
            let _ = writeln!(
                s,
                "  {} · {}: đã lưu {} → trong tệp {}   ({}, {})",
                text::escape(&c.unit),
                c.metric,
                text::escape(&c.stored),
                text::escape(&c.new),
                text::escape(&c.file),
                text::escape(&c.place)
            );
        }
        let rest = conflicts.len().saturating_sub(limit);
        if rest > 0 {
            cut |= conflicts.kept().len() > limit;
            let _ = writeln!(s, "  … và {} giá trị khác", count(rest));
        }
    }
    if let Some(note) = &opts.note {
        let _ = writeln!(s, "{note}");
    } else if cut {
        let _ = writeln!(
            s,
            "(chỉ in {SHOWN} dòng đầu của mỗi danh sách; chạy lại lệnh với --all-errors để in hết, \
             hoặc --errors TỆP.csv để ghi tất cả ra một tệp CSV)"
        );
    }
    s
}

/// The header line of an errors file; a file that starts with it may be
/// written over by the next run.
pub const CSV_HEADER: &str = "tệp,vị trí,cột,giá trị,lỗi,gợi ý";

/// Every kept problem and conflict as CSV (UTF-8 with BOM, so Excel opens
/// it in Vietnamese): file, place, column, value, message, hint.
pub fn csv(problems: &Problems, conflicts: &Conflicts) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(CSV_HEADER);
    out.push('\n');
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut row = |fields: [&str; 6]| {
        let _ = w.write_record(fields.map(inert));
    };
    for p in problems {
        row([
            &p.file,
            p.place.as_deref().unwrap_or_default(),
            p.column.as_deref().unwrap_or_default(),
            p.value.as_deref().unwrap_or_default(),
            &p.message,
            p.hint.as_deref().unwrap_or_default(),
        ]);
    }
    if problems.dropped() > 0 {
        let n = format!(
            "còn {} lỗi nữa không được ghi (chỉ giữ {} lỗi đầu tiên)",
            count(problems.dropped()),
            count(KEEP)
        );
        row(["", "", "", "", &n, ""]);
    }
    for c in conflicts.kept() {
        let m = format!("{}: đã lưu {}, trong tệp {}", c.unit, c.stored, c.new);
        row([
            &c.file,
            &c.place,
            &c.metric,
            &c.new,
            &m,
            "dùng --replace để ghi đè",
        ]);
    }
    if conflicts.dropped() > 0 {
        let n = format!(
            "còn {} giá trị khác nữa không được ghi",
            count(conflicts.dropped())
        );
        row(["", "", "", "", &n, ""]);
    }
    let body = w.into_inner().unwrap_or_default();
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&body);
    bytes
}

/// A cell a spreadsheet will not run as a formula: a leading `'` before
/// `=`, `+`, `-`, `@`, tab or CR (OWASP's rule); control characters escaped.
fn inert(s: &str) -> String {
    let s = text::escape(s);
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: usize, message: &str) -> Problem {
        Problem {
            file: "f.csv".into(),
            place: Some(format!("dòng {line}")),
            column: Some("Đơn vị".into()),
            value: Some("=1+1".into()),
            message: message.into(),
            hint: Some("bỏ dòng trùng rồi nhập lại".into()),
        }
    }

    #[test]
    fn kinds_drop_the_particulars() {
        assert_eq!(
            kind("đơn vị có hai giá trị e_copies trong cùng lần nhập (lần đầu: f, dòng 2)"),
            "đơn vị có hai giá trị e_copies trong cùng lần nhập"
        );
        assert_eq!(
            kind("không có đơn vị này; có phải \"A\"?"),
            "không có đơn vị này"
        );
        assert_eq!(
            kind("tên khớp nhiều đơn vị: \"A\", \"B\""),
            "tên khớp nhiều đơn vị"
        );
        assert_eq!(kind("cần số nguyên"), "cần số nguyên");
    }

    #[test]
    fn a_report_shows_fifty_then_counts_per_kind() {
        let mut list = Problems::new();
        for i in 0..70_251 {
            list.push(p(
                i,
                "đơn vị có hai giá trị e_copies trong cùng lần nhập (lần đầu: f, dòng 2)",
            ));
        }
        list.push(p(9, "không phải số; viết như 93,45"));
        let text = report(&list, &Conflicts::default(), &ReportOptions::default());
        assert!(text.starts_with("lỗi: 70.252 vấn đề"), "{text}");
        assert_eq!(text.matches("f.csv, dòng").count(), SHOWN, "{text}");
        assert_eq!(text.matches("bỏ dòng trùng").count(), 1, "{text}");
        assert!(
            text.contains(
                "… và 70.201 lỗi cùng loại: đơn vị có hai giá trị e_copies trong cùng lần nhập"
            ),
            "{text}"
        );
        assert!(text.contains("… và 1 lỗi khác: không phải số"), "{text}");
        assert!(text.contains("--all-errors"), "{text}");
        assert!(text.lines().count() < 60, "{text}");
        let all = report(
            &list,
            &Conflicts::default(),
            &ReportOptions {
                all: true,
                note: None,
            },
        );
        assert_eq!(all.matches("f.csv, dòng").count(), 70_252);
    }

    #[test]
    fn past_the_cap_problems_are_only_counted() {
        let mut list = Problems::new();
        for i in 0..KEEP + 10 {
            list.push(p(i, "không có đơn vị này"));
        }
        assert_eq!(list.len(), KEEP + 10);
        assert_eq!(list.kept().len(), KEEP);
        assert_eq!(list.dropped(), 10);
        let text = report(&list, &Conflicts::default(), &ReportOptions::default());
        assert!(
            text.contains(&format!(
                "… và {} lỗi cùng loại: không có đơn vị này",
                count(KEEP + 10 - SHOWN)
            )),
            "{text}"
        );
        assert!(text.contains("chỉ giữ 100.000 lỗi đầu tiên"), "{text}");
    }

    #[test]
    fn csv_holds_every_kept_problem_and_no_formula() {
        let mut list = Problems::new();
        for i in 0..120 {
            list.push(p(i, "không phải số"));
        }
        let bytes = csv(&list, &Conflicts::default());
        let text = String::from_utf8(bytes).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(format!("\u{feff}{CSV_HEADER}").as_str()));
        assert_eq!(lines.clone().count(), 120);
        assert!(
            lines.next().unwrap().contains(",'=1+1,"),
            "a formula must be made inert"
        );
    }
}
