//! Layout: turns the document's blocks into positioned marks on A4 pages.
//!
//! Text is broken into lines greedily at spaces (left-aligned, no
//! justification, no hyphenation). Czech typesetting rules are kept: a
//! one-letter preposition or conjunction (v, k, s, z, o, u, a, i) and `§`
//! stay on the line of the word after them, a dash stays on the line of the
//! word before it. A word wider than the line is broken between characters.
//!
//! Each line becomes an item with a height; the paginator stacks items down
//! the page and starts a new page when one does not fit. Headings keep with
//! the text after them, a paragraph's first line keeps with its second
//! (no orphans), its last line keeps with the one before (no widows), and a
//! table row is not split across pages. Page header and footer ("Strana N
//! z M") are added when the page count is known.

use std::collections::VecDeque;

use crate::document::{Block, HeadingLevel, ListStyle, Margins};
use crate::error::ComposeError;
use crate::font::{FontId, Fonts};

/// A4 width in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
/// A4 height in points.
pub(crate) const PAGE_HEIGHT: f32 = 841.89;

/// Small tolerance for comparing widths and heights in points.
const EPSILON: f32 = 0.01;

/// An RGB colour, components 0–1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Color(pub f32, pub f32, pub f32);

const TEXT: Color = Color(0.1, 0.1, 0.1);
const ACCENT: Color = Color(0.0, 0.27, 0.53);
const MUTED: Color = Color(0.38, 0.38, 0.38);
const RULE: Color = Color(0.7, 0.7, 0.7);
const SHADE: Color = Color(0.925, 0.94, 0.96);

/// Font, size, line height and colour of one kind of text.
#[derive(Debug, Clone, Copy)]
struct Style {
    font: FontId,
    size: f32,
    leading: f32,
    color: Color,
}

const BODY: Style = Style {
    font: FontId::Regular,
    size: 9.5,
    leading: 13.2,
    color: TEXT,
};
const BODY_BOLD: Style = Style {
    font: FontId::Bold,
    ..BODY
};
const H1: Style = Style {
    font: FontId::Bold,
    size: 16.0,
    leading: 20.5,
    color: ACCENT,
};
const H2: Style = Style {
    font: FontId::Bold,
    size: 11.5,
    leading: 15.0,
    color: ACCENT,
};
const ARTICLE: Style = Style {
    font: FontId::Bold,
    size: 10.5,
    leading: 14.0,
    color: ACCENT,
};
const TABLE_KEY: Style = Style {
    font: FontId::Bold,
    size: 9.0,
    leading: 12.2,
    color: TEXT,
};
const TABLE_VALUE: Style = Style {
    font: FontId::Regular,
    ..TABLE_KEY
};
const RUNNING: Style = Style {
    font: FontId::Regular,
    size: 7.5,
    leading: 10.0,
    color: MUTED,
};

/// Space above a paragraph.
const PARAGRAPH_GAP: f32 = 5.0;
/// Space above a clause.
const CLAUSE_GAP: f32 = 4.5;
/// Space above a list item.
const LIST_GAP: f32 = 2.0;
/// Space above a list (its first item).
const LIST_FIRST_GAP: f32 = 3.0;
/// Indent of a clause's text after its number.
const CLAUSE_INDENT: f32 = 30.0;
/// Gap between a clause number and its text when the number is wider.
const NUMBER_GAP: f32 = 6.0;
/// Where list markers stand (aligned with clause text).
const LIST_INDENT: f32 = CLAUSE_INDENT;
/// Indent of list item text after the marker.
const LIST_TEXT_INDENT: f32 = 14.0;
/// Cell padding in tables.
const CELL_PAD_X: f32 = 6.0;
const CELL_PAD_Y: f32 = 3.5;
/// The key column's share of a table's width.
const KEY_SHARE: f32 = 0.34;
/// Longest chain of items kept together on one page.
const MAX_KEEP_CHAIN: usize = 12;

