//! One unit, every period of the kind shown (its months, quarters or
//! years, never mixed): the values (each metric a column as wide as it
//! needs; ← → scroll them when the screen is narrower) and, under each
//! period, the rules it broke by their Vietnamese names. Then, for a unit
//! formed from others (the 2025 reform), each of those units' periods
//! before the change under its own heading, never mixed with the unit's; a
//! renamed unit's periods run on, those under its old name headed as
//! such. Last, a bar line per metric of the unit's own periods, in the
//! same scroll.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::db::lineage::Share;
use crate::model::Value;
use crate::names;
use crate::rules::month::UnitMonth;
use crate::tui::app::App;
use crate::tui::columns;
use crate::tui::textfit;
use crate::tui::theme::Theme;

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// "▁▃▅█": one bar per month, scaled between the unit's own lowest and
/// highest value; a month without the value is a space.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let (lo, hi) = present
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| {
            (l.min(x), h.max(x))
        });
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(x) if hi - lo < 1e-9 => BARS[if *x > 0.0 { 7 } else { 0 }],
            Some(x) => BARS[(((x - lo) / (hi - lo)) * 7.0).round() as usize],
        })
        .collect()
}

/// The metrics the unit has a value of in any month shown, in catalog order.
fn metrics_of(app: &App) -> Vec<usize> {
    let Some(d) = &app.unit else {
        return Vec::new();
    };
    (0..app.cat.metrics.len())
        .filter(|&m| {
            d.stretches
                .iter()
                .flat_map(|s| s.months.iter())
                .any(|(_, x)| x.row[m].is_some())
        })
        .collect()
}

