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
    /// `!`: only the units that need directives; again, all of them.
    OnlyFindings,
    /// Sort by the selected column; again reverses it.
    Sort,
    /// Add the selected column as a further sort key.
    SortAdd,
    /// The period before, of the kind shown (`[`).
    PrevPeriod,
    /// The period after, of the kind shown (`]`).
    NextPeriod,
    /// Months, quarters, years in turn, those with data (`K`).
    NextKind,
    Findings,
    Help,
    /// The change in each cell: none, against the period before, against
    /// the same period a year before, in turn.
    ToggleChange,
    /// Show every unit, then each group of the month in turn (`g`).
    Group,
    /// Edit the selected cell (`e`; Enter on a metric column).
    Edit,
    /// A digit typed on a cell: edit it, starting with that digit.
    EditWith(char),
    /// Remove the selected cell's value, after a confirmation.
    Clear,
    Undo,
    Redo,
    /// Open an empty period after the latest one of the kind shown, for
    /// typing.
    NewMonth,
    /// The change history of the selected cell.
    CellLog,
    /// Import files into the period shown (a preview first).
    Import,
    /// In a preview: take the suggested unit for a name.
    Accept,
    /// In a preview: create the units it names that the file lacks.
    CreateUnits,
    /// In a preview: write it.
    Apply,
    /// The công văn of the period shown, as text.
    Report,
    /// Write the công văn of the period shown as DOCX.
    WriteDocx,
    Quit,
}

/// Where the cursor goes after a save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Down,
    Right,
    Left,
}

/// A key in the cell editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditKey {
    Char(char),
    Backspace,
    Save(Move),
    Cancel,
    NextLabel,
    PrevLabel,
}
