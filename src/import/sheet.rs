//! A worksheet's values gathered cell by cell, whatever the workbook's
//! format: only rows holding a value are kept (a value a million rows down
//! costs one row), a value right of column IV is refused by name, and the
//! grid's cells and text are counted against the limits as they come, so
//! a small hostile file is refused before it takes the machine.

// A file fails at most once, so a large error value costs nothing here.
#![allow(clippy::result_large_err)]

use super::Problem;
use super::read::{Cell, GridRow, column_letters};

/// Limits that keep a small hostile workbook from taking the machine.
/// A national month (10,035 units) is about 100,000 cells and 4 MB of
/// sheet XML: these leave room twenty times over.
pub mod limits {
    /// Uncompressed size of one worksheet's XML (read as a stream).
    pub const SHEET_XML: u64 = 64 << 20;
    /// Uncompressed size of any other XML part (shared strings, styles…),
    /// which the reader holds in memory whole.
    pub const PART_XML: u64 = 16 << 20;
    /// Everything unpacked to check, together.
    pub const UNPACKED: u64 = 160 << 20;
    /// Columns a table may use: A to IV, as Excel 2003 allowed.
    pub const COLUMNS: u32 = 256;
    /// Cells of the grid, counted from column A to each row's last value.
    pub const CELLS: usize = 2_000_000;
    /// Bytes of text in all cells together.
    pub const TEXT: usize = 64 << 20;
}

pub fn mb(n: u64) -> String {
    format!("{} MB", n >> 20)
}

/// A spreadsheet cell's text as the grid keeps it: trimmed, and empty when
/// only spaces.
pub fn text_cell(s: &str) -> Cell {
    let t = s.trim();
    if t.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(t.to_owned())
    }
}

/// One sheet's values as they are read. Rows come in order in every
/// format, so each is built in place, dense from column A (which is how
/// the limit counts it); a cell for an earlier row waits in `late` and is
/// merged at the end.
pub struct SheetCells<'a> {
    file: &'a str,
    sheet: &'a str,
    rows: Vec<GridRow>,
    late: Vec<(u32, u32, Cell)>,
    /// The leftmost column holding a value.
    first_col: u32,
    /// Cells the grid will hold, values added, and bytes of text.
    cells: usize,
    added: usize,
    text: usize,
}

impl<'a> SheetCells<'a> {
    pub fn new(file: &'a str, sheet: &'a str) -> Self {
        SheetCells {
            file,
            sheet,
            rows: Vec::new(),
            late: Vec::new(),
            first_col: u32::MAX,
            cells: 0,
            added: 0,
            text: 0,
        }
    }

    /// Adds the value at (row, column), both 0-based; an empty cell costs
    /// nothing. Refuses a value right of column IV, or one that takes the
    /// grid past the limits.
    pub fn push(&mut self, row: u64, col: u64, cell: Cell) -> Result<(), Problem> {
        if cell == Cell::Empty {
            return Ok(());
        }
        if col >= limits::COLUMNS as u64 || row >= u32::MAX as u64 {
            return Err(self.outside(row, col));
        }
        if let Cell::Text(t) = &cell {
            self.text += t.len();
        }
        // The same cell written again and again adds no cell, but counts.
        self.added += 1;
        self.first_col = self.first_col.min(col as u32);
        let line = row + 1;
        let c = col as usize;
        match self.rows.last_mut() {
            Some(last) if last.line == line => {
                if c >= last.cells.len() {
                    self.cells += c + 1 - last.cells.len();
                    last.cells.resize(c + 1, Cell::Empty);
                }
                last.cells[c] = cell;
            }
            Some(last) if last.line > line => {
                // A row met again out of order counts its width again: an
                // overestimate, for files no spreadsheet program writes.
                self.cells += c + 1;
                self.late.push((row as u32, col as u32, cell));
            }
            last => {
                // Tables keep their width: room for as many cells as the
                // row before, so a row is allocated once.
                let room = last.map_or(0, |r| r.cells.len()).max(c + 1);
                let mut cells = Vec::with_capacity(room);
                cells.resize(c + 1, Cell::Empty);
                cells[c] = cell;
                self.cells += c + 1;
                self.rows.push(GridRow { line, cells });
            }
        }
        if self.cells > limits::CELLS || self.added > limits::CELLS || self.text > limits::TEXT {
            return Err(self.too_big(row, col));
        }
        Ok(())
    }
    /// Bytes of text still allowed: a reader stops a cell's text growing
    /// past it.
    pub fn text_room(&self) -> usize {
        limits::TEXT.saturating_sub(self.text)
    }

    fn place(&self, row: u64, col: u64) -> String {
        format!("{}{}", column_letters(col), row + 1)
    }

    fn outside(&self, row: u64, col: u64) -> Problem {
        let at = self.place(row, col);
        Problem {
            file: self.file.to_owned(),
            place: Some(format!("ô {at} (trang {})", self.sheet)),
            column: None,
            value: None,
            message: format!("trang tính có ô ở {at}, ngoài vùng dữ liệu; hãy xoá các ô thừa"),
            hint: Some(format!(
                "chiso đọc bảng trong các cột A đến {}; trong Excel, chọn các cột thừa bên phải bảng, xoá (Delete) rồi lưu lại",
                column_letters(limits::COLUMNS - 1)
            )),
        }
    }

