//! A paste or an import before it is written: totals, then one row per
//! line of the input (where, unit, each cell as new, old → new, unchanged
//! or ✗ reason). A row wider than the screen goes on under itself: a
//! reason is never cut. Each kind of cell has its own mark and style, so
//! that they read apart without colour too.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::import::preview::{RowUnit, Status};
use crate::import::show_value;
use crate::tui::app::App;
use crate::tui::columns;
use crate::tui::textfit;
use crate::tui::theme::Theme;

/// The lines above the rows: title, totals, problems, what to do.
pub fn head_lines(app: &App, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let Some(s) = &app.preview else {
        return Vec::new();
    };
    let p = &s.preview;
    let c = p.counts();
    let mut out = Vec::new();
    let wrapped = |out: &mut Vec<Line<'static>>, text: &str, first: &str, rest: &str, st| {
        for l in textfit::wrap(text, width, first, rest) {
            out.push(Line::styled(l, st));
        }
    };
    wrapped(
        &mut out,
        &format!("{} · vào {}", s.title, p.period.label_vi()),
        "",
        "  ",
        theme.title(),
    );
    wrapped(
        &mut out,
        &format!(
            "{} mới · {} thay đổi · {} không đổi · {} sai · {} tên chưa xác định",
            c.new, c.changed, c.unchanged, c.invalid, c.unresolved
        ),
        "",
        "  ",
        Style::new(),
    );
    for l in problem_lines(&p.problems) {
        let (first, rest) = if l.starts_with("  ") {
            ("  ", "    ")
        } else {
            ("", "  ")
        };
        wrapped(&mut out, l.trim_start(), first, rest, theme.error());
    }
    let unknown = app.unknown_units().unwrap_or_default();
    if !unknown.is_empty() {
        let names: Vec<&str> = unknown.iter().take(3).map(String::as_str).collect();
        let more = if unknown.len() > 3 { ", …" } else { "" };
        wrapped(
            &mut out,
            &format!(
                "✗ {} tên chưa có trong danh sách đơn vị ({}{more}): c tạo các đơn vị này theo tên trong tệp, hoặc sửa tên trong tệp rồi nhập lại",
                unknown.len(),
                names.join(", ")
            ),
            "",
            "  ",
            theme.error(),
        );
    }
    wrapped(
        &mut out,
        if p.ready() {
            "y: ghi tất cả trong một lần · Esc: bỏ, không ghi gì"
        } else {
            "Chưa ghi được: a nhận tên gợi ý, x bỏ dòng sai, hoặc sửa nguồn rồi dán/nhập lại · Esc: bỏ"
        },
        "",
        "  ",
        if p.ready() {
            theme.header()
        } else {
            theme.error()
        },
    );
    out.push(Line::from(""));
    out
}

/// A row's pieces: where, the unit, then each cell with its mark.
fn row_pieces(app: &App, theme: &Theme, i: usize) -> Vec<(String, Style)> {
    let Some(s) = &app.preview else {
        return Vec::new();
    };
    let r = &s.preview.rows[i];
    let mut out = vec![(format!("{:<12} ", r.place), Style::new())];
    match &r.unit {
        RowUnit::Found(id) => {
            // Found under another spelling (an alias): say which unit.
            let canonical = app.month.as_ref().and_then(|m| {
                m.table
                    .units
                    .iter()
                    .chain(&m.table.parent)
                    .find(|u| u.id == *id)
                    .map(|u| u.name.clone())
            });
            let shown = match canonical {
                Some(c) if c != r.name && !r.name.is_empty() => format!("{} (= {c})", r.name),
                _ => r.name.clone(),
            };
            out.push((format!("{shown:<18}"), theme.header()));
        }
        RowUnit::Suggested {
            unit_name,
            accepted,
            ..
        } => {
            let (mark, st) = if *accepted {
                ("✓", theme.header())
            } else {
                ("?", theme.preview_invalid())
            };
            out.push((format!("{} → {unit_name} {mark}", r.name), st));
        }
        RowUnit::Invalid(why) => out.push((format!("{} ✗ {why}", r.name), theme.preview_invalid())),
    }
    for cell in &r.cells {
        let title = columns::title(&app.cat.metrics[cell.metric]);
        let show = |v: &Option<crate::model::Value>| v.as_ref().map_or("·".to_owned(), show_value);
        // A row whose unit is unknown writes nothing (the counts leave it
        // out): its figures are shown bare, not as new values.
        if matches!(r.unit, RowUnit::Invalid(_)) && !matches!(cell.status, Status::Invalid(_)) {
            let text = format!(" · {title} {}", show(&cell.new));
            out.push((text, theme.preview_unchanged()));
            continue;
        }
        let (text, st) = match &cell.status {
            Status::New => (
                format!("{title} {} (mới)", show(&cell.new)),
                theme.preview_new(),
            ),
            Status::Changed => (
                format!("{title} {} → {}", show(&cell.old), show(&cell.new)),
                theme.preview_changed(),
            ),
            Status::Unchanged => (
                format!("{title} {} =", show(&cell.new)),
                theme.preview_unchanged(),
            ),
            Status::Invalid(why) => (
                format!("{title} \"{}\" ✗ {why}", cell.text),
                theme.preview_invalid(),
            ),
        };
        out.push((format!(" · {text}"), st));
    }
    out
}