/// A line of text at a position (baseline), in one font.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextRun {
    pub font: FontId,
    pub size: f32,
    pub x: f32,
    pub y: f32,
    pub color: Color,
    pub text: String,
}

/// Something drawn on a page. Coordinates are PDF points from the page's
/// lower-left corner (inside an [`Item`]: `y` counts down from its top).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mark {
    /// Text.
    Text(TextRun),
    /// A horizontal rule from `x1` to `x2` at height `y`.
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
        color: Color,
    },
    /// A filled rectangle whose top edge is at `y`.
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Color,
    },
}

impl Mark {
    /// The mark moved from item coordinates (`y` down from the item's top)
    /// to the page, the item's top being at `top`.
    fn placed(mut self, top: f32) -> Mark {
        match &mut self {
            Mark::Text(run) => run.y = top - run.y,
            Mark::Rule { y, .. } | Mark::Fill { y, .. } => *y = top - *y,
        }
        self
    }
}

/// One page's marks.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Page {
    pub marks: Vec<Mark>,
}

/// A unit the paginator places whole: usually one line.
#[derive(Debug, Clone)]
struct Item {
    space_before: f32,
    height: f32,
    keep_with_next: bool,
    marks: Vec<Mark>,
}

/// What the paginator stacks.
#[derive(Debug, Clone)]
enum Flow {
    Item(Item),
    PageBreak,
}

/// The text area of a page.
#[derive(Debug, Clone, Copy)]
struct Frame {
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
}

impl Frame {
    fn width(&self) -> f32 {
        self.right - self.left
    }
}

/// Page furniture: what is repeated on every page.
pub(crate) struct Furniture<'a> {
    pub header: Option<&'a str>,
    pub footer: Option<&'a str>,
}

/// Lays out `blocks` on A4 pages within `margins`, adding the page header
/// and footer. Always at least one page; at most `max_pages`.
pub(crate) fn compose(
    fonts: &Fonts,
    blocks: &[Block],
    margins: Margins,
    furniture: &Furniture<'_>,
    max_pages: usize,
) -> Result<Vec<Page>, ComposeError> {
    let frame = frame(margins)?;
    let mut flow = Vec::new();
    for block in blocks {
        lay_block(fonts, frame, block, &mut flow)?;
    }
    let mut pages = paginate(frame, &flow, max_pages)?;
    let total = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        add_furniture(fonts, frame, furniture, i + 1, total, page)?;
    }
    Ok(pages)
}

/// The text frame of `margins`, or an error when they leave no sensible
/// room (header and footer need 40 pt above and below).
fn frame(m: Margins) -> Result<Frame, ComposeError> {
    let values = [m.top, m.right, m.bottom, m.left];
    let ok = values.iter().all(|v| v.is_finite())
        && m.top >= 40.0
        && m.bottom >= 40.0
        && m.left >= 10.0
        && m.right >= 10.0
        && PAGE_WIDTH - m.left - m.right >= 100.0
        && PAGE_HEIGHT - m.top - m.bottom >= 100.0;
    if !ok {
        return Err(ComposeError::InvalidMargins(format!(
            "(top {}, right {}, bottom {}, left {})",
            m.top, m.right, m.bottom, m.left
        )));
    }
    Ok(Frame {
        left: m.left,
        right: PAGE_WIDTH - m.right,
        top: PAGE_HEIGHT - m.top,
        bottom: m.bottom,
    })
}

/// Offset of the baseline below the top of a line of `style`.
fn baseline(style: Style) -> f32 {
    (style.leading - style.size) / 2.0 + 0.78 * style.size
}

fn run(style: Style, x: f32, y_top: f32, text: String) -> Mark {
    Mark::Text(TextRun {
        font: style.font,
        size: style.size,
        x,
        y: y_top + baseline(style),
        color: style.color,
        text,
    })
}

