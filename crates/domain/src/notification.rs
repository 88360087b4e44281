//! Reminders and notifications: the kinds a person is told about, when a deadline reminder
//! is due, and how long the sender waits before trying an e-mail again.

use chrono::{Duration, NaiveDate};

/// What a notification is about. Each person turns e-mail on or off per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The registration of titles closes in 7 days / 1 day.
    DeadlineRegistration,
    /// The self-assessment closes in 7 days / 1 day.
    DeadlineAssessment,
    /// An adopted pact waits for the unit leader's signature.
    PactToSign,
    /// A vote is open for the person's unit.
    VoteOpen,
    /// A proposal came back with a reason.
    ProposalReturned,
    /// Scoring results were published.
    ResultPublished,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::DeadlineRegistration,
        Kind::DeadlineAssessment,
        Kind::PactToSign,
        Kind::VoteOpen,
        Kind::ProposalReturned,
        Kind::ResultPublished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::DeadlineRegistration => "deadline_registration",
            Kind::DeadlineAssessment => "deadline_assessment",
            Kind::PactToSign => "pact_to_sign",
            Kind::VoteOpen => "vote_open",
            Kind::ProposalReturned => "proposal_returned",
            Kind::ResultPublished => "result_published",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// E-mail when the person has not chosen: on for what someone must act on before a
    /// date, off for what is only good to know (the inbox shows it anyway).
    pub fn email_by_default(self) -> bool {
        match self {
            Kind::DeadlineRegistration
            | Kind::DeadlineAssessment
            | Kind::PactToSign
            | Kind::VoteOpen
            | Kind::ProposalReturned => true,
            Kind::ResultPublished => false,
        }
    }

    /// The translation key of the kind's name.
    pub fn label_key(self) -> String {
        format!("notify-kind-{}", self.as_str().replace('_', "-"))
    }
}

/// Days before a deadline at which people are reminded.
pub const REMINDER_DAYS: [i64; 2] = [7, 1];

/// Which reminder of a deadline (7 or 1 days before) is due on `today`, if any. A scan that
/// missed a day still sends the reminder late rather than never: within the last 7 days the
/// 7-day reminder is due, within the last day (or on the last day itself) the 1-day one.
/// After the deadline nothing is due.
pub fn reminder_due(deadline: NaiveDate, today: NaiveDate) -> Option<i64> {
    let left = (deadline - today).num_days();
    if left < 0 {
        return None;
    }
    // The smallest reminder whose day has come.
    REMINDER_DAYS.iter().copied().filter(|d| left <= *d).min()
}

/// The same for an ISO (yyyy-mm-dd) deadline; an unreadable date has no reminder.
pub fn reminder_due_iso(deadline: &str, today: NaiveDate) -> Option<i64> {
    NaiveDate::parse_from_str(deadline.get(..10).unwrap_or(deadline), "%Y-%m-%d")
        .ok()
        .and_then(|d| reminder_due(d, today))
}

/// How many times an e-mail is tried before it is marked failed (still visible to the
/// administrator, who can try it again).
pub const MAX_ATTEMPTS: i64 = 10;

/// How long to wait after the `attempts`-th failed try: 1, 2, 4 … minutes, at most 6 hours.
pub fn retry_delay(attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 20) - 1;
    let minutes = 1i64.checked_shl(exp as u32).unwrap_or(i64::MAX).min(360);
    Duration::minutes(minutes)
}

/// After a failed try: `None` when the mail should be given up on, else the wait.
pub fn next_retry(attempts: i64) -> Option<Duration> {
    if attempts >= MAX_ATTEMPTS {
        None
    } else {
        Some(retry_delay(attempts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn kinds_round_trip_and_defaults() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("nope"), None);
        assert!(Kind::DeadlineRegistration.email_by_default());
        assert!(!Kind::ResultPublished.email_by_default());
        assert_eq!(
            Kind::PactToSign.label_key(),
            "notify-kind-pact-to-sign".to_owned()
        );
    }

    #[test]
    fn seven_and_one_day_reminders() {
        let deadline = d("2026-12-10");
        assert_eq!(reminder_due(deadline, d("2026-12-01")), None);
        assert_eq!(reminder_due(deadline, d("2026-12-02")), None);
        assert_eq!(reminder_due(deadline, d("2026-12-03")), Some(7));
        assert_eq!(reminder_due(deadline, d("2026-12-05")), Some(7));
        assert_eq!(reminder_due(deadline, d("2026-12-08")), Some(7));
        assert_eq!(reminder_due(deadline, d("2026-12-09")), Some(1));
        assert_eq!(reminder_due(deadline, d("2026-12-10")), Some(1));
        assert_eq!(reminder_due(deadline, d("2026-12-11")), None);
    }

    #[test]
    fn iso_deadlines() {
        assert_eq!(reminder_due_iso("2026-12-10", d("2026-12-03")), Some(7));
        assert_eq!(
            reminder_due_iso("2026-12-10T00:00:00Z", d("2026-12-09")),
            Some(1)
        );
        assert_eq!(reminder_due_iso("10/12/2026", d("2026-12-09")), None);
    }

    #[test]
    fn backoff_doubles_up_to_six_hours_then_gives_up() {
        assert_eq!(retry_delay(1), Duration::minutes(1));
        assert_eq!(retry_delay(2), Duration::minutes(2));
        assert_eq!(retry_delay(4), Duration::minutes(8));
        assert_eq!(retry_delay(9), Duration::minutes(256));
        assert_eq!(retry_delay(10), Duration::minutes(360));
        assert_eq!(retry_delay(50), Duration::minutes(360));
        assert_eq!(retry_delay(0), Duration::minutes(1));
        assert!(next_retry(MAX_ATTEMPTS - 1).is_some());
        assert_eq!(next_retry(MAX_ATTEMPTS), None);
    }
}
