//! Numbers the Dutch way, as SBB's pages print them: `7,4`, `3.631`, `11% (3.631 van 32.537)`.

/// An integer with `.` as thousands separator: 32537 → `32.537`.
pub fn thousands_nl(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A number with `decimals` digits after a decimal comma: 7.44 → `7,4`.
pub fn decimal_nl(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}").replace('.', ",")
}

/// The response line: `11% (3.631 van 32.537)`; `—` when nobody was invited.
pub fn response_line(responded: u64, invited: u64) -> String {
    if invited == 0 {
        return "—".to_owned();
    }
    let pct = (responded as f64 * 100.0 / invited as f64).round();
    format!("{pct:.0}% ({} van {})", thousands_nl(responded), thousands_nl(invited))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_formatting() {
        assert_eq!(thousands_nl(0), "0");
        assert_eq!(thousands_nl(999), "999");
        assert_eq!(thousands_nl(3631), "3.631");
        assert_eq!(thousands_nl(32537), "32.537");
        assert_eq!(thousands_nl(1_000_000), "1.000.000");
        assert_eq!(decimal_nl(7.44, 1), "7,4");
        assert_eq!(decimal_nl(7.45, 2), "7,45");
        assert_eq!(response_line(3631, 32537), "11% (3.631 van 32.537)");
        assert_eq!(response_line(0, 0), "—");
    }
}
