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
    // Every line as a plain tag, then text for the window around the
    // cursor only: a national month has 20,000 findings.
    let rows = layout(fs);
    let cursor_line = rows
        .iter()
        .position(|r| *r == Row::Item(app.findings_cursor))
        .unwrap_or(0);
    let height = list_area.height as usize;
    let top = cursor_line.saturating_sub(height.saturating_sub(2).max(1) / 2);
    let top = top.min(rows.len().saturating_sub(height));
    let window: Vec<Line> = rows[top..]
        .iter()
        .take(height)
        .map(|r| match *r {
            Row::Blank => Line::from(""),
            Row::Header(rule) => {
                let r = &fs.context.rules[rule];
                let count = fs
                    .summary
                    .iter()
                    .find(|s| s.rule == r.code)
                    .map_or(0, |s| s.count);
                Line::from(vec![
                    Span::styled(
                        format!("{} {} ", Theme::symbol(r.severity), r.code),
                        theme.severity(r.severity),
                    ),
                    Span::styled(render::sentence(fs, r, count), theme.header()),
                ])
            }
            Row::Item(i) => {
                let line = item(&fs.findings[i], fs, theme);
                if i == app.findings_cursor {
                    line.style(theme.cursor())
                } else {
                    line
                }
            }
            Row::NotEvaluated(n) => {
                let n = &fs.not_evaluated[n];
                Line::styled(
                    format!("? {} chưa đánh giá được: {}", n.rule, n.reason),
                    theme.dim(),
                )
            }
        })
        .collect();
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

/// One line of the list.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Row {
    Blank,
    /// A rule's sentence (index into the context's rules).
    Header(usize),
    /// A finding (index into the findings).
    Item(usize),
    NotEvaluated(usize),
}

/// The list's lines: each rule's sentence (after a blank line) above its
/// findings, then the rules that could not be judged.
fn layout(fs: &crate::rules::Findings) -> Vec<Row> {
    let mut rows = Vec::with_capacity(fs.findings.len() + 32);
    let mut rule = "";
    for (i, x) in fs.findings.iter().enumerate() {
        if x.rule != rule {
            rule = &x.rule;
            if let Some(r) = fs.context.rules.iter().position(|r| r.code == x.rule) {
                if !rows.is_empty() {
                    rows.push(Row::Blank);
                }
                rows.push(Row::Header(r));
            }
        }
        rows.push(Row::Item(i));
    }
    for n in 0..fs.not_evaluated.len() {
        rows.push(Row::Blank);
        rows.push(Row::NotEvaluated(n));
    }
    rows
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