/// Appends the items of one block.
fn lay_block(
    fonts: &Fonts,
    frame: Frame,
    block: &Block,
    flow: &mut Vec<Flow>,
) -> Result<(), ComposeError> {
    match block {
        Block::Heading(level, text) => {
            let (style, before, after) = match level {
                HeadingLevel::H1 => (H1, 16.0, 6.0),
                HeadingLevel::H2 => (H2, 12.0, 3.0),
            };
            let lines = wrap(fonts, style, text, frame.width())?;
            let look = HeadingLook {
                style,
                before,
                after,
                centred: false,
            };
            push_heading(flow, frame, look, &lines);
        }
        Block::Paragraph(text) => {
            let lines = wrap(fonts, BODY, text, frame.width())?;
            push_text(flow, BODY, &lines, frame.left, PARAGRAPH_GAP, None);
        }
        Block::Article { number, title } => {
            // "Článek N" and the title, centred on two lines.
            let label = wrap(fonts, ARTICLE, &format!("Článek {number}"), frame.width())?;
            let look = HeadingLook {
                style: ARTICLE,
                before: 14.0,
                after: 0.0,
                centred: true,
            };
            push_heading(flow, frame, look, &label);
            let title = wrap(fonts, ARTICLE, title, frame.width())?;
            let look = HeadingLook {
                before: 0.0,
                after: 3.0,
                ..look
            };
            push_heading(flow, frame, look, &title);
        }
        Block::Clause { number, text } => {
            let number_width = fonts.get(BODY_BOLD.font).width(number, BODY_BOLD.size)?;
            let indent = CLAUSE_INDENT.max(number_width + NUMBER_GAP);
            let lines = wrap(fonts, BODY, text, frame.width() - indent)?;
            let marker = run(BODY_BOLD, frame.left, 0.0, number.clone());
            push_text(
                flow,
                BODY,
                &lines,
                frame.left + indent,
                CLAUSE_GAP,
                Some(marker),
            );
        }
        Block::List { style, items } => {
            let marker_x = frame.left + LIST_INDENT;
            for (i, item) in items.iter().enumerate() {
                let marker = match style {
                    ListStyle::Bullet => "•".to_string(),
                    ListStyle::Letters => letter_marker(i),
                };
                let marker_width = fonts.get(BODY.font).width(&marker, BODY.size)?;
                let indent = LIST_TEXT_INDENT.max(marker_width + 4.0);
                let text_x = marker_x + indent;
                let lines = wrap(fonts, BODY, item, frame.right - text_x)?;
                let gap = if i == 0 { LIST_FIRST_GAP } else { LIST_GAP };
                let marker = run(BODY, marker_x, 0.0, marker);
                push_text(flow, BODY, &lines, text_x, gap, Some(marker));
            }
        }
        Block::Table(rows) => lay_table(fonts, frame, rows, flow)?,
        Block::PageBreak => flow.push(Flow::PageBreak),
    }
    Ok(())
}

/// `a)`, `b)`, … `z)`, then `27)`, `28)`, …
fn letter_marker(i: usize) -> String {
    match u8::try_from(i) {
        Ok(n) if n < 26 => format!("{})", char::from(b'a' + n)),
        _ => format!("{})", i + 1),
    }
}

/// How a heading's lines are set.
#[derive(Debug, Clone, Copy)]
struct HeadingLook {
    style: Style,
    /// Space above the first line.
    before: f32,
    /// Space below the last line.
    after: f32,
    /// Centred on the text frame, or at its left edge.
    centred: bool,
}

/// Heading lines: each kept with what follows, so a heading never ends a
/// page.
fn push_heading(flow: &mut Vec<Flow>, frame: Frame, look: HeadingLook, lines: &[Line]) {
    let count = lines.len();
    for (i, line) in lines.iter().enumerate() {
        let x = if look.centred {
            frame.left + (frame.width() - line.width) / 2.0
        } else {
            frame.left
        };
        let extra = if i + 1 == count { look.after } else { 0.0 };
        flow.push(Flow::Item(Item {
            space_before: if i == 0 { look.before } else { 0.0 },
            height: look.style.leading + extra,
            keep_with_next: true,
            marks: vec![run(look.style, x, 0.0, line.text.clone())],
        }));
    }
}

