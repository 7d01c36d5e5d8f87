//! The annexes after the letter, each in a section of its own whose pages
//! are numbered from 1 (the decree numbers each annex's pages on their
//! own): title, caption, "(Kèm theo …)", then a bordered table whose
//! header row repeats on every page. Columns are sized from what they hold;
//! an annex too wide for a portrait page is printed landscape.

use docx_rs::{
    AlignmentType, Docx, HeightRule, LineSpacing, PageNumType, PageOrientationType, Paragraph,
    Table, TableLayoutType, TableRow, VAlignType, WidthType,
};

use super::metrics::{text_mm, width_for_lines};
use super::{
    BODY, HEADER_ROW_TWIPS, LANDSCAPE_TEXT_MM, SMALL, TEXT_MM, all_borders, cell, centred, grid,
    mm, run, section, section_end,
};
use crate::report::{Annex, ColumnKind as Kind};

/// Table text, in points.
const CELL_PT: f64 = SMALL as f64 / 2.0;
/// A cell's side padding (Word's and LibreOffice's default 1.9 mm each
/// side) and a millimetre to spare.
const PAD_MM: f64 = 2.0 * 1.905 + 1.0;
/// The STT column, as the seed's: "STT" in bold and four digits fit.
const STT_MM: f64 = 12.0;
/// A name column is never narrower (names wrap below it) …
const NAME_MIN_MM: f64 = 45.0;
/// … nor is any text column wider: longer text wraps.
const TEXT_MAX_MM: f64 = 70.0;
/// A text column other than the names keeps at least this much.
const TEXT_MIN_MM: f64 = 25.0;

/// How a column's cells align: figures right, so units line up; short
/// words ("Tốt", "Có") and the STT centred; names and sentences left.
fn align(kind: Kind) -> AlignmentType {
    match kind {
        Kind::Number => AlignmentType::Right,
        Kind::Label => AlignmentType::Center,
        Kind::Text => AlignmentType::Left,
    }
}

/// Column widths in mm and whether the page turns landscape: each column
/// gets at least what keeps figures and labels on one line and its header
/// within three lines, then a like share of the way to its natural width
/// (the header on two lines, names on one), then the figures' columns an
/// even share of what is left; landscape when the least widths do not fit
/// a portrait page.
pub fn widths(a: &Annex, heads: &[String], kinds: &[Kind]) -> (Vec<f64>, bool) {
    let mut min = Vec::new();
    let mut natural = Vec::new();
    for (j, (head, kind)) in heads.iter().zip(kinds).enumerate() {
        if j == 0 {
            min.push(STT_MM);
            natural.push(STT_MM);
            continue;
        }
        // A header takes two lines if it can, three at most.
        let head_lo = width_for_lines(head, 3, CELL_PT, true);
        let head_hi = width_for_lines(head, 2, CELL_PT, true);
        let body = a
            .rows
            .iter()
            .filter_map(|r| r.get(j))
            .map(|c| text_mm(c, CELL_PT, false))
            .fold(0.0, f64::max);
        let (lo, hi) = match (j, kind) {
            (1, _) => (head_lo.max(body.min(NAME_MIN_MM)), body.min(TEXT_MAX_MM)),
            (_, Kind::Text) => (head_lo.max(body.min(TEXT_MIN_MM)), body.min(TEXT_MAX_MM)),
            _ => (head_lo.max(body), body),
        };
        min.push(lo + PAD_MM);
        natural.push(hi.max(head_hi).max(lo) + PAD_MM);
    }
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    let landscape = sum(&min) > TEXT_MM;
    let page = if landscape {
        LANDSCAPE_TEXT_MM
    } else {
        TEXT_MM
    };
    let mut w = if sum(&natural) <= page {
        natural
    } else if sum(&min) <= page {
        // Sentences first (the list annex's rule), since they wrap to
        // many lines where a name wraps to two; then a like share for all.
        let mut w = min.clone();
        let mut left = page - sum(&min);
        for (j, kind) in kinds.iter().enumerate().skip(2) {
            if *kind == Kind::Text {
                let more = (natural[j] - w[j]).min(left);
                w[j] += more;
                left -= more;
            }
        }
        let want: f64 = w.iter().zip(&natural).map(|(x, hi)| hi - x).sum();
        if want > 0.0 {
            let share = left / want;
            for (x, hi) in w.iter_mut().zip(&natural) {
                *x += (hi - *x) * share;
            }
        }
        w
    } else {
        min.iter().map(|lo| lo * page / sum(&min)).collect()
    };
    // What is left goes to the figures' columns, narrowest first so that
    // they come out even; to the names when there are none.
    let spare = page - sum(&w);
    if spare > 0.0 {
        if w.len() > 2 {
            even_up(&mut w[2..], spare);
        } else if let Some(name) = w.get_mut(1) {
            *name += spare;
        }
    }
    (w, landscape)
}

