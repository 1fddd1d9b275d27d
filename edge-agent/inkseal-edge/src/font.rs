//! A small bitmap font with Czech letters, for the pad's screens.
//!
//! Glyphs are 5 × 9 pixels (7 rows from the cap line to the baseline, 2 rows of descender);
//! the cell is 6 × 11 — one column of spacing, and 2 rows above the cap line where the accents
//! of capitals go. Czech letters are composed: a base glyph and an accent (čárka, háček,
//! kroužek) placed above the x-height (lowercase) or above the cap line (capitals and ascenders).
//! Scaled by an integer factor, it stays crisp on the 1-bit STU-300/430 screens.

/// Width of a glyph cell in font pixels (glyph + spacing).
pub const CELL_W: u32 = 6;
/// Height of a glyph cell in font pixels (accent rows + glyph + descender).
pub const CELL_H: u32 = 11;
const ACCENT_ROWS: i32 = 2;

const GLYPHS: &[(char, &str)] = &[
    ('A', ".###.|#...#|#...#|#####|#...#|#...#|#...#"),
    ('B', "####.|#...#|#...#|####.|#...#|#...#|####."),
    ('C', ".###.|#...#|#....|#....|#....|#...#|.###."),
    ('D', "####.|#...#|#...#|#...#|#...#|#...#|####."),
    ('E', "#####|#....|#....|####.|#....|#....|#####"),
    ('F', "#####|#....|#....|####.|#....|#....|#...."),
    ('G', ".###.|#...#|#....|#.###|#...#|#...#|.####"),
    ('H', "#...#|#...#|#...#|#####|#...#|#...#|#...#"),
    ('I', ".###.|..#..|..#..|..#..|..#..|..#..|.###."),
    ('J', "..###|...#.|...#.|...#.|...#.|#..#.|.##.."),
    ('K', "#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#"),
    ('L', "#....|#....|#....|#....|#....|#....|#####"),
    ('M', "#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#"),
    ('N', "#...#|#...#|##..#|#.#.#|#..##|#...#|#...#"),
    ('O', ".###.|#...#|#...#|#...#|#...#|#...#|.###."),
    ('P', "####.|#...#|#...#|####.|#....|#....|#...."),
    ('Q', ".###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#"),
    ('R', "####.|#...#|#...#|####.|#.#..|#..#.|#...#"),
    ('S', ".####|#....|#....|.###.|....#|....#|####."),
    ('T', "#####|..#..|..#..|..#..|..#..|..#..|..#.."),
    ('U', "#...#|#...#|#...#|#...#|#...#|#...#|.###."),
    ('V', "#...#|#...#|#...#|#...#|#...#|.#.#.|..#.."),
    ('W', "#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#."),
    ('X', "#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#"),
    ('Y', "#...#|#...#|.#.#.|..#..|..#..|..#..|..#.."),
    ('Z', "#####|....#|...#.|..#..|.#...|#....|#####"),
    ('a', ".....|.....|.###.|....#|.####|#...#|.####"),
    ('b', "#....|#....|####.|#...#|#...#|#...#|####."),
    ('c', ".....|.....|.###.|#....|#....|#....|.###."),
    ('d', "....#|....#|.####|#...#|#...#|#...#|.####"),
    ('e', ".....|.....|.###.|#...#|#####|#....|.###."),
    ('f', "..##.|.#...|###..|.#...|.#...|.#...|.#..."),
    ('g', ".....|.....|.####|#...#|#...#|#...#|.####|....#|.###."),
    ('h', "#....|#....|####.|#...#|#...#|#...#|#...#"),
    ('i', "..#..|.....|.##..|..#..|..#..|..#..|.###."),
    ('ı', ".....|.....|.##..|..#..|..#..|..#..|.###."),
    ('j', "...#.|.....|..##.|...#.|...#.|...#.|...#.|#..#.|.##.."),
    ('k', "#....|#....|#..#.|#.#..|##...|#.#..|#..#."),
    ('l', ".##..|..#..|..#..|..#..|..#..|..#..|.###."),
    ('m', ".....|.....|##.#.|#.#.#|#.#.#|#.#.#|#.#.#"),
    ('n', ".....|.....|####.|#...#|#...#|#...#|#...#"),
    ('o', ".....|.....|.###.|#...#|#...#|#...#|.###."),
    ('p', ".....|.....|####.|#...#|#...#|#...#|####.|#....|#...."),
    ('q', ".....|.....|.####|#...#|#...#|#...#|.####|....#|....#"),
    ('r', ".....|.....|#.##.|##..#|#....|#....|#...."),
    ('s', ".....|.....|.####|#....|.###.|....#|####."),
    ('t', ".#...|.#...|###..|.#...|.#...|.#..#|..##."),
    ('u', ".....|.....|#...#|#...#|#...#|#..##|.##.#"),
    ('v', ".....|.....|#...#|#...#|#...#|.#.#.|..#.."),
    ('w', ".....|.....|#...#|#...#|#.#.#|#.#.#|.#.#."),
    ('x', ".....|.....|#...#|.#.#.|..#..|.#.#.|#...#"),
    ('y', ".....|.....|#...#|#...#|#...#|#...#|.####|....#|.###."),
    ('z', ".....|.....|#####|...#.|..#..|.#...|#####"),
    ('0', ".###.|#...#|#..##|#.#.#|##..#|#...#|.###."),
    ('1', "..#..|.##..|..#..|..#..|..#..|..#..|.###."),
    ('2', ".###.|#...#|....#|...#.|..#..|.#...|#####"),
    ('3', "####.|....#|....#|.###.|....#|....#|####."),
    ('4', "...#.|..##.|.#.#.|#..#.|#####|...#.|...#."),
    ('5', "#####|#....|####.|....#|....#|#...#|.###."),
    ('6', "..##.|.#...|#....|####.|#...#|#...#|.###."),
    ('7', "#####|....#|...#.|..#..|.#...|.#...|.#..."),
    ('8', ".###.|#...#|#...#|.###.|#...#|#...#|.###."),
    ('9', ".###.|#...#|#...#|.####|....#|...#.|.##.."),
    (' ', ""),
    ('.', ".....|.....|.....|.....|.....|.....|..#.."),
    (',', ".....|.....|.....|.....|.....|..#..|..#..|.#..."),
    (':', ".....|.....|..#..|.....|.....|..#..|....."),
    (';', ".....|.....|..#..|.....|.....|..#..|..#..|.#..."),
    ('-', ".....|.....|.....|.###.|.....|.....|....."),
    ('–', ".....|.....|.....|#####|.....|.....|....."),
    ('!', "..#..|..#..|..#..|..#..|..#..|.....|..#.."),
    ('?', ".###.|#...#|....#|...#.|..#..|.....|..#.."),
    ('(', "...#.|..#..|.#...|.#...|.#...|..#..|...#."),
    (')', ".#...|..#..|...#.|...#.|...#.|..#..|.#..."),
    ('/', "....#|....#|...#.|..#..|.#...|#....|#...."),
    ('+', ".....|..#..|..#..|#####|..#..|..#..|....."),
    ('*', ".....|..#..|#.#.#|.###.|#.#.#|..#..|....."),
    ('@', ".###.|#...#|#.###|#.#.#|#.###|#....|.###."),
    ('_', ".....|.....|.....|.....|.....|.....|#####"),
    ('&', ".##..|#..#.|#.#..|.#...|#.#.#|#..#.|.##.#"),
    ('\'', "..#..|..#..|....."),
    ('"', ".#.#.|.#.#.|....."),
];