/// Body lines with widow and orphan control; `marker` (a clause number or
/// list bullet, positioned in item coordinates) goes on the first line.
fn push_text(
    flow: &mut Vec<Flow>,
    style: Style,
    lines: &[Line],
    x: f32,
    before: f32,
    marker: Option<Mark>,
) {
    let count = lines.len();
    let mut marker = marker;
    if count == 0 {
        // A clause or list item with no text still shows its marker.
        if let Some(m) = marker.take() {
            flow.push(Flow::Item(Item {
                space_before: before,
                height: style.leading,
                keep_with_next: false,
                marks: vec![m],
            }));
        }
        return;
    }
    for (i, line) in lines.iter().enumerate() {
        let mut marks = Vec::with_capacity(2);
        if let Some(m) = marker.take() {
            marks.push(m);
        }
        marks.push(run(style, x, 0.0, line.text.clone()));
        // Line i keeps with line i+1 when i is the first of two or more
        // lines (no orphan) or the last but one of three or more (no widow).
        let keep = (i == 0 && count >= 2) || (count >= 3 && i + 2 == count);
        flow.push(Flow::Item(Item {
            space_before: if i == 0 { before } else { 0.0 },
            height: style.leading,
            keep_with_next: keep,
            marks,
        }));
    }
}

/// A two-column key/value table: one item per line of a row, the lines of a
/// row kept together; the key column shaded, rules between rows.
fn lay_table(
    fonts: &Fonts,
    frame: Frame,
    rows: &[(String, String)],
    flow: &mut Vec<Flow>,
) -> Result<(), ComposeError> {
    let key_width = frame.width() * KEY_SHARE;
    let value_x = frame.left + key_width;
    let key_text = key_width - 2.0 * CELL_PAD_X;
    let value_text = frame.width() - key_width - 2.0 * CELL_PAD_X;
    let row_count = rows.len();
    for (r, (key, value)) in rows.iter().enumerate() {
        let keys = wrap(fonts, TABLE_KEY, key, key_text)?;
        let values = wrap(fonts, TABLE_VALUE, value, value_text)?;
        let lines = keys.len().max(values.len()).max(1);
        for i in 0..lines {
            let first = i == 0;
            let last = i + 1 == lines;
            let top_pad = if first { CELL_PAD_Y } else { 0.0 };
            let height = TABLE_KEY.leading + top_pad + if last { CELL_PAD_Y } else { 0.0 };
            let mut marks = vec![Mark::Fill {
                x: frame.left,
                y: 0.0,
                w: key_width,
                h: height,
                color: SHADE,
            }];
            if first {
                marks.push(Mark::Rule {
                    x1: frame.left,
                    x2: frame.right,
                    y: 0.0,
                    width: 0.5,
                    color: RULE,
                });
            }
            if last && r + 1 == row_count {
                marks.push(Mark::Rule {
                    x1: frame.left,
                    x2: frame.right,
                    y: height,
                    width: 0.5,
                    color: RULE,
                });
            }
            if let Some(k) = keys.get(i) {
                marks.push(run(
                    TABLE_KEY,
                    frame.left + CELL_PAD_X,
                    top_pad,
                    k.text.clone(),
                ));
            }
            if let Some(v) = values.get(i) {
                marks.push(run(
                    TABLE_VALUE,
                    value_x + CELL_PAD_X,
                    top_pad,
                    v.text.clone(),
                ));
            }
            flow.push(Flow::Item(Item {
                space_before: if r == 0 && first { 8.0 } else { 0.0 },
                height,
                keep_with_next: !last,
                marks,
            }));
        }
    }
    Ok(())
}

