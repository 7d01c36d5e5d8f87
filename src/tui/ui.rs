//! Draws the whole screen from the app's state; never changes it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::app::{self, App, SortCol, View};
use super::columns;
use super::keymap;
use super::textfit;
use super::theme::Theme;
use super::views;

/// Below this the layout cannot work: a short message instead.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 12;

/// Most lines the footer takes: a long message wraps, but the table
/// keeps most of the screen.
const FOOTER_MAX: usize = 6;

/// Title line, body, footer: the footer as high as its lines (a status
/// line, then a message, a prompt or the keys), so that nothing in it is
/// cut.
pub fn areas(app: &App, area: Rect) -> [Rect; 3] {
    let lines = footer_lines(app, &Theme { color: false }, area.width as usize).len();
    let most = (area.height as usize / 3).clamp(2, FOOTER_MAX);
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(lines.min(most) as u16),
    ])
    .areas(area)
}

pub fn draw(f: &mut Frame, app: &App, theme: &Theme) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "Cửa sổ quá nhỏ ({}×{}): cần ít nhất {MIN_WIDTH}×{MIN_HEIGHT}. q để thoát.",
            area.width, area.height
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let [title, body, footer] = areas(app, area);
    f.render_widget(
        Paragraph::new(title_line(app, theme, title.width as usize)),
        title,
    );
    match app.view() {
        View::Month => views::month::draw(f, body, app, theme),
        View::Findings => views::findings::draw(f, body, app, theme),
        View::Unit(_) => views::unit::draw(f, body, app, theme),
        View::Help => views::help::draw(f, body, app, theme),
        View::Log => views::log::draw(f, body, app, theme),
        View::Preview => views::preview::draw(f, body, app, theme),
        View::Report => views::report::draw(f, body, app, theme),
    }
    f.render_widget(
        Paragraph::new(footer_lines(app, theme, footer.width as usize)),
        footer,
    );
}

/// "chiso · Huyện Khoái Châu · Quý III/2025 · Bảng kết quả"; on a narrow
/// screen the program's name goes first, then the parent's, so that what
/// is shown stays whole.
fn title_line<'a>(app: &App, theme: &Theme, width: usize) -> Line<'a> {
    let mut parts = vec![(2, "chiso".to_string())];
    if let Some(m) = &app.month {
        if let Some(p) = &m.table.parent {
            parts.push((1, p.name.clone()));
        }
        parts.push((0, crate::text::capitalize(&m.table.period.label_vi())));
    }
    parts.push((
        0,
        match app.view() {
            View::Month => "Bảng kết quả".to_string(),
            View::Findings => "Đơn vị cần chỉ đạo khắc phục".to_string(),
            View::Unit(_) => app.unit.as_ref().map_or(String::new(), |d| {
                format!("{}: mọi {}", d.unit.name, d.kind.word_vi())
            }),
            View::Help => "Trợ giúp".to_string(),
            View::Log => "Lịch sử thay đổi".to_string(),
            View::Preview => "Xem trước khi ghi".to_string(),
            View::Report => "Công văn".to_string(),
        },
    ));
    let line = textfit::join_fitting(&parts, width);
    Line::styled(textfit::cut(&line, width), theme.title())
}