#[derive(Clone, Copy)]
enum Accent {
    Acute,
    Caron,
    Ring,
}

fn accent_rows(a: Accent) -> [&'static str; 2] {
    match a {
        Accent::Acute => ["...#.", "..#.."],
        Accent::Caron => [".#.#.", "..#.."],
        Accent::Ring => ["..#..", ".#.#."],
    }
}

fn decompose(c: char) -> (char, Option<Accent>) {
    use Accent::*;
    match c {
        'á' => ('a', Some(Acute)),
        'é' => ('e', Some(Acute)),
        'í' => ('ı', Some(Acute)),
        'ó' => ('o', Some(Acute)),
        'ú' => ('u', Some(Acute)),
        'ý' => ('y', Some(Acute)),
        'ů' => ('u', Some(Ring)),
        'č' => ('c', Some(Caron)),
        'ď' => ('d', Some(Caron)),
        'ě' => ('e', Some(Caron)),
        'ň' => ('n', Some(Caron)),
        'ř' => ('r', Some(Caron)),
        'š' => ('s', Some(Caron)),
        'ť' => ('t', Some(Caron)),
        'ž' => ('z', Some(Caron)),
        'Á' => ('A', Some(Acute)),
        'É' => ('E', Some(Acute)),
        'Í' => ('I', Some(Acute)),
        'Ó' => ('O', Some(Acute)),
        'Ú' => ('U', Some(Acute)),
        'Ý' => ('Y', Some(Acute)),
        'Ů' => ('U', Some(Ring)),
        'Č' => ('C', Some(Caron)),
        'Ď' => ('D', Some(Caron)),
        'Ě' => ('E', Some(Caron)),
        'Ň' => ('N', Some(Caron)),
        'Ř' => ('R', Some(Caron)),
        'Š' => ('S', Some(Caron)),
        'Ť' => ('T', Some(Caron)),
        'Ž' => ('Z', Some(Caron)),
        '–' | '—' => ('–', None),
        other => (other, None),
    }
}

