//! Units requiring directives: grouped by rule, with the rule's sentence,
//! each unit's value, previous value, reference, streak and escalation,
//! and the selected unit's directive in full. A province's month with
//! several groups of units has a section per group, as its letter has;
//! units that a rule could not judge (formed or changed this month) are
//! listed with the reason. Long sentences wrap: nothing is cut.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::model::{Group, Period};
use crate::names;
use crate::rules::{Finding, Findings, RuleKind, render};
use crate::tui::app::App;
use crate::tui::textfit;
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(fs) = &app.findings else { return };
    let width = area.width as usize;
    // The directive of the selected finding, in full.
    let directive: Option<Vec<String>> = fs.findings.get(app.findings_cursor).map(|_| {
        let text = render::directive_for(fs, app.findings_cursor);
        // Short of the last column: a line that touches the edge reads as cut.
        textfit::wrap(&text, width.saturating_sub(1), "", "")
    });
    // As high as the directive needs, up to half the screen.
    let detail_h = directive.as_ref().map_or(0, |d| {
        (d.len() + 1).clamp(6, (area.height as usize / 2).max(6)) as u16
    });
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(detail_h)]).areas(area);
    // Sentences wrap short of the last column: a line that touches the
    // edge reads as cut.
    let width = width.saturating_sub(1);
    // Every line as a plain tag, and text for the few that are not a
    // finding: a national month has 20,000 findings, rendered only around
    // the cursor.
    let mut rows = Vec::new();
    if fs.findings.is_empty() {
        rows.push(Row::Text(
            "Không có đơn vị nào vi phạm quy tắc đang bật.".into(),
            Style::Title,
        ));
    } else if let Some(g) = app.group.filter(|_| app.findings_order().is_empty()) {
        rows.push(Row::Text(
            format!("{} không có đơn vị nào cần chỉ đạo.", g.label_vi()),
            Style::Title,
        ));
    }
    if app.findings_groups.is_empty() {
        layout(fs, None, width, &mut rows);
    } else {
        // The group chosen with `g` in the table: its part only, and said.
        if let Some(g) = app.group {
            let text = format!(
                "Chỉ nhóm {} (chọn bằng g ở bảng kết quả; Esc rồi g đến hết nhóm để xem tất cả).",
                g.label_vi()
            );
            for l in textfit::wrap(&text, width, "", "  ") {
                rows.push(Row::Text(l, Style::Dim));
            }
        }
        for (g, mine, at) in &app.findings_groups {
            if app.group.is_some_and(|shown| shown != *g) {
                continue;
            }
            if !rows.is_empty() {
                rows.push(Row::Blank);
            }
            group_head(*g, mine, width, &mut rows);
            layout(mine, Some(at), width, &mut rows);
        }
    }
    let cols = Columns::new(app.findings_longest_name, area.width as usize);
    let cursor_line = rows
        .iter()
        .position(|r| *r == Row::Item(app.findings_cursor))
        .unwrap_or(0);
    let height = list_area.height as usize;
    let top = cursor_line.saturating_sub(height.saturating_sub(2).max(1) / 2);
    // Scrolled on past the last finding (`App::scroll`).
    let top = (top + app.scroll).min(rows.len().saturating_sub(height));
    let window: Vec<Line> = rows[top..]
        .iter()
        .take(height)
        .map(|r| match r {
            Row::Blank => Line::from(""),
            Row::Header(rule, prefix, text) => {
                let r = &fs.context.rules[*rule];
                Line::from(vec![
                    Span::styled(prefix.clone(), theme.severity(r.severity)),
                    Span::styled(text.clone(), theme.header()),
                ])
            }
            Row::Text(text, style) => Line::styled(
                text.clone(),
                match style {
                    Style::Title => theme.title(),
                    Style::Dim => theme.dim(),
                },
            ),
            Row::Item(i) => {
                let line = item(&fs.findings[*i], fs, theme, &cols);
                if *i == app.findings_cursor {
                    line.style(theme.cursor())
                } else {
                    line
                }
            }
        })
        .collect();
    f.render_widget(Paragraph::new(window), list_area);

    if let (Some(x), Some(directive)) = (fs.findings.get(app.findings_cursor), directive) {
        let title = textfit::cut(&format!(" Chỉ đạo: {} ", x.unit), width.saturating_sub(2));
        let lines: Vec<Line> = directive.into_iter().map(Line::from).collect();
        let detail = Paragraph::new(lines).block(Block::new().borders(Borders::TOP).title(title));
        f.render_widget(detail, detail_area);
    }
}

