//! Every key, written from the keymap that dispatches them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::app::{App, NEW_MARK, NEW_MARK_HELP};
use crate::tui::keymap::{EDIT_KEYMAP, KEYMAP};
use crate::tui::theme::Theme;

pub fn lines(theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::styled("Phím tắt", theme.title())];
    for b in KEYMAP {
        out.push(Line::from(format!("  {:<7} {}", b.label, b.help)));
    }
    out.push(Line::from(""));
    out.push(Line::styled(
        "Khi sửa ô (nhận 93,45 · 93.45 · 93.45%)",
        theme.title(),
    ));
    for b in EDIT_KEYMAP {
        out.push(Line::from(format!("  {:<7} {}", b.label, b.help)));
    }
    out.push(Line::from(
        "  dán     dán một bảng (Ctrl-Shift-V…): xem trước từng ô, a nhận tên gợi ý, y ghi, Esc bỏ",
    ));
    out.push(Line::from(""));
    out.push(Line::styled("Trong ô lọc (/)", theme.title()));
    for (k, h) in [
        (
            "chữ",
            "tên đơn vị không cần dấu: \"dong\" tìm Đông Kết, Đồng Tiến",
        ),
        (
            "<>=",
            "điều kiện theo mã hoặc đầu tên cột: digitization<40, so hoa<40",
        ),
        ("&", "nối điều kiện: processing<100 & online_payment<80"),
        ("!", "chỉ các đơn vị cần chỉ đạo (có vi phạm)"),
        (
            "nhóm=",
            "một nhóm đơn vị: nhóm=xã, nhóm=cơ quan, nhóm!=huyện; cũng được \"cơ quan\", \"cấp xã\"",
        ),
        ("Enter", "giữ bộ lọc và về bảng"),
        ("Esc", "xoá bộ lọc"),
    ] {
        out.push(Line::from(format!("  {k:<7} {h}")));
    }
    out.push(Line::from(""));
    out.push(Line::styled("Ký hiệu", theme.title()));
    out.push(Line::from(
        "  ‼       vi phạm nghiêm trọng    !  cảnh báo    ⇑  nâng mức (nhiều tháng liên tiếp)",
    ));
    out.push(Line::from(
        "  ▲ ▼     tăng, giảm so với tháng trước    ·  chưa có số liệu",
    ));
    out.push(Line::from(format!(
        "  {:<7} sau tên: {}",
        NEW_MARK.trim(),
        NEW_MARK_HELP
    )));
    out
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let lines = lines(theme);
    let top = app.scroll.min(lines.len().saturating_sub(1));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((top as u16, 0)),
        area,
    );
}
