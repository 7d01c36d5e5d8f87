//! The month's công văn as text (`r`): warnings first, then the letter.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let Some(r) = &app.report else {
        return Vec::new();
    };
    let mut out: Vec<Line> = r
        .warnings
        .iter()
        .map(|w| {
            Line::styled(
                format!("cảnh báo: {}", crate::text::escape(w)),
                theme.error(),
            )
        })
        .collect();
    if !out.is_empty() {
        out.push(Line::from(""));
    }
    out.extend(r.lines.iter().map(|l| Line::from(l.clone())));
    out
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let lines = lines(app, theme);
    let top = app.scroll.min(lines.len().saturating_sub(1));
    let left = app.scroll_x.min(u16::MAX as usize) as u16;
    f.render_widget(Paragraph::new(lines).scroll((top as u16, left)), area);
}