/// The widths of an item's columns.
struct Columns {
    name: usize,
    width: usize,
    /// "  so với 100%" fits on every line (it is in the rule's sentence too).
    reference: bool,
}

/// Each of the value, the previous value and the reference (a longer
/// label, "Trung bình", pushes its line on).
const VALUE_W: usize = 7;
/// "  " name " " value "  trước " value.
const FIXED: usize = 2 + 1 + VALUE_W + 8 + VALUE_W;
/// "  2 tháng liền ⇑": kept room for on a narrow screen.
const STREAK_W: usize = 16;

/// "  so với " and a value.
const REFERENCE_W: usize = 9 + VALUE_W;

impl Columns {
    /// Names 20 wide, wider when the screen allows; the reference on
    /// every line when names keep 20 beside it, on none otherwise.
    fn new(longest: usize, width: usize) -> Columns {
        let beside = width.saturating_sub(FIXED + REFERENCE_W + STREAK_W);
        let (room, reference) = if beside >= 20 {
            (beside, true)
        } else {
            (width.saturating_sub(FIXED + STREAK_W), false)
        };
        let name = longest.max(20).min(room).max(12);
        Columns {
            name,
            width,
            reference,
        }
    }
}

/// "  Bình Kiều   37,9%  trước   52,4%  so với    100%  2 tháng liền ⇑ nâng mức".
/// The value, the month before, the streak and the escalation come first;
/// short of room the reference goes (the rule's sentence says it), then
/// the streak and escalation say less, never cut.
fn item<'a>(x: &Finding, fs: &Findings, theme: &Theme, cols: &Columns) -> Line<'a> {
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
    let head = format!("  {} ", textfit::pad(&x.unit, cols.name));
    let value = textfit::right(&show(&x.hit.value), VALUE_W);
    let before = format!(
        "  trước {}",
        textfit::right(&show(&x.hit.previous), VALUE_W)
    );
    // A fall is measured against the month before: said once.
    let drop = fs
        .context
        .rules
        .iter()
        .any(|r| r.code == x.rule && r.kind == RuleKind::Drop);
    let reference = (cols.reference && !drop).then(|| {
        format!(
            "  so với {}",
            textfit::right(&show(&x.hit.reference), VALUE_W)
        )
    });
    let room = cols
        .width
        .saturating_sub(textfit::width(&head) + textfit::width(&value) + textfit::width(&before));
    // Streaks count periods of the kind shown: "2 quý liền".
    let word = Period::parse(&fs.period).map_or("tháng", |p| p.kind().word_vi());
    let streak = |long: Option<bool>| match (x.streak > 1, long) {
        (false, _) | (_, None) => String::new(),
        (true, Some(true)) => format!("  {} {word} liền", x.streak),
        (true, Some(false)) => format!("  {} {word}", x.streak),
    };
    let escalated = |long: Option<bool>| match (x.escalated, long) {
        (false, _) | (_, None) => "",
        (true, Some(true)) => " ⇑ nâng mức",
        (true, Some(false)) => " ⇑",
    };
    let (long, short) = (Some(true), Some(false));
    let with_ref = reference.as_deref().unwrap_or_default();
    let (r, s, e) = [
        (with_ref, long, long),
        (with_ref, long, short),
        ("", long, long),
        ("", long, short),
        ("", short, short),
        ("", None, short),
        ("", None, None),
    ]
    .into_iter()
    .map(|(r, ls, le)| (r, streak(ls), escalated(le)))
    .find(|(r, s, e)| textfit::width(r) + textfit::width(s) + textfit::width(e) <= room)
    .unwrap_or_default();
    let mut spans = vec![
        Span::raw(head),
        Span::styled(value, theme.severity(x.severity)),
        Span::raw(before),
    ];
    if !r.is_empty() {
        spans.push(Span::raw(r.to_owned()));
    }
    if !s.is_empty() {
        spans.push(Span::raw(s));
    }
    if !e.is_empty() {
        spans.push(Span::styled(e, theme.severity(x.severity)));
    }
    Line::from(spans)
}

