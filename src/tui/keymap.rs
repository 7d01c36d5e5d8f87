//! The one table of keys: dispatch reads it, and so do the help screen and
//! the footer hints, so they cannot drift apart.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

pub struct Binding {
    pub keys: &'static [KeyCode],
    /// How the help screen writes the keys.
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    /// Short form for the footer, if the key belongs there.
    pub hint: Option<&'static str>,
}

pub const KEYMAP: &[Binding] = &[
    Binding {
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        label: "↑ k",
        action: Action::Up,
        help: "lên một dòng",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        label: "↓ j",
        action: Action::Down,
        help: "xuống một dòng",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Left, KeyCode::Char('h')],
        label: "← h",
        action: Action::Left,
        help: "cột bên trái (tên đơn vị luôn hiện)",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Right, KeyCode::Char('l')],
        label: "→ l",
        action: Action::Right,
        help: "cột bên phải",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::PageUp],
        label: "PgUp",
        action: Action::PageUp,
        help: "lên một trang",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::PageDown],
        label: "PgDn",
        action: Action::PageDown,
        help: "xuống một trang",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Home],
        label: "Home",
        action: Action::Home,
        help: "dòng đầu",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::End],
        label: "End",
        action: Action::End,
        help: "dòng cuối",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Enter],
        label: "Enter",
        action: Action::Open,
        help: "xem chi tiết đơn vị đang chọn (mọi tháng)",
        hint: Some("Enter xem"),
    },
    Binding {
        keys: &[KeyCode::Esc],
        label: "Esc",
        action: Action::Back,
        help: "quay lại; ở bảng tháng: xoá bộ lọc",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('/')],
        label: "/",
        action: Action::Filter,
        help: "lọc: tên không dấu (\"dong\"), điều kiện (\"digitization<40\", \"xu ly<100 & hai long<90\"), \"!\" chỉ đơn vị cần chỉ đạo",
        hint: Some("/ lọc"),
    },
    Binding {
        keys: &[KeyCode::Char('s')],
        label: "s",
        action: Action::Sort,
        help: "sắp xếp theo cột đang chọn (bấm lại: đảo chiều)",
        hint: Some("s sắp xếp"),
    },
    Binding {
        keys: &[KeyCode::Char('S')],
        label: "S",
        action: Action::SortAdd,
        help: "thêm cột đang chọn làm khoá sắp xếp phụ",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('[')],
        label: "[",
        action: Action::PrevMonth,
        help: "tháng trước",
        hint: Some("[ ] tháng"),
    },
    Binding {
        keys: &[KeyCode::Char(']')],
        label: "]",
        action: Action::NextMonth,
        help: "tháng sau",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('f')],
        label: "f",
        action: Action::Findings,
        help: "đơn vị cần chỉ đạo khắc phục, theo từng quy tắc",
        hint: Some("f chỉ đạo"),
    },
    Binding {
        keys: &[KeyCode::Char('d')],
        label: "d",
        action: Action::ToggleChange,
        help: "hiện/ẩn thay đổi so với tháng trước (▲ ▼)",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('?')],
        label: "?",
        action: Action::Help,
        help: "trợ giúp (màn hình này)",
        hint: Some("? trợ giúp"),
    },
    Binding {
        keys: &[KeyCode::Char('q')],
        label: "q",
        action: Action::Quit,
        help: "thoát (Ctrl-C cũng vậy)",
        hint: Some("q thoát"),
    },
];

/// The action a key asks for, if any.
pub fn action_for(key: KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, KeyCode::Char('c')).then_some(Action::Quit);
    }
    KEYMAP
        .iter()
        .find(|b| b.keys.contains(&key.code))
        .map(|b| b.action)
}

/// "Enter chi tiết · / lọc · …" for the footer.
pub fn hints() -> String {
    KEYMAP
        .iter()
        .filter_map(|b| b.hint)
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_key_and_no_key_two_actions() {
        let mut seen = Vec::new();
        for b in KEYMAP {
            for k in b.keys {
                assert!(!seen.contains(k), "{k:?} bound twice");
                seen.push(*k);
                assert_eq!(action_for(KeyEvent::from(*k)), Some(b.action));
            }
        }
        assert_eq!(
            action_for(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(action_for(KeyEvent::from(KeyCode::Char('z'))), None);
    }
}