fn footer_lines<'a>(app: &App, theme: &Theme, width: usize) -> Vec<Line<'a>> {
    // Short of the last column: a line that touches the edge reads as cut.
    // What must stay (the period, what ▲▼ compare with) wraps rather than
    // being cut on a narrow screen.
    let status = textfit::join_fitting(&status_parts(app), width.saturating_sub(1));
    if let Some(ed) = &app.editor {
        return editor_lines(app, ed, theme, width);
    }
    let mut out = said(&status, Style::default(), width);
    let asked = app.prompt.as_ref().filter(|p| p.replace.is_some());
    if let Some(q) = asked.and_then(|p| p.note.as_ref()) {
        // `w` asks whether to replace a file: the question alone, as `x` asks.
        out.extend(said(q, theme.error(), width));
    } else if let Some(p) = &app.prompt {
        let (label, hint) = prompt_words(p);
        let note = p.note.as_ref().map(|n| (n.as_str(), theme.error()));
        out.extend(prompt_lines(label, &p.input, note, hint, theme, width));
    } else if let Some(c) = &app.confirm {
        out.extend(said(&c.question, theme.error(), width));
    } else if app.filter_editing {
        let note = app
            .filter_error
            .as_ref()
            .map(|e| (e.as_str(), theme.error()));
        let hint: &[(u8, &str)] = &[(0, "Enter giữ bộ lọc"), (0, "Esc xoá")];
        out.extend(prompt_lines(
            "Lọc: ",
            &app.filter_input,
            note,
            hint,
            theme,
            width,
        ));
    } else if let Some(msg) = &app.message {
        // What was done reads as news, the rest as a warning.
        let style = if msg.starts_with("Đã ") {
            theme.notice()
        } else {
            theme.error()
        };
        out.extend(said(msg, style, width));
    } else {
        let parts = keymap::footer_hints(app);
        out.push(Line::styled(fitted(&parts, width), theme.dim()));
    }
    out.truncate(FOOTER_MAX);
    out
}

/// The status line's parts, (rank, text): on a narrow screen the highest
/// ranks are left out.
fn status_parts(app: &App) -> Vec<(u8, String)> {
    let mut status: Vec<(u8, String)> = Vec::new();
    if app.read_only {
        status.push((0, "CHỈ ĐỌC".into()));
    }
    if let Some(m) = &app.month {
        status.push((0, crate::text::capitalize(&m.table.period.label_vi())));
        if let Some(g) = app.group {
            status.push((0, format!("nhóm: {}", g.label_vi())));
        }
        if !app.filter_input.is_empty() {
            status.push((1, format!("lọc: {}", crate::text::show(&app.filter_input))));
        }
        if !app.sort.is_empty() {
            let keys: Vec<String> = app
                .sort
                .iter()
                .map(|&(c, desc)| {
                    let name = match c {
                        SortCol::Name => "tên".to_string(),
                        SortCol::Metric(i) => columns::title(&app.cat.metrics[i]),
                        SortCol::Findings => "vi phạm".to_string(),
                    };
                    format!("{name} {}", if desc { "▼" } else { "▲" })
                })
                .collect();
            status.push((2, format!("sắp xếp: {}", keys.join(", "))));
        }
        // What ▲ ▼ compare with: "▲▼ so với cùng kỳ năm trước (quý III/2024)".
        if let Some(with) = app.change.filter(|_| app.view() == View::Month) {
            let (what, when) = (with.label_vi(), m.compared_period(with).label_vi());
            status.push((
                0,
                if m.compared_has_data(with) {
                    format!("▲▼ so với {what} ({when})")
                } else {
                    format!("▲▼ so với {what}: {when} chưa có số liệu")
                },
            ));
        }
        let total = m.table.units.len();
        status.push((1, format!("{}/{total} đơn vị", m.visible.len())));
        status.push((3, format!("{}/{total} đủ số liệu", m.complete)));
        if app.view() == View::Month && !m.marked(app.change).is_empty() {
            status.push((4, format!("{} mới, sáp nhập", app::NEW_MARK.trim())));
        }
    }
    status
}