/// Widens `w` by `spare` in all, raising the narrowest to a common level.
fn even_up(w: &mut [f64], spare: f64) {
    let mut sorted = w.to_vec();
    sorted.sort_by(f64::total_cmp);
    // The level L with sum(max(w, L) - w) = spare: raising the k + 1
    // narrowest columns to L must not pass the next one.
    let mut level = 0.0;
    let mut below = 0.0;
    for (k, x) in sorted.iter().enumerate() {
        below += x;
        level = (below + spare) / (k + 1) as f64;
        if sorted.get(k + 1).is_none_or(|next| level <= *next) {
            break;
        }
    }
    for x in w {
        *x = x.max(level);
    }
}

/// The end of a centred line held together, so that it never ends with
/// one word alone ("Châu)"): from the last "của" when it opens the issuer's
/// name ("của UBND huyện Khoái Châu)"), else the last two words.
fn glue_tail(s: &str) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.len() < 3 {
        return s.to_owned();
    }
    let from = match words.iter().rposition(|w| *w == "của") {
        Some(i) if words.len() - i <= 7 && i > 0 => i,
        _ => words.len() - 2,
    };
    format!(
        "{} {}",
        words[..from].join(" "),
        words[from..].join("\u{a0}")
    )
}

fn header_row(cells: Vec<docx_rs::TableCell>) -> TableRow {
    // `pack` turns a row with exactly this height into a header row.
    TableRow::new(cells)
        .cant_split()
        .row_height(HEADER_ROW_TWIPS)
        .height_rule(HeightRule::AtLeast)
}

fn add_one(doc: Docx, a: &Annex) -> (Docx, bool) {
    let heads: Vec<String> = ["STT".to_owned(), "Đơn vị".to_owned()]
        .into_iter()
        .chain(a.columns.iter().cloned())
        .collect();
    let kinds: Vec<Kind> = (0..heads.len()).map(|j| a.kind(j)).collect();
    let (widths, landscape) = widths(a, &heads, &kinds);
    let page = if landscape {
        LANDSCAPE_TEXT_MM
    } else {
        TEXT_MM
    };
    let head = header_row(
        heads
            .iter()
            .zip(&widths)
            .map(|(t, w)| cell(centred(&[(t, true)], SMALL), *w).vertical_align(VAlignType::Center))
            .collect(),
    );
    let mut rows = vec![head];
    // A row never splits across pages (the list annex's rules wrap to
    // several lines); `pack` leaves rows without the header's height be.
    for r in &a.rows {
        rows.push(
            TableRow::new(
                r.iter()
                    .zip(&widths)
                    .zip(&kinds)
                    .map(|((t, w), k)| {
                        cell(
                            vec![Paragraph::new().add_run(run(t, SMALL)).align(align(*k))],
                            *w,
                        )
                        .vertical_align(VAlignType::Center)
                    })
                    .collect(),
            )
            .cant_split(),
        );
    }
    let doc = doc
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&a.title.to_uppercase(), BODY).bold())
                .align(AlignmentType::Center)
                .keep_next(true),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&glue_tail(&a.caption), BODY).bold())
                .align(AlignmentType::Center)
                .keep_next(true),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&glue_tail(&a.note), SMALL).italic())
                .align(AlignmentType::Center)
                .keep_next(true)
                .line_spacing(LineSpacing::new().after(120)),
        )
        .add_table(
            Table::new(rows)
                .set_grid(grid(&widths))
                .set_borders(all_borders())
                .layout(TableLayoutType::Fixed)
                .width(mm(page) as usize, WidthType::Dxa),
        );
    (doc, landscape)
}