/// Pieces set on lines of `width`: a piece that does not fit goes on the
/// next line, indented; one wider than a line is broken at spaces.
fn flow(pieces: Vec<(String, Style)>, width: usize) -> Vec<Line<'static>> {
    const INDENT: &str = "    ";
    let mut lines: Vec<Vec<Span<'static>>> = vec![Vec::new()];
    let mut used = 0;
    for (text, st) in pieces {
        let w = textfit::width(&text);
        if used > 0 && used + w > width {
            // On a new line the piece loses its separator.
            lines.push(vec![Span::raw(INDENT)]);
            used = INDENT.len();
            let text = text.strip_prefix(" · ").unwrap_or(&text).to_owned();
            push_wrapped(&mut lines, &mut used, text, st, width);
        } else {
            push_wrapped(&mut lines, &mut used, text, st, width);
        }
    }
    lines.into_iter().map(Line::from).collect()
}

fn push_wrapped(
    lines: &mut Vec<Vec<Span<'static>>>,
    used: &mut usize,
    text: String,
    st: Style,
    width: usize,
) {
    let w = textfit::width(&text);
    if *used + w <= width {
        lines
            .last_mut()
            .expect("a line")
            .push(Span::styled(text, st));
        *used += w;
        return;
    }
    let lead = " ".repeat(*used);
    let parts = textfit::wrap(&text, width, &lead, "      ");
    for (k, l) in parts.into_iter().enumerate() {
        if k > 0 {
            lines.push(vec![Span::raw("      ")]);
        }
        let own = if k == 0 {
            l[lead.len()..].to_owned()
        } else {
            l["      ".len()..].to_owned()
        };
        *used = textfit::width(&l);
        lines
            .last_mut()
            .expect("a line")
            .push(Span::styled(own, st));
    }
}

/// Lines of problems shown above the rows, at most: the rows stay in view.
const PROBLEM_LINES: usize = 12;

/// The problems of a preview, each marked ✗ with its hint indented, cut
/// after `PROBLEM_LINES` lines with a count of the rest.
fn problem_lines(problems: &[String]) -> Vec<String> {
    let mut all = problems.iter().flat_map(|problem| {
        problem.lines().enumerate().map(|(i, l)| {
            if i == 0 {
                format!("✗ {l}")
            } else {
                format!("  {l}")
            }
        })
    });
    let mut out: Vec<String> = all.by_ref().take(PROBLEM_LINES).collect();
    let rest = all.count();
    if rest > 0 {
        out.pop();
        out.push(format!(
            "… và {} dòng nữa; sửa tệp rồi nhập lại, hoặc xem hết bằng `chiso import … --dry-run --errors TỆP.csv`",
            rest + 1
        ));
    }
    out
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(s) = &app.preview else { return };
    // Short of the last column: a line that touches the edge reads as cut.
    let width = (area.width as usize).saturating_sub(1);
    let mut shown = head_lines(app, theme, width);
    let room = (area.height as usize).saturating_sub(shown.len()).max(1);
    // Each row's lines; the cursor's row kept whole on screen.
    let rows: Vec<Vec<Line>> = (0..s.preview.rows.len())
        .map(|i| {
            let lines = flow(row_pieces(app, theme, i), width);
            if i == s.cursor {
                lines.into_iter().map(|l| l.style(theme.cursor())).collect()
            } else {
                lines
            }
        })
        .collect();
    let start: usize = rows[..s.cursor.min(rows.len())].iter().map(Vec::len).sum();
    let end = start + rows.get(s.cursor).map_or(0, Vec::len);
    let top = end.saturating_sub(room).min(start);
    shown.extend(rows.into_iter().flatten().skip(top));
    f.render_widget(Paragraph::new(shown), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_take_a_few_lines_and_say_how_many_more() {
        let problems: Vec<String> = (0..40)
            .map(|i| format!("f.tsv, dòng {i}: lỗi\n    gợi ý"))
            .collect();
        let lines = problem_lines(&problems);
        assert_eq!(lines.len(), PROBLEM_LINES);
        assert_eq!(lines[0], "✗ f.tsv, dòng 0: lỗi");
        assert_eq!(lines[1], "      gợi ý");
        assert!(
            lines[PROBLEM_LINES - 1].starts_with("… và 69 dòng nữa"),
            "{lines:?}"
        );
        let few = problem_lines(&problems[..2]);
        assert_eq!(few.len(), 4);
    }

    #[test]
    fn a_long_row_goes_on_under_itself_and_nothing_is_cut() {
        let pieces = vec![
            ("dòng 3       ".to_string(), Style::new()),
            ("Dạ Trạch          ".to_string(), Style::new()),
            (
                " · Xử lý % \"abc\" ✗ không phải số; viết như 93,45 hoặc 93.45 (có thể kèm %)"
                    .to_string(),
                Style::new(),
            ),
        ];
        let lines = flow(pieces, 60);
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert!(text.iter().all(|l| textfit::width(l) <= 60), "{text:?}");
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            words(&text.join(" ")),
            "dòng 3 Dạ Trạch Xử lý % \"abc\" ✗ không phải số; viết như 93,45 hoặc 93.45 (có thể kèm %)"
        );
    }
}
