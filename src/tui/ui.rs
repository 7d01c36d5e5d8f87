//! Draws the whole screen from the app's state; never changes it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
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

/// Title line, body, two footer lines.
pub fn areas(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(2),
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
    let [title, body, footer] = areas(area);
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

/// "chiso · Huyện Khoái Châu · Tháng 8/2024 · Bảng kết quả"; on a narrow
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
            View::Unit(_) => app
                .unit
                .as_ref()
                .map_or(String::new(), |d| format!("{}: mọi tháng", d.unit.name)),
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
    // (rank, text): on a narrow screen the highest ranks are left out.
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
        let total = m.table.units.len();
        status.push((1, format!("{}/{total} đơn vị", m.visible.len())));
        status.push((3, format!("{}/{total} đủ số liệu", m.complete)));
        if app.view() == View::Month && !m.fresh.is_empty() {
            status.push((4, format!("{} mới, sáp nhập", app::NEW_MARK.trim())));
        }
    }
    if let Some(ed) = &app.editor {
        let metric = &app.cat.metrics[ed.metric];
        let mut spans = vec![
            Span::styled(
                format!(
                    "Sửa {} · {} · {}: ",
                    columns::title(metric),
                    ed.unit_name,
                    ed.period.label_vi()
                ),
                theme.header(),
            ),
            Span::raw(crate::text::show(&ed.input)),
            Span::raw("▏"),
        ];
        if let Some(e) = &ed.error {
            spans.push(Span::styled(format!("  {e}"), theme.error()));
        }
        let mut help = Vec::new();
        if !metric.labels.is_empty() {
            help.push(format!("↑↓ chọn: {}", metric.labels.join(" | ")));
        }
        help.push("Enter lưu, xuống · Tab lưu, sang phải · Esc huỷ".into());
        return vec![
            Line::from(spans),
            Line::styled(help.join(" · "), theme.dim()),
        ];
    }
    let first = Line::from(textfit::join_fitting(&status, width));
    let asked = app.prompt.as_ref().filter(|p| p.replace.is_some());
    let second = if let Some(q) = asked.and_then(|p| p.note.as_ref()) {
        // `w` asks whether to replace a file: the question alone, as `x` asks.
        Line::styled(q.clone(), theme.error())
    } else if let Some(p) = &app.prompt {
        let mut spans = vec![
            Span::styled(
                if p.write_docx {
                    "Ghi DOCX vào: "
                } else {
                    "Nhập tệp: "
                },
                theme.header(),
            ),
            Span::raw(crate::text::show(&p.input)),
            Span::raw("▏"),
        ];
        match &p.note {
            Some(n) => spans.push(Span::styled(format!("  {n}"), theme.error())),
            None => spans.push(Span::styled(
                "  Tab hoàn thành · Enter xem trước · Esc huỷ",
                theme.dim(),
            )),
        }
        Line::from(spans)
    } else if let Some(c) = &app.confirm {
        Line::styled(c.question.clone(), theme.error())
    } else if app.filter_editing {
        let mut spans = vec![
            Span::styled("Lọc: ", theme.header()),
            Span::raw(crate::text::show(&app.filter_input)),
            Span::raw("▏"),
        ];
        if let Some(e) = &app.filter_error {
            spans.push(Span::styled(format!("  {e}"), theme.error()));
        }
        Line::from(spans)
    } else if let Some(msg) = &app.message {
        Line::styled(msg.clone(), theme.error())
    } else if app.view() == View::Month {
        Line::styled(keymap::hints(), theme.dim())
    } else if app.view() == View::Report {
        Line::styled(
            "↑↓ PgUp PgDn ← → cuộn · w ghi DOCX · Esc quay lại · q thoát",
            theme.dim(),
        )
    } else if app.view() == View::Preview {
        Line::styled(
            "↑↓ chọn dòng · a nhận tên gợi ý · x bỏ dòng · y ghi tất cả · Esc bỏ, không ghi gì",
            theme.dim(),
        )
    } else {
        Line::styled(
            "Esc quay lại · ↑↓ chọn · Enter xem đơn vị · ? trợ giúp · q thoát",
            theme.dim(),
        )
    };
    vec![first, second]
}
