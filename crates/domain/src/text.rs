//! Validation of free text arriving from outside (forms, files, CLI).
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    #[error("不能为空")]
    Empty,
    #[error("过长（最多 {max} 个字符）")]
    TooLong { max: usize },
    #[error("包含无效字符（须为 UTF-8 文本）")]
    Invalid,
}

/// Trims and checks a required single-line field: non-empty, at most `max` characters,
/// valid UTF-8 (a U+FFFD left by lossy decoding counts as invalid) and no control characters.
pub fn required(raw: &str, max: usize) -> Result<String, TextError> {
    let v = optional(raw, max)?;
    if v.is_empty() {
        Err(TextError::Empty)
    } else {
        Ok(v)
    }
}

/// Like [`required`] but an empty value is allowed.
pub fn optional(raw: &str, max: usize) -> Result<String, TextError> {
    let v = raw.trim();
    if v.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    if v.chars()
        .any(|c| c == '\u{FFFD}' || (c.is_control() && c != '\t'))
    {
        return Err(TextError::Invalid);
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn rules() {
        assert_eq!(required("  督办 ", 10).unwrap(), "督办");
        assert_eq!(required(" ", 10), Err(TextError::Empty));
        assert_eq!(required("一二三", 2), Err(TextError::TooLong { max: 2 }));
        assert_eq!(required("a\u{FFFD}b", 10), Err(TextError::Invalid));
        assert_eq!(required("a\u{0}b", 10), Err(TextError::Invalid));
        assert_eq!(optional("", 3).unwrap(), "");
    }
}