/// Each metric column as wide as its title or its widest value.
fn widths(app: &App, metrics: &[usize]) -> Vec<usize> {
    let Some(d) = &app.unit else {
        return Vec::new();
    };
    metrics
        .iter()
        .map(|&m| {
            let metric = &app.cat.metrics[m];
            d.stretches
                .iter()
                .flat_map(|s| s.months.iter())
                .filter_map(|(_, x)| x.row[m].as_ref())
                .map(|v| textfit::width(&columns::cell(v, metric.kind)))
                .chain([textfit::width(&columns::title(metric))])
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// The period column's width: "12/2025" and a space, wider for
/// "III/2025".
fn period_w(app: &App) -> usize {
    app.unit
        .iter()
        .flat_map(|d| d.stretches.iter())
        .flat_map(|s| s.months.iter())
        .map(|(_, m)| textfit::width(&m.period.short_vi()) + 1)
        .fold(MONTH_W, usize::max)
}

/// The columns `from..to` that fit in `width` after the period column
/// (`lead` wide): all of them if they can, else from the first asked,
/// with room kept for the arrows.
fn fitting(widths: &[usize], width: usize, from: usize, lead: usize) -> (usize, usize) {
    let all: usize = widths.iter().map(|w| w + 1).sum();
    if lead + all <= width {
        return (0, widths.len());
    }
    let room = width.saturating_sub(lead + ARROW_W);
    let ends = |from: usize| {
        let mut used = 0;
        let mut to = from;
        while to < widths.len() && used + widths[to] < room {
            used += widths[to] + 1;
            to += 1;
        }
        to.max((from + 1).min(widths.len()))
    };
    // Never scrolled past the point where the last column shows.
    let last = (0..widths.len())
        .find(|&f| ends(f) == widths.len())
        .unwrap_or(0);
    let from = from.min(last);
    (from, ends(from))
}

/// The furthest the columns scroll right (→) on a screen `width` wide.
pub fn last_offset(app: &App, width: usize) -> usize {
    let metrics = metrics_of(app);
    let w = widths(app, &metrics);
    fitting(&w, width, usize::MAX, period_w(app)).0
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(d) = &app.unit else { return };
    let own: Vec<&UnitMonth> = d
        .stretches
        .first()
        .map(|s| s.months.iter().map(|(_, m)| m).collect())
        .unwrap_or_default();
    let metrics = metrics_of(app);
    // The bar lines after the table follow the unit's own months only.
    let spark: Vec<usize> = metrics
        .iter()
        .copied()
        .filter(|&m| own.iter().any(|x| x.row[m].is_some()))
        .collect();
    let table_area = area;

    // Months as rows; each metric a column as wide as it needs; the
    // columns scroll sideways (← →) when they do not all fit.
    let width = table_area.width as usize;
    let col_w = widths(app, &metrics);
    let lead = period_w(app);
    let (from, to) = fitting(&col_w, width, app.scroll_x, lead);
    let shown: Vec<(usize, usize)> = metrics[from..to]
        .iter()
        .copied()
        .zip(col_w[from..to].iter().copied())
        .collect();
    let labels: Vec<String> = app.rules.iter().map(names::rule_label_vi).collect();

    let mut lines: Vec<Line> = Vec::new();
    let word = crate::text::capitalize(d.kind.word_vi());
    let month_head = if from > 0 {
        format!("← {word}")
    } else {
        word
    };
    let mut header = vec![Span::styled(
        textfit::pad(&month_head, lead),
        theme.header(),
    )];
    for &(m, w) in &shown {
        header.push(Span::styled(
            format!(
                " {}",
                textfit::right(&columns::title(&app.cat.metrics[m]), w)
            ),
            theme.header(),
        ));
    }
    if to < metrics.len() {
        header.push(Span::styled(" →", theme.header()));
    }
    // Where each heading starts, and its lines: the one above the top
    // line stays in view when scrolled.
    let mut heads: Vec<(usize, Vec<Line>)> = Vec::new();
    // Where each month's lines start.
    let mut rows: Vec<usize> = Vec::new();
    let mut heading = |lines: &mut Vec<Line<'static>>, text: &str| {
        let start = lines.len();
        // Short of the last column: a line that touches the edge reads as cut.
        for l in textfit::wrap(text, width.saturating_sub(1), "", "  ") {
            lines.push(Line::styled(l, theme.header()));
        }
        heads.push((start, lines[start..].to_vec()));
    };
    for s in &d.stretches {
        if s.change.is_none() && d.stretches.len() > 1 && !s.months.is_empty() {
            // The unit's own months, set apart from those before it.
            let head = match d.unit.from {
                Some(p) => format!("Từ {}: {}", p.short_vi(), s.name),
                None => s.name.clone(),
            };
            heading(&mut lines, &head);
        }
        if let Some(c) = s.change {
            let into = d
                .stretches
                .iter()
                .find(|x| x.unit_id == c.into)
                .filter(|_| c.into != d.unit.id)
                .map_or(String::new(), |x| format!(", vào {}", x.name));
            let mut head = format!(
                "Trước {}: {} ({}{into})",
                c.period.short_vi(),
                s.name,
                share_words(c.share)
            );
            if s.months.is_empty() {
                head.push_str(": không có số liệu");
            }
            heading(&mut lines, &head);
        }
        let mut last_name: Option<&str> = None;
        for (k, (name, mo)) in s.months.iter().enumerate() {
            // A rename from a month: the months under each name apart.
            if last_name != Some(name.as_str()) && (k > 0 || *name != s.name) {
                let end = s.months[k..]
                    .iter()
                    .take_while(|(n, _)| n == name)
                    .last()
                    .map_or(mo.period, |(_, m)| m.period);
                let head = if *name == s.name {
                    format!("Từ {}: {name}", mo.period.short_vi())
                } else {
                    format!("Tên cũ, đến {}: {name}", end.short_vi())
                };
                heading(&mut lines, &head);
            }
            last_name = Some(name);
            rows.push(lines.len());
            month_lines(&mut lines, app, theme, mo, &shown, &labels, width);
        }
    }
    // Then a bar line per metric, scrolled to like the months.
    if !spark.is_empty() {
        let word = d.kind.word_vi();
        let trend = if d.stretches.len() > 1 {
            // Its own periods only: the old units' are not its past.
            format!("Diễn biến qua các {word} của riêng {}", d.unit.name)
        } else {
            format!("Diễn biến qua các {word}")
        };
        lines.push(Line::from(""));
        heading(&mut lines, &trend);
        for &m in &spark {
            let metric = &app.cat.metrics[m];
            let nums: Vec<Option<f64>> = own
                .iter()
                .map(|mo| match &mo.row[m] {
                    Some(Value::Num(x)) => Some(*x),
                    Some(Value::Label(l)) => metric
                        .labels
                        .iter()
                        .position(|x| x == l)
                        .map(|r| (metric.labels.len() - r) as f64),
                    None => None,
                })
                .collect();
            let last = own
                .iter()
                .rev()
                .find_map(|mo| mo.row[m].as_ref())
                .map(|v| columns::cell(v, metric.kind))
                .unwrap_or_default();
            rows.push(lines.len());
            lines.push(Line::from(format!(
                "{:<11} {}  {last}",
                columns::title(metric),
                sparkline(&nums)
            )));
        }
    }
    let body_h = (table_area.height as usize).saturating_sub(1);
    // The top line is the first of a month or of a heading, never the
    // rules of a month scrolled away.
    let first_line = |top: usize| {
        rows.iter()
            .chain(heads.iter().map(|(s, _)| s))
            .copied()
            .filter(|&s| s >= top)
            .min()
            .unwrap_or(top)
    };
    let top = first_line(app.scroll.min(lines.len().saturating_sub(body_h)));
    // Scrolled below a heading: it stays on top of its rows.
    let pinned = |top: usize| {
        heads
            .iter()
            .rev()
            .find(|(start, _)| *start <= top)
            .filter(|(start, head)| top >= start + head.len())
            .map(|(_, head)| head.clone())
            .unwrap_or_default()
    };
    let mut pin = pinned(top);
    let mut top = top;
    if !pin.is_empty() {
        top = first_line(
            app.scroll
                .min(lines.len().saturating_sub(body_h.saturating_sub(pin.len()))),
        );
        pin = pinned(top);
    }
    let mut shown_lines = vec![Line::from(header)];
    let rest = body_h.saturating_sub(pin.len());
    shown_lines.extend(pin);
    shown_lines.extend(lines.into_iter().skip(top).take(rest));
    f.render_widget(Paragraph::new(shown_lines), table_area);
}

/// "12/2025" and a space: the period column at least.
const MONTH_W: usize = 8;
/// " →" after the last column shown, when there are more.
const ARROW_W: usize = 2;

fn share_words(s: Share) -> &'static str {
    match s {
        Share::Whole => "toàn bộ",
        Share::Part => "một phần",
    }
}

/// One period: its values, then each rule it broke on a line of its own,
/// by its Vietnamese name, wrapped under the values.
fn month_lines(
    lines: &mut Vec<Line<'static>>,
    app: &App,
    theme: &Theme,
    mo: &UnitMonth,
    shown: &[(usize, usize)],
    labels: &[String],
    width: usize,
) {
    let lead = period_w(app);
    let mut spans = vec![Span::raw(textfit::pad(&mo.period.short_vi(), lead))];
    for &(m, w) in shown {
        let kind = app.cat.metrics[m].kind;
        let style = app
            .worst_on_metric(&mo.broken, m)
            .map_or(ratatui::style::Style::new(), |s| theme.severity(s));
        let text = mo.row[m]
            .as_ref()
            .map_or("·".to_string(), |v| columns::cell(v, kind));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(textfit::right(&text, w), style));
    }
    lines.push(Line::from(spans));
    let indent = " ".repeat(lead + 1);
    for &r in &mo.broken {
        let rule = &app.rules[r];
        let first = format!("{indent}{} ", Theme::symbol(rule.severity));
        let rest = format!("{indent}  ");
        // Short of the last column: a line that touches the edge reads as cut.
        for l in textfit::wrap(&labels[r], width.saturating_sub(1), &first, &rest) {
            let text = l.strip_prefix(&indent).unwrap_or(&l).to_owned();
            lines.push(Line::from(vec![
                Span::raw(indent.clone()),
                Span::styled(text, theme.severity(rule.severity)),
            ]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_and_shows_gaps() {
        assert_eq!(
            sparkline(&[Some(0.0), Some(50.0), None, Some(100.0)]),
            "▁▅ █"
        );
        assert_eq!(sparkline(&[Some(3.0), Some(3.0)]), "██");
        assert_eq!(sparkline(&[]), "");
    }
}