/// How a line of text is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Style {
    Title,
    Dim,
}

/// One line of the list.
#[derive(Debug, Clone, PartialEq)]
enum Row {
    Blank,
    /// A line of a rule's sentence (index into the context's rules): the
    /// first begins with the rule's mark.
    Header(usize, String, String),
    /// A finding (index into the findings).
    Item(usize),
    Text(String, Style),
}

/// "══ Cơ quan cấp tỉnh (6 cơ quan) ══", as `chiso findings` heads a
/// province's groups.
fn group_head(g: Group, mine: &Findings, width: usize, rows: &mut Vec<Row>) {
    let text = format!(
        "══ {} ({} {}) ══",
        g.label_vi(),
        mine.units_total,
        mine.context.kinds_word
    );
    for l in textfit::wrap(&text, width, "", "   ") {
        rows.push(Row::Text(l, Style::Title));
    }
}

/// The lines of `fs`: each rule's sentence (after a blank line) above its
/// findings, then what could not be judged. `at`: the index in the whole
/// month's findings of each of `fs`'s (a group's part); None: the same.
fn layout(fs: &Findings, at: Option<&[usize]>, width: usize, rows: &mut Vec<Row>) {
    let mut rule = "";
    for (i, x) in fs.findings.iter().enumerate() {
        if x.rule != rule {
            rule = &x.rule;
            if let Some(r) = fs.context.rules.iter().position(|r| r.code == x.rule) {
                if !rows.is_empty() {
                    rows.push(Row::Blank);
                }
                let rule = &fs.context.rules[r];
                let count = fs
                    .summary
                    .iter()
                    .find(|s| s.rule == rule.code)
                    .map_or(0, |s| s.count);
                let prefix = format!("{} ", Theme::symbol(rule.severity));
                let text = render::sentence(fs, rule, count);
                for (k, l) in textfit::wrap(&text, width, &prefix, "  ")
                    .into_iter()
                    .enumerate()
                {
                    rows.push(if k == 0 {
                        let rest = l.strip_prefix(&prefix).unwrap_or(&l).to_owned();
                        Row::Header(r, prefix.clone(), rest)
                    } else {
                        Row::Header(r, String::new(), l)
                    });
                }
            }
        }
        rows.push(Row::Item(at.map_or(i, |a| a[i])));
    }
    // Units a rule could not judge, under one line for the rule.
    let name = |code: &str| {
        fs.context
            .rules
            .iter()
            .find(|r| r.code == code)
            .map_or_else(|| code.to_owned(), names::rule_label_vi)
    };
    let mut rule: Option<&str> = None;
    for n in &fs.not_evaluated {
        match &n.unit {
            Some(u) => {
                if rule != Some(n.rule.as_str()) {
                    rows.push(Row::Blank);
                    let head = format!("? {}: chưa so sánh được", name(&n.rule));
                    for l in textfit::wrap(&head, width, "", "  ") {
                        rows.push(Row::Text(l, Style::Dim));
                    }
                    rule = Some(&n.rule);
                }
                for l in textfit::wrap(&format!("{u}: {}", n.reason), width, "  ", "    ") {
                    rows.push(Row::Text(l, Style::Dim));
                }
            }
            None => {
                rows.push(Row::Blank);
                let text = format!("? {}: chưa đánh giá được — {}", name(&n.rule), n.reason);
                for l in textfit::wrap(&text, width, "", "  ") {
                    rows.push(Row::Text(l, Style::Dim));
                }
                rule = None;
            }
        }
    }
}
