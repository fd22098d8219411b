//! Stored times (Unix milliseconds) as people read them, in UTC and computed here rather
//! than by the browser's locale, so the server-rendered page and the hydrated one say
//! exactly the same thing. Pure.

/// The civil UTC date and time of `ms`: (year, month, day, hour, minute).
fn civil(ms: i64) -> (i64, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    // Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a proleptic
    // Gregorian date, in 400-year eras of 146 097 days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (of_day / 3600) as u32,
        (of_day % 3600 / 60) as u32,
    )
}

/// `2026-03-14 09:26 UTC`.
pub fn utc_label(ms: i64) -> String {
    let (y, mo, d, h, mi) = civil(ms);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC")
}

/// `2026-03-14T09:26Z`, for a `<time datetime>`.
pub fn utc_datetime(ms: i64) -> String {
    let (y, mo, d, h, mi) = civil(ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(utc_label(0), "1970-01-01 00:00 UTC");
        // 2000-02-29 (a leap day in a year divisible by 400), 23:59:59.999.
        assert_eq!(utc_label(951_868_799_999), "2000-02-29 23:59 UTC");
        assert_eq!(utc_label(951_868_800_000), "2000-03-01 00:00 UTC");
        // 2024-12-31 and the new year after it.
        assert_eq!(utc_label(1_735_689_599_000), "2024-12-31 23:59 UTC");
        assert_eq!(utc_label(1_735_689_600_000), "2025-01-01 00:00 UTC");
        assert_eq!(utc_datetime(1_773_480_360_000), "2026-03-14T09:26Z");
        // Before 1970 counts down, not towards zero.
        assert_eq!(utc_label(-1), "1969-12-31 23:59 UTC");
    }

    #[test]
    fn every_day_follows_the_one_before() {
        let mut previous = civil(0);
        for day in 1..(366 * 400) {
            let now = civil(day * 86_400_000);
            let (y, m, d, ..) = previous;
            let next_day = (y, m, d + 1);
            let next_month = (y, m + 1, 1);
            let next_year = (y + 1, 1, 1);
            let got = (now.0, now.1, now.2);
            assert!(
                got == next_day || got == next_month || got == next_year,
                "{previous:?} -> {now:?}"
            );
            assert!((1..=31).contains(&now.2) && (1..=12).contains(&now.1));
            previous = now;
        }
        assert_eq!(civil(366 * 400 * 86_400_000 - 86_400_000).0, 2370);
    }
}