/// Stacks the items on pages.
fn paginate(frame: Frame, flow: &[Flow], max_pages: usize) -> Result<Vec<Page>, ComposeError> {
    let body_height = frame.top - frame.bottom;
    let mut pages = vec![Page::default()];
    let mut y = frame.top;
    let mut at_top = true;
    // A page break takes effect when something follows it, so a break at
    // the end (or several in a row) never leaves an empty page.
    let mut break_pending = false;
    let new_page = |pages: &mut Vec<Page>| -> Result<(), ComposeError> {
        if pages.len() >= max_pages {
            return Err(ComposeError::TooManyPages { max: max_pages });
        }
        pages.push(Page::default());
        Ok(())
    };
    for (i, entry) in flow.iter().enumerate() {
        let item = match entry {
            Flow::PageBreak => {
                break_pending = !at_top;
                continue;
            }
            Flow::Item(item) => item,
        };
        if break_pending {
            new_page(&mut pages)?;
            y = frame.top;
            at_top = true;
            break_pending = false;
        }
        let before = if at_top { 0.0 } else { item.space_before };
        let mut needed = before + item.height + kept_height(flow, i);
        if needed > body_height {
            needed = before + item.height;
        }
        let mut top = y - before;
        if !at_top && y - needed < frame.bottom - EPSILON {
            new_page(&mut pages)?;
            top = frame.top;
        }
        let page = pages
            .last_mut()
            .ok_or(ComposeError::TooManyPages { max: max_pages })?;
        page.marks
            .extend(item.marks.iter().cloned().map(|m| m.placed(top)));
        y = top - item.height;
        at_top = false;
    }
    Ok(pages)
}

/// Height of the items that must share a page with item `i` (those after
/// it while each one before keeps with the next).
fn kept_height(flow: &[Flow], i: usize) -> f32 {
    let mut total = 0.0;
    let mut j = i;
    while let Some(Flow::Item(current)) = flow.get(j) {
        if !current.keep_with_next || j - i >= MAX_KEEP_CHAIN {
            break;
        }
        match flow.get(j + 1) {
            Some(Flow::Item(next)) => total += next.space_before + next.height,
            _ => break,
        }
        j += 1;
    }
    total
}

/// Header line (with a rule under it) and footer (rule, text, page number).
fn add_furniture(
    fonts: &Fonts,
    frame: Frame,
    furniture: &Furniture<'_>,
    number: usize,
    total: usize,
    page: &mut Page,
) -> Result<(), ComposeError> {
    let font = fonts.get(RUNNING.font);
    if let Some(header) = furniture.header {
        let baseline = frame.top + 26.0;
        let text = fit(fonts, RUNNING, header, frame.width())?;
        page.marks.push(Mark::Text(TextRun {
            font: RUNNING.font,
            size: RUNNING.size,
            x: frame.left,
            y: baseline,
            color: RUNNING.color,
            text,
        }));
        page.marks.push(Mark::Rule {
            x1: frame.left,
            x2: frame.right,
            y: baseline - 6.0,
            width: 0.5,
            color: RULE,
        });
    }
    let rule_y = frame.bottom - 18.0;
    let baseline = rule_y - 12.0;
    page.marks.push(Mark::Rule {
        x1: frame.left,
        x2: frame.right,
        y: rule_y,
        width: 0.5,
        color: RULE,
    });
    let page_label = format!("Strana {number} z {total}");
    let label_width = font.width(&page_label, RUNNING.size)?;
    page.marks.push(Mark::Text(TextRun {
        font: RUNNING.font,
        size: RUNNING.size,
        x: frame.right - label_width,
        y: baseline,
        color: RUNNING.color,
        text: page_label,
    }));
    if let Some(footer) = furniture.footer {
        let room = frame.width() - label_width - 12.0;
        let text = fit(fonts, RUNNING, footer, room)?;
        page.marks.push(Mark::Text(TextRun {
            font: RUNNING.font,
            size: RUNNING.size,
            x: frame.left,
            y: baseline,
            color: RUNNING.color,
            text,
        }));
    }
    Ok(())
}

