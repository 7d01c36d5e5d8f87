//! Everything a user can ask of the TUI, whatever key asked it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    /// Enter: open the unit under the cursor.
    Open,
    /// Esc: leave the view, or clear the filter.
    Back,
    /// `/`: edit the filter.
    Filter,
    /// Sort by the selected column; again reverses it.
    Sort,
    /// Add the selected column as a further sort key.
    SortAdd,
    PrevMonth,
    NextMonth,
    Findings,
    Help,
    /// Show the change against the previous month in each cell.
    ToggleChange,
    Quit,
}
