//! Numbers the Dutch way, as SBB's pages print them: `7,4`, `3.631`, `11% (3.631 van 32.537)`.

/// An integer with `.` as thousands separator: 32537 → `32.537`.
pub fn thousands_nl(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// `x` rounded to `decimals` digits the way Dutch reports round: a half goes up, away from zero
/// (7,25 → 7,3; −2,5 → −3), also where the binary value of a decimal half lies just below it
/// (2,675 is stored as 2,67499…). Rust's `{:.1}` rounds the binary value half to even instead.
pub fn round_half_up(x: f64, decimals: u32) -> f64 {
    let scale = 10f64.powi(i32::try_from(decimals).unwrap_or(i32::MAX));
    let scaled = x * scale;
    // Far below any real distance from a half (figures are ratios of counts below 10¹²), far
    // above the error of a product or quotient of doubles.
    let nudge = (scaled.abs() + 1.0) * 1e-12;
    (scaled + nudge.copysign(scaled)).round() / scale
}

/// A number with `decimals` digits after a decimal comma, rounded half up: 7.44 → `7,4`,
/// 7.25 → `7,3`.
pub fn decimal_nl(x: f64, decimals: usize) -> String {
    let rounded = round_half_up(x, u32::try_from(decimals).unwrap_or(u32::MAX));
    format!("{rounded:.decimals$}").replace('.', ",")
}

/// The response line: `11% (3.631 van 32.537)`; `—` when nobody was invited.
pub fn response_line(responded: u64, invited: u64) -> String {
    if invited == 0 {
        return "—".to_owned();
    }
    let pct = round_half_up(responded as f64 * 100.0 / invited as f64, 0);
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

    #[test]
    fn halves_round_up_as_dutch_reports_do() {
        // Exact halves in binary…
        assert_eq!(decimal_nl(7.25, 1), "7,3");
        assert_eq!(decimal_nl(7.75, 1), "7,8");
        assert_eq!(decimal_nl(0.125, 2), "0,13");
        // …and decimal halves stored just below (2,675 = 2,67499… as a double), as means give them.
        assert_eq!(decimal_nl(2.675, 2), "2,68");
        assert_eq!(decimal_nl(107.0 / 40.0, 2), "2,68");
        assert_eq!(decimal_nl(7.35, 1), "7,4");
        assert_eq!(decimal_nl(29.0 / 4.0, 1), "7,3");
        // Not halves: unchanged.
        assert_eq!(decimal_nl(7.2499, 1), "7,2");
        assert_eq!(decimal_nl(7.0, 1), "7,0");
        // Away from zero below zero (median delays can be negative).
        assert_eq!(decimal_nl(-2.5, 0), "-3");
        assert_eq!(round_half_up(-0.25, 1), -0.3);
        // Percentages: 1 of 8 is 12,5 % → 13 %; 29 of 200 is 14,5 % → 15 %.
        assert_eq!(response_line(1, 8), "13% (1 van 8)");
        assert_eq!(response_line(29, 200), "15% (29 van 200)");
        assert_eq!(round_half_up(100.0 / 16.0, 1), 6.3);
    }
}
