//! Time as the commands read and write it: RFC 3339 instants, durations such as `30d`,
//! and how far away an instant is ("expires in 5 days").

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;

use crate::error::UsageError;

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Now, in unix seconds.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
        })
}

/// Reads `--at`: an RFC 3339 time, as unix seconds.
pub(crate) fn parse_time(text: &str) -> Result<u64, UsageError> {
    let time = time::OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| UsageError(format!("--at {text:?} is not an RFC 3339 time ({e})")))?;
    u64::try_from(time.unix_timestamp())
        .map_err(|_| UsageError(format!("--at {text:?} is before 1970")))
}

/// RFC 3339 text of a unix time (UTC), or the number if it is out of range.
pub(crate) fn format_time(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| seconds.to_string())
}

/// Reads a duration given on the command line: a whole number and one unit, `ms`, `s`,
/// `m`, `h` or `d` (`30d`, `12h`, `500ms`). A clap value parser, so that a bad value is
/// a usage error that names the option.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a number followed by ms, s, m, h or d"))?;
    let millis_per_unit: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "" => {
            return Err(format!(
                "{text:?} has no unit: add ms, s, m, h or d (e.g. 30d)"
            ))
        }
        _ => return Err(format!("{text:?}: the unit must be ms, s, m, h or d")),
    };
    number
        .checked_mul(millis_per_unit)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("{text:?} is too long"))
}

/// A duration as it was most likely written: `30d`, `12h`, `2s`, `500ms`.
pub(crate) fn format_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
    ]
    .into_iter()
    .find(|(unit, _)| millis > 0 && millis / unit * unit == millis)
    .map_or_else(
        || format!("{millis}ms"),
        |(unit, name)| format!("{}{name}", millis / unit),
    )
}

/// Whole days left in `seconds_left`, rounded down: 4 for 4 days 23 hours, -1 for an
/// hour ago, so that it is negative exactly when the time has passed.
pub(crate) fn whole_days(seconds_left: i64) -> i64 {
    seconds_left.div_euclid(DAY)
}

/// When an instant `seconds_left` from now is, in words, by the largest whole unit:
/// "expires in 5 days", "expires in 3 hours", "expired 2 days ago".
pub(crate) fn expiry_phrase(seconds_left: i64) -> String {
    let span = seconds_left.unsigned_abs();
    let (count, unit) = [(DAY, "day"), (HOUR, "hour"), (MINUTE, "minute")]
        .into_iter()
        .map(|(size, unit)| (span / size.unsigned_abs(), unit))
        .find(|(count, _)| *count > 0)
        .unwrap_or((span, "second"));
    let plural = if count == 1 { "" } else { "s" };
    if seconds_left < 0 {
        format!("expired {count} {unit}{plural} ago")
    } else {
        format!("expires in {count} {unit}{plural}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(12 * 3_600)));
        assert_eq!(parse_duration("90m"), Ok(Duration::from_secs(90 * 60)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("0d"), Ok(Duration::ZERO));
        for bad in ["30", "d", "-1d", "1.5d", "30 d", "3w", ""] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(Duration::from_secs(30 * 86_400)), "30d");
        assert_eq!(format_duration(Duration::from_millis(1_500)), "1500ms");
        assert_eq!(format_duration(Duration::from_secs(90 * 60)), "90m");
    }

    #[test]
    fn phrases_use_the_largest_whole_unit() {
        assert_eq!(expiry_phrase(5 * DAY + HOUR), "expires in 5 days");
        assert_eq!(expiry_phrase(DAY - 1), "expires in 23 hours");
        assert_eq!(expiry_phrase(-DAY), "expired 1 day ago");
        assert_eq!(expiry_phrase(-90), "expired 1 minute ago");
        assert_eq!(expiry_phrase(0), "expires in 0 seconds");
        assert_eq!(whole_days(-DAY - 5), -2);
        assert_eq!(whole_days(-5), -1);
        assert_eq!(whole_days(0), 0);
        assert_eq!(whole_days(5 * DAY - 1), 4);
    }
}
