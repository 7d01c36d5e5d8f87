//! One cell's changes (`L`): when, who and from where, how, old → new.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::import::show_value;
use crate::model::Value;
use crate::text;
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let Some(log) = &app.log else {
        return Vec::new();
    };
    let mut out = vec![Line::styled(log.title.clone(), theme.title())];
    if log.entries.is_empty() {
        out.push(Line::from("Chưa có thay đổi nào được ghi cho ô này."));
        return out;
    }
    let show = |v: &Option<Value>| v.as_ref().map_or("·".to_owned(), show_value);
    for e in &log.entries {
        let (who, how) = (e.who(), e.how());
        out.push(Line::from(format!(
            "  {}  {:<16} {:<24} {:>9} → {}",
            e.at.replace('T', " ").trim_end_matches('Z'),
            text::escape(&who),
            text::escape(&how),
            show(&e.old),
            show(&e.new)
        )));
    }
    out.push(Line::from(""));
    out.push(Line::styled(
        "Giờ UTC. Cả nhật ký: chiso log --period YYYY-MM --unit TÊN",
        theme.dim(),
    ));
    out
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let lines = lines(app, theme);
    let top = app.scroll.min(lines.len().saturating_sub(1));
    f.render_widget(Paragraph::new(lines).scroll((top as u16, 0)), area);
}
