//! "Nơi nhận" on the left, the signature on the right, in one borderless
//! row that never splits across pages (the decree keeps the signer's name
//! on the page of the signature).

use docx_rs::{Paragraph, Table, TableLayoutType, TableRow, WidthType};

use super::{BODY, SMALL, TEXT_MM, cell, centred, grid, mm, no_borders, run};
use crate::report::Letter;

/// Lines left blank for the signature and the seal.
const SIGNING_SPACE: usize = 4;

pub fn table(l: &Letter) -> Table {
    let half = TEXT_MM / 2.0;
    let mut cc = vec![Paragraph::new().add_run(run("Nơi nhận:", SMALL).bold().italic())];
    for (i, c) in l.cc.iter().enumerate() {
        let end = if i + 1 == l.cc.len() { "." } else { ";" };
        cc.push(Paragraph::new().add_run(run(&format!("- {c}{end}"), 22)));
    }
    let signer: Vec<(&str, bool)> = l.signer.iter().map(|s| (s.as_str(), true)).collect();
    let mut sign = centred(&signer, BODY);
    for _ in 0..SIGNING_SPACE {
        sign.push(Paragraph::new());
    }
    sign.extend(centred(&[(&l.signer_name, true)], BODY));
    // cantSplit alone: `pack` makes a repeated header row only of rows
    // that also carry the annex header's height.
    Table::new(vec![
        TableRow::new(vec![cell(cc, half), cell(sign, half)]).cant_split(),
    ])
    .set_grid(grid(&[half, half]))
    .set_borders(no_borders())
    .layout(TableLayoutType::Fixed)
    .width(mm(TEXT_MM) as usize, WidthType::Dxa)
}