fn glyph(c: char) -> &'static str {
    GLYPHS
        .iter()
        .find(|(g, _)| *g == c)
        .map(|(_, rows)| *rows)
        .unwrap_or_else(|| glyph('?'))
}

/// The lit pixels of one character, as (column, row) in the cell (row 0 = top of the accent area).
pub fn char_pixels(c: char) -> Vec<(u32, u32)> {
    let (base, accent) = decompose(c);
    let rows = glyph(base);
    let mut out = Vec::new();
    let mut top_used = false;
    for (r, row) in rows.split('|').enumerate() {
        for (col, ch) in row.chars().enumerate() {
            if ch == '#' {
                out.push((col as u32, r as u32 + ACCENT_ROWS as u32));
                top_used |= r < 2;
            }
        }
    }
    if let Some(a) = accent {
        // Above the cap line for capitals and ascenders, above the x-height otherwise.
        let first = if top_used { 0 } else { ACCENT_ROWS as u32 };
        for (r, row) in accent_rows(a).iter().enumerate() {
            for (col, ch) in row.chars().enumerate() {
                if ch == '#' {
                    out.push((col as u32, first + r as u32));
                }
            }
        }
    }
    out
}

/// Width in screen pixels of `text` at `scale`.
pub fn text_width(text: &str, scale: u32) -> u32 {
    (text.chars().count() as u32 * CELL_W).saturating_sub(1) * scale
}

/// Height in screen pixels of one line at `scale`.
pub fn line_height(scale: u32) -> u32 {
    CELL_H * scale
}

/// Draws `text` with its cell's top-left at (x, y), calling `plot(x, y)` for every lit screen pixel.
pub fn draw_text(text: &str, x: i64, y: i64, scale: u32, mut plot: impl FnMut(i64, i64)) {
    let s = i64::from(scale);
    for (i, c) in text.chars().enumerate() {
        let cx = x + i as i64 * i64::from(CELL_W) * s;
        for (px, py) in char_pixels(c) {
            for dy in 0..s {
                for dx in 0..s {
                    plot(cx + i64::from(px) * s + dx, y + i64::from(py) * s + dy);
                }
            }
        }
    }
}

/// Shortens `text` with "…" ("..") so it fits `max_px` at `scale`.
pub fn fit(text: &str, max_px: u32, scale: u32) -> String {
    if text_width(text, scale) <= max_px {
        return text.to_owned();
    }
    let max_chars = (max_px / scale / CELL_W) as usize;
    let mut s: String = text.chars().take(max_chars.saturating_sub(2)).collect();
    s.push_str("..");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_czech_letter_has_a_glyph_with_its_accent() {
        let question = char_pixels('?');
        for c in "áéíóúýůčďěňřšťžÁÉÍÓÚÝŮČĎĚŇŘŠŤŽ".chars() {
            let px = char_pixels(c);
            assert_ne!(px, question, "{c}");
            let (base, _) = decompose(c);
            assert!(px.len() > char_pixels(base).len(), "{c} has an accent");
        }
        for c in "Podpis klienta Vymazat Zrušit OK 0123456789".chars() {
            assert!(c == ' ' || char_pixels(c) != question || c == '?', "{c}");
        }
    }

    #[test]
    fn glyph_rows_are_five_wide() {
        for (c, rows) in GLYPHS {
            for row in rows.split('|').filter(|r| !r.is_empty()) {
                assert_eq!(row.chars().count(), 5, "{c}");
            }
            assert!(rows.split('|').count() <= 9, "{c}");
        }
    }
}