/// The editor: what is typed where, the reason a save was refused (on
/// lines of its own when it does not fit beside), then its keys.
fn editor_lines<'a>(
    app: &App,
    ed: &super::editing::Editor,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'a>> {
    let metric = &app.cat.metrics[ed.metric];
    let input = crate::text::show(&ed.input);
    // The labels give way to what is typed: the month first, then the
    // unit (its row is the one under the cursor).
    let room = width.saturating_sub(textfit::width(&input) + 3);
    let label = textfit::join_fitting(
        &[
            (0, format!("Sửa {}", columns::title(metric))),
            (1, ed.unit_name.clone()),
            (2, ed.period.label_vi()),
        ],
        room,
    );
    let mut first = vec![
        Span::styled(format!("{label}: "), theme.header()),
        Span::raw(input),
        Span::raw("▏"),
    ];
    let mut out = Vec::new();
    match &ed.error {
        Some(e) if Line::from(first.clone()).width() + 2 + textfit::width(e) < width => {
            first.push(Span::styled(format!("  {e}"), theme.error()));
            out.push(Line::from(first));
        }
        Some(e) => {
            out.push(Line::from(first));
            out.extend(said(e, theme.error(), width));
        }
        None => out.push(Line::from(first)),
    }
    let labels =
        (!metric.labels.is_empty()).then(|| format!("↑↓ chọn: {}", metric.labels.join(" | ")));
    let mut keys: Vec<(u8, String)> = labels.into_iter().map(|l| (1, l)).collect();
    keys.extend([
        (0, "Enter lưu, xuống".to_string()),
        (2, "Tab lưu, sang phải".to_string()),
        (0, "Esc huỷ".to_string()),
    ]);
    out.push(Line::styled(
        textfit::join_fitting(&keys, width),
        theme.dim(),
    ));
    out
}

/// What a prompt asks, and its keys.
fn prompt_words(p: &super::pasting::PathPrompt) -> (&'static str, &'static [(u8, &'static str)]) {
    if p.asks_month {
        (
            "Tệp không ghi kỳ. Kỳ của số liệu (tháng, quý, năm): ",
            &[(0, "Enter xem trước (chưa ghi gì)"), (0, "Esc huỷ")],
        )
    } else if p.write_docx {
        (
            "Ghi DOCX vào: ",
            &[(1, "Tab hoàn thành"), (0, "Enter ghi tệp"), (0, "Esc huỷ")],
        )
    } else {
        (
            "Nhập tệp: ",
            &[
                (1, "Tab hoàn thành"),
                (0, "Enter xem trước (chưa ghi gì)"),
                (0, "Esc huỷ"),
            ],
        )
    }
}

/// A prompt: its label and what is typed (the end of it, when it is
/// longer than the line), then a note or the keys, beside when they fit,
/// else below.
fn prompt_lines<'a>(
    label: &'static str,
    input: &str,
    note: Option<(&str, Style)>,
    hint: &[(u8, &str)],
    theme: &Theme,
    width: usize,
) -> Vec<Line<'a>> {
    let input = crate::text::show(input);
    let room = width.saturating_sub(textfit::width(label) + 1);
    let shown = textfit::tail(&input, room);
    let first = vec![
        Span::styled(label, theme.header()),
        Span::raw(shown),
        Span::raw("▏"),
    ];
    let used = Line::from(first.clone()).width();
    let (text, style) = match note {
        Some((n, st)) => (n.to_string(), st),
        None => (fitted(hint, width), theme.dim()),
    };
    let mut out = Vec::new();
    if used + 2 + textfit::width(&text) < width {
        let mut first = first;
        first.push(Span::styled(format!("  {text}"), style));
        out.push(Line::from(first));
    } else {
        out.push(Line::from(first));
        match note {
            Some(_) => out.extend(said(&text, style, width)),
            None => out.push(Line::styled(text, style)),
        }
    }
    out
}

/// A message on as many lines as it needs, later lines indented: never
/// cut. Short of the last column: a line that touches the edge reads as cut.
fn said<'a>(text: &str, style: Style, width: usize) -> Vec<Line<'a>> {
    textfit::wrap(text, width.saturating_sub(1), "", "  ")
        .into_iter()
        .map(|l| Line::styled(l, style))
        .collect()
}

/// Key hints joined by " · ", the least needed left out to fit.
fn fitted(parts: &[(u8, &str)], width: usize) -> String {
    let owned: Vec<(u8, String)> = parts.iter().map(|(r, s)| (*r, s.to_string())).collect();
    textfit::join_fitting(&owned, width)
}
