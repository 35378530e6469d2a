//! Byte counting helpers.

/// Number of lines in `text`.
pub fn count_lines(text: &str) -> usize {
    text.lines().count()
}

/// Number of words in `text`.
pub fn count_words(text: &str) -> usize {
    text.split_whitespace().count()
}
