//! A paste or an import before it is written: totals, then one line per
//! row (where, unit, each cell as new, old → new, unchanged or ✗ reason).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::import::preview::{RowUnit, Status};
use crate::import::show_value;
use crate::tui::app::App;
use crate::tui::columns;
use crate::tui::theme::Theme;

pub fn lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let Some(s) = &app.preview else {
        return Vec::new();
    };
    let p = &s.preview;
    let c = p.counts();
    let mut out = vec![
        Line::styled(
            format!("{} · vào {}", s.title, p.period.label_vi()),
            theme.title(),
        ),
        Line::from(format!(
            "{} mới · {} thay đổi · {} không đổi · {} sai · {} tên chưa xác định",
            c.new, c.changed, c.unchanged, c.invalid, c.unresolved
        )),
    ];
    for l in problem_lines(&p.problems) {
        out.push(Line::styled(l, theme.error()));
    }
    out.push(Line::styled(
        if p.ready() {
            "y: ghi tất cả trong một lần · Esc: bỏ, không ghi gì"
        } else {
            "Chưa ghi được: a nhận tên gợi ý, x bỏ dòng sai, hoặc sửa nguồn rồi dán/nhập lại · Esc: bỏ"
        },
        if p.ready() { theme.header() } else { theme.error() },
    ));
    out.push(Line::from(""));
    for (i, r) in p.rows.iter().enumerate() {
        let mut spans = vec![Span::raw(format!("{:<12} ", r.place))];
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
                spans.push(Span::styled(format!("{shown:<18}"), theme.header()));
            }
            RowUnit::Suggested {
                unit_name,
                accepted,
                ..
            } => {
                let (mark, st) = if *accepted {
                    ("✓", theme.header())
                } else {
                    ("?", theme.error())
                };
                spans.push(Span::styled(
                    format!("{} → {unit_name} {mark} ", r.name),
                    st,
                ));
            }
            RowUnit::Invalid(why) => {
                spans.push(Span::styled(format!("{} ✗ {why} ", r.name), theme.error()))
            }
        }
        for cell in &r.cells {
            let metric = &app.cat.metrics[cell.metric];
            let show =
                |v: &Option<crate::model::Value>| v.as_ref().map_or("·".to_owned(), show_value);
            let (text, st): (String, Style) = match &cell.status {
                Status::New => (
                    format!("{} {}", columns::title(metric), show(&cell.new)),
                    theme.up(),
                ),
                Status::Changed => (
                    format!(
                        "{} {} → {}",
                        columns::title(metric),
                        show(&cell.old),
                        show(&cell.new)
                    ),
                    theme.down(),
                ),
                Status::Unchanged => (
                    format!("{} {} =", columns::title(metric), show(&cell.new)),
                    theme.dim(),
                ),
                Status::Invalid(why) => (
                    format!("{} \"{}\" ✗ {why}", columns::title(metric), cell.text),
                    theme.error(),
                ),
            };
            spans.push(Span::raw(" · "));
            spans.push(Span::styled(text, st));
        }
        let line = Line::from(spans);
        out.push(if i == s.cursor {
            line.style(theme.cursor())
        } else {
            line
        });
    }
    out
}

/// Lines before the rows: the cursor's row is kept on screen below them.
const HEAD: usize = 4;

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
    let lines = lines(app, theme);
    let head = HEAD
        + app
            .preview
            .as_ref()
            .map_or(0, |s| problem_lines(&s.preview.problems).len());
    let cursor = app.preview.as_ref().map_or(0, |s| s.cursor);
    let room = (area.height as usize).saturating_sub(head).max(1);
    let top = (cursor + 1).saturating_sub(room);
    let mut shown: Vec<Line> = lines.iter().take(head).cloned().collect();
    shown.extend(lines.into_iter().skip(head + top));
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
}
