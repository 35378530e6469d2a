//! Time for the Art. 14 deadlines: everything is UTC, written as RFC 3339 with whole seconds
//! (`2026-12-02T09:30:00Z`), and "one calendar month" clamps to the end of a shorter month
//! (31 January + 1 month = 28 or 29 February).

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

/// Formats `t` in UTC as RFC 3339 with whole seconds: `2026-12-02T09:30:00Z`.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses an RFC 3339 date and time (any offset; converted to UTC, sub-seconds dropped).
/// A bare date (`2026-12-01`) is refused: a deadline 24 hours later needs the hour.
pub fn parse(s: &str) -> Result<OffsetDateTime, String> {
    let t = OffsetDateTime::parse(s.trim(), &Rfc3339).map_err(|_| {
        if crate::policy::parse_date(s.trim()).is_some() {
            format!("`{s}` is a date without a time: write it as `{}T09:30:00Z` (UTC) or with an offset like `+01:00`", s.trim())
        } else {
            format!("`{s}` is not an RFC 3339 date and time like `2026-12-01T09:30:00Z`")
        }
    })?;
    let t = t.to_offset(UtcOffset::UTC);
    Ok(t.replace_nanosecond(0).unwrap_or(t))
}

/// `t` plus one calendar month, the day clamped to the length of the next month (for the
/// final report on an incident, CRA Art. 14(4)(c)).
pub fn add_month(t: OffsetDateTime) -> OffsetDateTime {
    let (y, m) = match t.month() {
        time::Month::December => (t.year() + 1, time::Month::January),
        m => (t.year(), m.next()),
    };
    let day = t.day().min(m.length(y));
    let date = time::Date::from_calendar_date(y, m, day).unwrap_or(t.date());
    t.replace_date(date)
}

/// `d` as people read it: `2 d 3 h`, `5 h 30 min`, `12 min`, `45 s`.
pub fn human(d: Duration) -> String {
    let secs = d.whole_seconds().unsigned_abs();
    let (days, hours, mins) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    if days > 0 {
        if hours > 0 {
            format!("{days} d {hours} h")
        } else {
            format!("{days} d")
        }
    } else if hours > 0 {
        if mins > 0 {
            format!("{hours} h {mins} min")
        } else {
            format!("{hours} h")
        }
    } else if mins > 0 {
        format!("{mins} min")
    } else {
        format!("{secs} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn month_end_is_clamped() {
        assert_eq!(
            add_month(datetime!(2027-01-31 10:00 UTC)),
            datetime!(2027-02-28 10:00 UTC)
        );
        assert_eq!(
            add_month(datetime!(2028-01-31 10:00 UTC)),
            datetime!(2028-02-29 10:00 UTC)
        );
        assert_eq!(
            add_month(datetime!(2026-12-15 08:00 UTC)),
            datetime!(2027-01-15 08:00 UTC)
        );
        assert_eq!(
            add_month(datetime!(2027-03-31 00:00 UTC)),
            datetime!(2027-04-30 00:00 UTC)
        );
    }

    #[test]
    fn parses_offsets_to_utc() {
        let t = parse("2026-12-01T10:30:00+01:00").unwrap();
        assert_eq!(rfc3339(t), "2026-12-01T09:30:00Z");
        assert_eq!(
            rfc3339(parse("2026-12-01T09:30:00.123Z").unwrap()),
            "2026-12-01T09:30:00Z"
        );
        assert!(parse("2026-12-01").unwrap_err().contains("without a time"));
        assert!(parse("yesterday").is_err());
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(Duration::minutes(330)), "5 h 30 min");
        assert_eq!(human(Duration::hours(-51)), "2 d 3 h");
        assert_eq!(human(Duration::seconds(45)), "45 s");
    }
}
