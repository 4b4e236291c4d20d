//! Text as the listing commands (`expiry`, `pki list`) print it: aligned columns, and
//! counts in words.

use std::fmt::Write as _;

/// Writes `rows` as lines of columns, each padded to its widest cell with two spaces
/// between columns; the last column is not padded, so that no line ends in blanks.
pub(crate) fn write_columns<const N: usize>(rows: &[[String; N]], out: &mut String) {
    let mut widths = [0; N];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in rows {
        let mut line = String::new();
        for (column, (cell, width)) in row.iter().zip(widths).enumerate() {
            if column + 1 == N {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<width$}  ");
            }
        }
        let _ = writeln!(out, "{line}");
    }
}

/// The plural ending of a count's noun: `format!("{n} file{}", plural(n))`.
pub(crate) fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_on_the_widest_cell() {
        let mut out = String::new();
        let rows = [
            ["OK".to_owned(), "web".to_owned(), "-".to_owned()],
            ["REVOKED".to_owned(), "a".to_owned(), "dns:x".to_owned()],
        ];
        write_columns(&rows, &mut out);
        assert_eq!(out, "OK       web  -\nREVOKED  a    dns:x\n");
        assert_eq!((plural(0), plural(1), plural(2)), ("s", "", "s"));
    }
}
