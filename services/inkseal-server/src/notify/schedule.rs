//! When the next morning is: the e-mail and the SMS go out the calendar day
//! after the backend received the offer, at a set time in Europe/Prague
//! (default 08:00), optionally on the next business day (no weekends, no
//! Czech public holidays). Pure: the receipt time comes in, the due time goes
//! out; daylight-saving changes are the time-zone database's business
//! (chrono-tz), so 08:00 is 08:00 local time in winter and in summer.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Prague;

/// The sending rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Morning {
    /// Local time of day (Europe/Prague).
    pub at: NaiveTime,
    /// Skip Saturdays, Sundays and Czech public holidays.
    pub business_days_only: bool,
}

impl Default for Morning {
    fn default() -> Self {
        Morning {
            at: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
            business_days_only: false,
        }
    }
}

/// Easter Sunday of `year` (Gregorian; the anonymous Gregorian computus).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

/// Whether `day` is a public holiday in Czechia (zákon č. 245/2000 Sb.): the fixed ones, Good
/// Friday and Easter Monday.
pub fn czech_holiday(day: NaiveDate) -> bool {
    const FIXED: [(u32, u32); 11] = [
        (1, 1),
        (5, 1),
        (5, 8),
        (7, 5),
        (7, 6),
        (9, 28),
        (10, 28),
        (11, 17),
        (12, 24),
        (12, 25),
        (12, 26),
    ];
    if FIXED.contains(&(day.month(), day.day())) {
        return true;
    }
    easter_sunday(day.year()).is_some_and(|easter| {
        day == easter - Duration::days(2) || day == easter + Duration::days(1)
    })
}

/// Whether letters go out on `day` under `rule`.
fn sending_day(day: NaiveDate, rule: &Morning) -> bool {
    !rule.business_days_only
        || !(matches!(day.weekday(), Weekday::Sat | Weekday::Sun) || czech_holiday(day))
}

/// The due time for an offer received at `received`.
pub fn due_after(received: DateTime<Utc>, rule: &Morning) -> DateTime<Utc> {
    let mut day = received.with_timezone(&Prague).date_naive();
    // at most a fortnight of holidays and weekends in a row
    for _ in 0..15 {
        day = day.succ_opt().unwrap_or(day);
        if sending_day(day, rule) {
            break;
        }
    }
    let local = day.and_time(rule.at);
    match Prague.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        // the hour that happens twice when clocks go back: the first of them
        chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        // the hour that does not exist when clocks go forward: the same wall time an hour later
        chrono::LocalResult::None => Prague
            .from_local_datetime(&(local + Duration::hours(1)))
            .earliest()
            .map_or(received + Duration::days(1), |t| t.with_timezone(&Utc)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn morning() -> Morning {
        Morning::default()
    }

    #[test]
    fn the_next_morning_is_eight_oclock_prague_time_in_winter_and_in_summer() {
        // winter: UTC+1
        assert_eq!(
            due_after(utc("2026-01-14T15:00:00Z"), &morning()),
            utc("2026-01-15T07:00:00Z")
        );
        // summer: UTC+2
        assert_eq!(
            due_after(utc("2026-07-14T15:00:00Z"), &morning()),
            utc("2026-07-15T06:00:00Z")
        );
        // late in the evening UTC is already the next day in Prague
        assert_eq!(
            due_after(utc("2026-07-14T22:30:00Z"), &morning()),
            utc("2026-07-16T06:00:00Z")
        );
    }

    #[test]
    fn the_morning_after_the_clocks_change_is_still_eight_local() {
        // clocks go forward on Sunday 29 March 2026 at 02:00
        assert_eq!(
            due_after(utc("2026-03-28T12:00:00Z"), &morning()),
            utc("2026-03-29T06:00:00Z")
        );
        // and back on Sunday 25 October 2026 at 03:00
        assert_eq!(
            due_after(utc("2026-10-24T12:00:00Z"), &morning()),
            utc("2026-10-25T07:00:00Z")
        );
        // a sending time inside the skipped hour moves an hour on; inside the doubled hour takes the first
        let at_2_30 = Morning {
            at: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
            business_days_only: false,
        };
        assert_eq!(
            due_after(utc("2026-03-28T12:00:00Z"), &at_2_30),
            utc("2026-03-29T01:30:00Z")
        );
        assert_eq!(
            due_after(utc("2026-10-24T12:00:00Z"), &at_2_30),
            utc("2026-10-25T00:30:00Z")
        );
    }

    #[test]
    fn on_business_days_only_weekends_and_czech_holidays_are_skipped() {
        let rule = Morning {
            business_days_only: true,
            ..morning()
        };
        // Friday → Monday
        assert_eq!(
            due_after(utc("2026-01-16T10:00:00Z"), &rule),
            utc("2026-01-19T07:00:00Z")
        );
        // Christmas: received 23 Dec 2026 (Wed) → 24, 25, 26 holidays, 27 Sunday → Monday 28
        assert_eq!(
            due_after(utc("2026-12-23T10:00:00Z"), &rule),
            utc("2026-12-28T07:00:00Z")
        );
        // Easter 2026 is 5 April: Good Friday 3 April, Easter Monday 6 April
        assert_eq!(easter_sunday(2026), NaiveDate::from_ymd_opt(2026, 4, 5));
        assert_eq!(easter_sunday(2027), NaiveDate::from_ymd_opt(2027, 3, 28));
        assert!(czech_holiday(NaiveDate::from_ymd_opt(2026, 4, 3).unwrap()));
        assert!(czech_holiday(NaiveDate::from_ymd_opt(2026, 4, 6).unwrap()));
        assert!(!czech_holiday(NaiveDate::from_ymd_opt(2026, 4, 7).unwrap()));
        // received Thursday 2 April → Friday and Monday are holidays → Tuesday 7 April, 08:00 CEST
        assert_eq!(
            due_after(utc("2026-04-02T10:00:00Z"), &rule),
            utc("2026-04-07T06:00:00Z")
        );
        // every day is fine without the rule
        assert_eq!(
            due_after(utc("2026-12-23T10:00:00Z"), &morning()),
            utc("2026-12-24T07:00:00Z")
        );
    }
}