/// Ends the letter's section and adds each annex in its own; the last
/// annex's section is the document's final one.
pub fn add_all(mut doc: Docx, annexes: &[Annex]) -> Docx {
    if annexes.is_empty() {
        return doc;
    }
    doc = doc.add_paragraph(section_end(section(false, false)));
    for (i, a) in annexes.iter().enumerate() {
        let (next, landscape) = add_one(doc, a);
        doc = next;
        if i + 1 < annexes.len() {
            doc = doc.add_paragraph(section_end(section(landscape, true)));
        } else {
            doc = doc.page_num_type(PageNumType::new().start(1));
            if landscape {
                doc = doc
                    .page_size(mm(297.0) as u32, mm(210.0) as u32)
                    .page_orient(PageOrientationType::Landscape);
            }
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annex(columns: &[&str], rows: &[&[&str]]) -> Annex {
        Annex {
            title: "Phụ lục I".into(),
            group: None,
            caption: "Các chỉ tiêu".into(),
            note: "(Kèm theo Công văn số 1/UBND-VP ngày 09 tháng 9 năm 2024 của UBND huyện Khoái Châu)"
                .into(),
            columns: columns.iter().map(|s| s.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
            values: Vec::new(),
        }
    }

    #[test]
    fn columns_align_by_what_they_hold() {
        let a = annex(
            &["Điểm", "Xếp loại", "Quy tắc"],
            &[
                &["1", "An Vỹ", "81,56", "Tốt", "Tỷ lệ số hoá dưới 40%"],
                &[
                    "2",
                    "Bình Kiều",
                    "-",
                    "Trung bình",
                    "Kết quả xử lý hồ sơ chưa đạt 100%",
                ],
                &["3", "Chí Tân", "1 350", "Khá", "Tỷ lệ số hoá giảm"],
            ],
        );
        let kinds: Vec<Kind> = (0..5).map(|j| a.kind(j)).collect();
        assert_eq!(
            kinds,
            [
                Kind::Label,
                Kind::Text,
                Kind::Number,
                Kind::Label,
                Kind::Text
            ]
        );
    }

    #[test]
    fn a_wide_annex_turns_landscape_and_fills_the_page() {
        let heads = |a: &Annex| -> Vec<String> {
            ["STT", "Đơn vị"]
                .iter()
                .map(|s| s.to_string())
                .chain(a.columns.iter().cloned())
                .collect()
        };
        let narrow = annex(&["Điểm tổng hợp"], &[&["1", "An Vỹ", "89,01"]]);
        let h = heads(&narrow);
        let k: Vec<Kind> = (0..h.len()).map(|j| narrow.kind(j)).collect();
        let (w, landscape) = widths(&narrow, &h, &k);
        assert!(!landscape);
        assert!((w.iter().sum::<f64>() - TEXT_MM).abs() < 1e-6, "{w:?}");
        let cols: Vec<String> = (1..=9).map(|i| format!("Chỉ tiêu thứ {i}")).collect();
        let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
        let row: Vec<&str> = ["1", "Ban Quản lý các khu công nghiệp tỉnh"]
            .into_iter()
            .chain(std::iter::repeat_n("1 234,56", 9))
            .collect();
        let wide = annex(&cols, &[&row]);
        let h = heads(&wide);
        let k: Vec<Kind> = (0..h.len()).map(|j| wide.kind(j)).collect();
        let (w, landscape) = widths(&wide, &h, &k);
        assert!(landscape);
        assert!((w.iter().sum::<f64>() - LANDSCAPE_TEXT_MM).abs() < 1e-6);
        // Every figure keeps its line.
        for x in &w[2..] {
            assert!(*x >= text_mm("1 234,56", CELL_PT, false) + PAD_MM - 1e-6);
        }
    }

    #[test]
    fn spare_width_evens_the_columns_out() {
        let mut w = [20.0, 30.0, 24.0];
        even_up(&mut w, 10.0);
        assert_eq!(w, [27.0, 30.0, 27.0]);
        let mut w = [20.0, 30.0];
        even_up(&mut w, 30.0);
        assert_eq!(w, [40.0, 40.0]);
    }

    #[test]
    fn the_caption_never_ends_with_a_word_alone() {
        assert_eq!(
            glue_tail("(Kèm theo … ngày 09 tháng 9 năm 2024 của UBND huyện Khoái Châu)"),
            "(Kèm theo … ngày 09 tháng 9 năm 2024 của\u{a0}UBND\u{a0}huyện\u{a0}Khoái\u{a0}Châu)"
        );
        assert_eq!(
            glue_tail("của nhiều cơ quan, đơn vị thuộc và trực thuộc tỉnh"),
            "của nhiều cơ quan, đơn vị thuộc và trực thuộc\u{a0}tỉnh"
        );
        assert_eq!(glue_tail("Phụ lục I"), "Phụ lục\u{a0}I");
        assert_eq!(glue_tail("Phụ lục"), "Phụ lục");
    }
}
