//! The month's công văn as text (`r`): warnings first, then the letter.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::textfit;
use crate::tui::theme::Theme;

/// The warnings wrapped at the screen's `width` (a command they suggest
/// stays whole), then the letter.
pub fn lines(app: &App, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let Some(r) = &app.report else {
        return Vec::new();
    };
    let mut out: Vec<Line> = r
        .warnings
        .iter()
        .flat_map(|w| warning_lines(&crate::text::escape(w), width.saturating_sub(1)))
        .map(|l| Line::styled(l, theme.error()))
        .collect();
    if !out.is_empty() {
        out.push(Line::from(""));
    }
    // 80 wide as printed, narrower on a narrower screen down to the 72
    // its two-column heading needs; past that, and for the annexes, the
    // view scrolls sideways.
    let text = crate::report::plain::render(&r.letter, width.saturating_sub(1).clamp(72, 80));
    out.extend(text.lines().map(|l| Line::from(l.to_owned())));
    out
}

/// "cảnh báo: …", wrapped; the command it suggests on a line of its own,
/// whole, to copy.
fn warning_lines(w: &str, width: usize) -> Vec<String> {
    let (said, command) = match w.find("chiso ") {
        Some(at) => (w[..at].trim_end(), Some(&w[at..])),
        None => (w, None),
    };
    let mut out = textfit::wrap(&format!("cảnh báo: {said}"), width, "", "  ");
    if let Some(c) = command {
        out.extend(textfit::wrap(c, width, "    ", "    "));
    }
    out
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let lines = lines(app, theme, area.width as usize);
    let top = app.scroll.min(lines.len().saturating_sub(1));
    let left = app.scroll_x.min(u16::MAX as usize) as u16;
    f.render_widget(Paragraph::new(lines).scroll((top as u16, left)), area);
}
