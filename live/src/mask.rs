//! Phone numbers in logs are masked: `+815012341111` is logged as `+8150****1111`.

/// Keeps the `+`, up to four leading digits (country code and leading digits) and the last four,
/// and replaces the rest with `*`; at least a third of the digits is always hidden, so shorter
/// numbers show less; text
/// that is not a phone number shows only its last two characters.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let digits_only = phone
        .strip_prefix('+')
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    if !digits_only {
        let n = chars.len();
        if n <= 2 {
            return "*".repeat(n);
        }
        let tail: String = chars[n - 2..].iter().collect();
        return format!("{}{tail}", "*".repeat(n - 2));
    }
    let digits = &chars[1..];
    let n = digits.len();
    let hidden_min = n.div_ceil(3).max(1);
    let visible = n.saturating_sub(hidden_min);
    let tail = 4.min(visible - visible / 2);
    let lead = 4.min(visible - tail);
    let mut out = String::with_capacity(n + 1);
    out.push('+');
    out.extend(&digits[..lead]);
    out.extend(std::iter::repeat_n('*', n - lead - tail));
    out.extend(&digits[n - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_the_middle() {
        assert_eq!(mask_phone("+815012341111"), "+8150****1111");
        assert_eq!(mask_phone("+14155550100"), "+141****0100");
        assert_eq!(mask_phone("+442071234567"), "+4420****4567");
        assert_eq!(mask_phone("+4420712345678"), "+4420*****5678");
        // Short numbers still hide a third or more.
        assert_eq!(mask_phone("+12345678"), "+12***678");
        assert_eq!(mask_phone("+1"), "+*");
    }

    #[test]
    fn non_numbers_show_only_their_end() {
        assert_eq!(mask_phone("415-555-0101"), "**********01");
        assert_eq!(mask_phone(""), "");
        assert_eq!(mask_phone("ab"), "**");
    }
}