    /// The grid would pass the limits at this cell.
    pub fn too_big(&self, row: u64, col: u64) -> Problem {
        Problem {
            file: self.file.to_owned(),
            place: Some(format!("ô {} (trang {})", self.place(row, col), self.sheet)),
            column: None,
            value: None,
            message: format!(
                "trang tính quá lớn để nhập một lần (hơn {} ô hoặc {} chữ)",
                crate::text::format_vi(limits::CELLS as f64, 0),
                mb(limits::TEXT as u64)
            ),
            hint: Some("xoá các ô thừa ngoài bảng số liệu, hoặc chia bảng thành nhiều tệp".into()),
        }
    }

    /// The rows holding a value, in order, each from the grid's first
    /// column to its last value; and that first column.
    pub fn finish(mut self) -> (Vec<GridRow>, u32) {
        if self.rows.is_empty() {
            return (Vec::new(), 0);
        }
        if !self.late.is_empty() {
            self.merge_late();
        }
        let first = self.first_col as usize;
        for row in &mut self.rows {
            row.cells.drain(..first);
        }
        (self.rows, self.first_col)
    }

    fn merge_late(&mut self) {
        fn set(cells: &mut Vec<Cell>, col: usize, cell: Cell) {
            if col >= cells.len() {
                cells.resize(col + 1, Cell::Empty);
            }
            cells[col] = cell;
        }
        let mut late = std::mem::take(&mut self.late);
        // Stable: of one cell written twice, the later value stays.
        late.sort_by_key(|e| (e.0, e.1));
        let mut new_rows: Vec<GridRow> = Vec::new();
        for (row, col, cell) in late {
            let line = row as u64 + 1;
            match self.rows.binary_search_by_key(&line, |r| r.line) {
                Ok(i) => set(&mut self.rows[i].cells, col as usize, cell),
                Err(_) => {
                    if new_rows.last().map(|r| r.line) != Some(line) {
                        new_rows.push(GridRow {
                            line,
                            cells: Vec::new(),
                        });
                    }
                    if let Some(r) = new_rows.last_mut() {
                        set(&mut r.cells, col as usize, cell);
                    }
                }
            }
        }
        if !new_rows.is_empty() {
            let old = std::mem::take(&mut self.rows);
            let mut merged = Vec::with_capacity(old.len() + new_rows.len());
            let (mut a, mut b) = (old.into_iter().peekable(), new_rows.into_iter().peekable());
            while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
                let next = if x.line < y.line { a.next() } else { b.next() };
                merged.extend(next);
            }
            merged.extend(a);
            merged.extend(b);
            self.rows = merged;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(x: f64) -> Cell {
        Cell::Num(x)
    }

    #[test]
    fn rows_are_sparse_sorted_and_start_at_the_first_column() {
        let mut s = SheetCells::new("f", "S");
        s.push(1_000_000, 3, num(2.0)).unwrap();
        // Rows before the last one: merged at the end.
        s.push(4, 2, text_cell(" a ")).unwrap();
        s.push(4, 5, num(1.0)).unwrap();
        s.push(4, 7, text_cell("  ")).unwrap();
        s.push(4, 5, num(9.0)).unwrap(); // written again: the later wins
        s.push(2, 3, num(5.0)).unwrap();
        s.push(1_000_000, 2, num(3.0)).unwrap();
        let (rows, first) = s.finish();
        assert_eq!(first, 2);
        let got: Vec<(u64, Vec<Cell>)> = rows.into_iter().map(|r| (r.line, r.cells)).collect();
        let t = |x: &str| Cell::Text(x.into());
        assert_eq!(
            got,
            [
                (3, vec![Cell::Empty, num(5.0)]),
                (5, vec![t("a"), Cell::Empty, Cell::Empty, num(9.0)]),
                (1_000_001, vec![num(3.0), num(2.0)]),
            ]
        );
    }

    #[test]
    fn limits_are_counted_as_cells_come() {
        let mut s = SheetCells::new("f", "S");
        let e = s.push(9, 256, num(1.0)).unwrap_err();
        assert_eq!(e.place.as_deref(), Some("ô IW10 (trang S)"));
        let e = s.push(1 << 40, 0, num(1.0)).unwrap_err();
        assert!(e.message.contains("ô ở A1099511627777,"), "{}", e.message);
        // Each row of 256 cells from column A: the limit falls inside row 7813.
        let mut s = SheetCells::new("f", "S");
        let mut refused = None;
        for row in 0..10_000 {
            if let Err(e) = s.push(row, 255, num(1.0)) {
                refused = Some((row, e));
                break;
            }
        }
        let (row, e) = refused.unwrap();
        assert_eq!(row, limits::CELLS as u64 / 256);
        assert!(e.message.contains("quá lớn"), "{}", e.message);
        let mut s = SheetCells::new("f", "S");
        let long = "x".repeat(1 << 20);
        let refused = (0..100).find(|&r| s.push(r, 0, Cell::Text(long.clone())).is_err());
        assert_eq!(refused, Some(64));
    }
}