/// `text` on one line (forced breaks become spaces), cut with `…` when it
/// is wider than `width`.
fn fit(fonts: &Fonts, style: Style, text: &str, width: f32) -> Result<String, ComposeError> {
    let font = fonts.get(style.font);
    let text = without_soft_hyphens(text);
    let one_line = words(&text).collect::<Vec<_>>().join(" ");
    if font.width(&one_line, style.size)? <= width + EPSILON {
        return Ok(one_line);
    }
    let ellipsis_width = font.width("…", style.size)?;
    let mut out = String::new();
    let mut used = 0.0;
    for ch in one_line.chars() {
        let w = font.width(ch.encode_utf8(&mut [0; 4]), style.size)?;
        if used + w + ellipsis_width > width + EPSILON {
            break;
        }
        used += w;
        out.push(ch);
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    Ok(out)
}

/// A broken line and its width in points.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    text: String,
    width: f32,
}

/// The words of `text`: separated by spaces, tabs, carriage returns and
/// line feeds; a no-break space belongs to its word.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split([' ', '\t', '\r', '\n'])
        .filter(|w| !w.is_empty())
}

/// `text` without soft hyphens (U+00AD): the layout does not hyphenate,
/// and the font would draw them as visible hyphens.
fn without_soft_hyphens(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\u{ad}') {
        std::borrow::Cow::Owned(text.replace('\u{ad}', ""))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Abbreviations that stay on the line of what follows them ("č. 89/2012",
/// "odst. 10.2", "písm. d)").
const GLUED_ABBREVIATIONS: &[&str] = &[
    "č.", "čl.", "odst.", "písm.", "tj.", "tzv.", "např.", "str.",
];

/// Whether a line may not end after `word`: Czech one-letter prepositions
/// and conjunctions, the section sign, the abbreviations above, and short
/// numbers, which stay with their unit or with the rest of a date
/// ("30 dnů", "3 %", "1. 1. 2027").
fn glues_to_next(word: &str) -> bool {
    // An opening bracket or quote does not change the rule: "(odst. 10.2)".
    let word = word.trim_start_matches(['(', '[', '„', '"']);
    let mut chars = word.chars();
    let one_letter = matches!(
        (chars.next(), chars.next()),
        (Some(c), None) if "vVkKsSzZoOuUaAiI§".contains(c)
    );
    let number = (!word.is_empty() && word.chars().all(|c| c.is_ascii_digit()))
        || (word.len() <= 3
            && word.len() >= 2
            && word.ends_with('.')
            && word[..word.len() - 1].chars().all(|c| c.is_ascii_digit()));
    one_letter || number || GLUED_ABBREVIATIONS.contains(&word)
}

/// Whether a line may not start with `word` (a dash).
fn glues_to_previous(word: &str) -> bool {
    matches!(word, "–" | "—")
}

/// Breaks `text` into lines of at most `width` points; `\n` forces a break.
fn wrap(fonts: &Fonts, style: Style, text: &str, width: f32) -> Result<Vec<Line>, ComposeError> {
    let font = fonts.get(style.font);
    let measure = |s: &str| font.width(s, style.size);
    let space = measure(" ")?;
    let mut lines = Vec::new();
    let text = without_soft_hyphens(text);
    for paragraph_line in text.split('\n') {
        // Tokens: words glued by the Czech rules, each a unit for breaking.
        let mut tokens: VecDeque<String> = VecDeque::new();
        let mut previous: Option<&str> = None;
        for word in words(paragraph_line) {
            let glue = previous.is_some_and(glues_to_next) || glues_to_previous(word);
            match tokens.back_mut() {
                Some(last) if glue => {
                    last.push(' ');
                    last.push_str(word);
                }
                _ => tokens.push_back(word.to_string()),
            }
            previous = Some(word);
        }
        let mut current = String::new();
        let mut current_width = 0.0;
        while let Some(token) = tokens.pop_front() {
            let token_width = measure(&token)?;
            if !current.is_empty() && current_width + space + token_width <= width + EPSILON {
                current.push(' ');
                current.push_str(&token);
                current_width += space + token_width;
                continue;
            }
            if !current.is_empty() {
                lines.push(Line {
                    text: std::mem::take(&mut current),
                    width: current_width,
                });
                current_width = 0.0;
            }
            if token_width <= width + EPSILON {
                current = token;
                current_width = token_width;
            } else if token.contains(' ') {
                // A glued group wider than a line: give up the glue.
                for word in token.rsplit(' ') {
                    tokens.push_front(word.to_string());
                }
            } else {
                // One word wider than a line: break it between characters.
                let mut piece = String::new();
                let mut piece_width = 0.0;
                for ch in token.chars() {
                    let w = measure(ch.encode_utf8(&mut [0; 4]))?;
                    if !piece.is_empty() && piece_width + w > width + EPSILON {
                        lines.push(Line {
                            text: std::mem::take(&mut piece),
                            width: piece_width,
                        });
                        piece_width = 0.0;
                    }
                    piece.push(ch);
                    piece_width += w;
                }
                current = piece;
                current_width = piece_width;
            }
        }
        if !current.is_empty() {
            lines.push(Line {
                text: current,
                width: current_width,
            });
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn lines_fit_their_width_and_keep_every_word() {
        let fonts = Fonts::load().unwrap();
        let text = "Pojistitel se zavazuje poskytnout pojistné plnění, nastane-li pojistná událost, a pojistník se zavazuje platit pojistné.";
        let lines = wrap(&fonts, BODY, text, 150.0).unwrap();
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(line.width <= 150.0 + EPSILON, "{line:?}");
        }
        assert_eq!(texts(&lines).join(" "), text);
    }

    #[test]
    fn one_letter_prepositions_stay_with_the_next_word() {
        let fonts = Fonts::load().unwrap();
        // Narrow enough that "v" would end a line without the rule.
        let width = fonts.get(BODY.font).width("Bydliště v", BODY.size).unwrap() + 1.0;
        let lines = wrap(&fonts, BODY, "Bydliště v Praze", width).unwrap();
        assert_eq!(texts(&lines), ["Bydliště", "v Praze"]);
    }

    #[test]
    fn numbers_stay_with_their_unit_and_abbreviations_with_their_number() {
        for word in ["30", "1.", "12.", "č.", "odst.", "(odst.", "§", "v", "(v"] {
            assert!(glues_to_next(word), "{word}");
        }
        for word in ["2027.", "30,", "pojistné", "1a", ""] {
            assert!(!glues_to_next(word), "{word}");
        }
    }

    #[test]
    fn a_dash_stays_with_the_word_before() {
        let fonts = Fonts::load().unwrap();
        let width = fonts
            .get(BODY.font)
            .width("pojistník –", BODY.size)
            .unwrap()
            + 1.0;
        let lines = wrap(&fonts, BODY, "pojistník – osoba", width).unwrap();
        assert_eq!(texts(&lines), ["pojistník –", "osoba"]);
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_between_characters() {
        let fonts = Fonts::load().unwrap();
        let word = "ž".repeat(200);
        let lines = wrap(&fonts, BODY, &format!("a {word} b"), 100.0).unwrap();
        assert!(lines.len() > 3);
        assert_eq!(texts(&lines).concat().replace(' ', ""), format!("a{word}b"));
        for line in &lines {
            assert!(line.width <= 100.0 + EPSILON);
        }
    }

    #[test]
    fn soft_hyphens_are_dropped() {
        let fonts = Fonts::load().unwrap();
        let lines = wrap(&fonts, BODY, "pojist\u{ad}ník", 400.0).unwrap();
        assert_eq!(texts(&lines), ["pojistník"]);
    }

    #[test]
    fn empty_and_blank_text_have_no_lines() {
        let fonts = Fonts::load().unwrap();
        assert!(wrap(&fonts, BODY, "", 100.0).unwrap().is_empty());
        assert!(wrap(&fonts, BODY, "  \t ", 100.0).unwrap().is_empty());
    }

    #[test]
    fn letter_markers() {
        assert_eq!(letter_marker(0), "a)");
        assert_eq!(letter_marker(25), "z)");
        assert_eq!(letter_marker(26), "27)");
    }
}
