//! Units requiring directives: grouped by rule, with the rule's sentence,
//! each unit's value, previous value, reference, streak and escalation,
//! and the selected unit's directive in full.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::rules::{Finding, render};
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(fs) = &app.findings else { return };
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(6)]).areas(area);
    if fs.findings.is_empty() {
        let mut lines = vec![Line::styled(
            "Không có đơn vị nào vi phạm quy tắc đang bật.",
            theme.title(),
        )];
        not_evaluated(&mut lines, app, theme);
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    }
    // All lines, with the line of each finding, then a window around the
    // cursor.
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor_line = 0;
    let mut rule = "";
    for (i, x) in fs.findings.iter().enumerate() {
        if x.rule != rule {
            rule = &x.rule;
            if let Some(r) = fs.context.rules.iter().find(|r| r.code == x.rule) {
                let count = fs
                    .summary
                    .iter()
                    .find(|s| s.rule == r.code)
                    .map_or(0, |s| s.count);
                if !lines.is_empty() {
                    lines.push(Line::from(""));
                }
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{} {} ", Theme::symbol(r.severity), r.code),
                        theme.severity(r.severity),
                    ),
                    Span::styled(render::sentence(fs, r, count), theme.header()),
                ]));
            }
        }
        if i == app.findings_cursor {
            cursor_line = lines.len();
        }
        let line = item(x, fs, theme);
        lines.push(if i == app.findings_cursor {
            line.style(theme.cursor())
        } else {
            line
        });
    }
    not_evaluated(&mut lines, app, theme);
    let height = list_area.height as usize;
    let top = cursor_line.saturating_sub(height.saturating_sub(2).max(1) / 2);
    let top = top.min(lines.len().saturating_sub(height));
    let window: Vec<Line> = lines.into_iter().skip(top).take(height).collect();
    f.render_widget(Paragraph::new(window), list_area);

    if let Some(x) = fs.findings.get(app.findings_cursor) {
        // Rendered for the one shown: the TUI does not hold them all.
        let directive = crate::rules::render::directive_for(fs, app.findings_cursor);
        let detail = Paragraph::new(directive).wrap(Wrap { trim: true }).block(
            Block::new()
                .borders(Borders::TOP)
                .title(format!(" Chỉ đạo: {} ", x.unit)),
        );
        f.render_widget(detail, detail_area);
    }
}

/// "  Bình Kiều   37,9%   tháng trước 52,4%   so với 100%   2 tháng ⇑".
fn item<'a>(x: &Finding, fs: &crate::rules::Findings, theme: &Theme) -> Line<'a> {
    let show = |v: &Option<crate::model::Value>| {
        let kind = fs
            .context
            .catalog
            .as_ref()
            .map(|c| c.metrics[x.hit.metric].kind);
        match (v, kind) {
            (Some(v), Some(k)) => render::value_vi(v, k),
            _ => "–".into(),
        }
    };
    let mut spans = vec![
        Span::raw(format!("  {:<20} ", x.unit)),
        Span::styled(
            format!("{:>7}", show(&x.hit.value)),
            theme.severity(x.severity),
        ),
        Span::raw(format!(
            "  trước {:>7}  so với {:>7}",
            show(&x.hit.previous),
            show(&x.hit.reference)
        )),
    ];
    if x.streak > 1 {
        spans.push(Span::raw(format!("  {} tháng liền", x.streak)));
    }
    if x.escalated {
        spans.push(Span::styled(" ⇑ nâng mức", theme.severity(x.severity)));
    }
    Line::from(spans)
}

fn not_evaluated(lines: &mut Vec<Line>, app: &App, theme: &Theme) {
    let Some(fs) = &app.findings else { return };
    for n in &fs.not_evaluated {
        lines.push(Line::from(""));
        lines.push(Line::styled(
            format!("? {} chưa đánh giá được: {}", n.rule, n.reason),
            theme.dim(),
        ));
    }
}
