//! One cell's changes (`L`): when, old → new, then where from and who;
//! what does not fit on the line goes under it, never cut.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::import::show_value;
use crate::model::Value;
use crate::names;
use crate::text;
use crate::tui::app::App;
use crate::tui::textfit;
use crate::tui::theme::Theme;

pub fn lines(app: &App, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let Some(log) = &app.log else {
        return Vec::new();
    };
    let mut out: Vec<Line> = textfit::wrap(&log.title, width, "", "  ")
        .into_iter()
        .map(|l| Line::styled(l, theme.title()))
        .collect();
    if log.entries.is_empty() {
        out.push(Line::from("Chưa có thay đổi nào được ghi cho ô này."));
        return out;
    }
    let show = |v: &Option<Value>| v.as_ref().map_or("·".to_owned(), show_value);
    for e in &log.entries {
        let values = format!(
            "  {}  {:>9} → {}",
            crate::db::local_time::shown_at(&e.at, &log.zone),
            show(&e.old),
            show(&e.new)
        );
        let from = match &e.file {
            Some(f) => format!("{} {}", names::source_label_vi(&e.source), text::escape(f)),
            None => names::source_label_vi(&e.source).to_owned(),
        };
        let tail = format!("{from} · {}", text::escape(&e.who()));
        if textfit::width(&values) + 2 + textfit::width(&tail) <= width {
            out.push(Line::from(format!("{values}  {tail}")));
        } else {
            out.push(Line::from(values));
            for l in textfit::wrap(&tail, width, "      ", "      ") {
                out.push(Line::from(l));
            }
        }
    }
    out.push(Line::from(""));
    let note = format!(
        "Giờ {}. Cả nhật ký: chiso log --period YYYY-MM --unit TÊN",
        log.zone.label()
    );
    for l in textfit::wrap(&note, width, "", "  ") {
        out.push(Line::styled(l, theme.dim()));
    }
    out
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // Short of the last column: a line that touches the edge reads as cut.
    let lines = lines(app, theme, (area.width as usize).saturating_sub(1));
    let top = app.scroll.min(lines.len().saturating_sub(1));
    f.render_widget(Paragraph::new(lines).scroll((top as u16, 0)), area);
}
