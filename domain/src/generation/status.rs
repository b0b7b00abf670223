//! A generation's state as a type: the four values D1 may hold, which of them are still in progress, and what the
//! cron sweep does with a generation it finds overdue.

use super::FailureReason;

/// `generations.status`. The migration's CHECK and every `status IN (...)` in our SQL are tested against this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GenerationStatus {
    /// Admitted and charged, not yet accepted by APIPod.
    Queued,
    /// APIPod has the task.
    Running,
    Succeeded,
    /// Failed and refunded.
    Failed,
}

impl GenerationStatus {
    pub const ALL: [Self; 4] = [Self::Queued, Self::Running, Self::Succeeded, Self::Failed];
    /// Still to end: counted against the in-flight limit, swept when overdue, never deleted.
    pub const IN_PROGRESS: [Self; 2] = [Self::Queued, Self::Running];
    /// Ended exactly once; only these may be deleted.
    pub const FINISHED: [Self; 2] = [Self::Succeeded, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn is_in_progress(self) -> bool {
        Self::IN_PROGRESS.contains(&self)
    }

    /// `'queued', 'running'`: the body of an SQL `IN (...)` list, as our SQL spells it.
    pub fn sql_list(statuses: &[Self]) -> String {
        statuses.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ")
    }
}

crate::serde_str::serde_as_str!(GenerationStatus);

/// What the cron sweep does with an unfinished generation it found overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepAction {
    /// Fail and refund: `timed_out` past the deadline; `submit_failed` for a running one without a task id
    /// (which no code path writes).
    Fail(FailureReason),
    /// Still queued and its next submission looks lost (the submit after the response was cut off, or its retry
    /// message never came): submit again, with the same Idempotency-Key. APIPod may already run the task (an
    /// answer lost after it accepted it), and then replays its id: failing it here would refund a task that runs.
    SubmitAgain,
    /// Running, but its poll message looks lost: queue a poll again.
    PollAgain,
}

pub fn sweep_action(status: GenerationStatus, has_task: bool, past_deadline: bool) -> SweepAction {
    match status {
        _ if past_deadline => SweepAction::Fail(FailureReason::TimedOut),
        GenerationStatus::Queued => SweepAction::SubmitAgain,
        _ if !has_task => SweepAction::Fail(FailureReason::SubmitFailed),
        _ => SweepAction::PollAgain,
    }
}

#[cfg(test)]
mod tests {
    use super::GenerationStatus as S;
    use super::*;
    use crate::sql_status_scan::{StatusCondition, Value};

    #[test]
    fn statuses_round_trip_and_only_queued_and_running_are_in_progress() {
        for status in S::ALL {
            assert_eq!(S::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
            assert_eq!(serde_json::from_value::<S>(status.as_str().into()).unwrap(), status);
            assert_eq!(status.is_in_progress(), !S::FINISHED.contains(&status));
        }
        assert!(S::Queued.is_in_progress() && S::Running.is_in_progress());
        assert!(!S::Succeeded.is_in_progress() && !S::Failed.is_in_progress());
        assert_eq!(S::parse("done"), None);
        assert_eq!(S::parse("Running"), None);
        assert_eq!(S::sql_list(&S::IN_PROGRESS), "'queued', 'running'");
    }

    #[test]
    fn the_sweep_times_out_first_then_submits_again_then_polls_again() {
        let (timed_out, unsubmitted) =
            (SweepAction::Fail(FailureReason::TimedOut), SweepAction::Fail(FailureReason::SubmitFailed));
        assert_eq!(sweep_action(S::Running, true, true), timed_out);
        assert_eq!(sweep_action(S::Queued, false, true), timed_out);
        // A queued generation whose submit was cut off or whose answer was lost may be running at APIPod: it is
        // submitted again (same key), never failed before its deadline.
        assert_eq!(sweep_action(S::Queued, false, false), SweepAction::SubmitAgain);
        assert_eq!(sweep_action(S::Queued, true, false), SweepAction::SubmitAgain);
        assert_eq!(sweep_action(S::Running, false, false), unsubmitted);
        assert_eq!(sweep_action(S::Running, true, false), SweepAction::PollAgain);
    }

    fn generation_conditions() -> Vec<StatusCondition> {
        crate::sql_status_scan::conditions().into_iter().filter(|c| c.table.as_deref() == Ok("generations")).collect()
    }

    /// The quoted values of every `status IN (...)` list in `text`.
    fn in_lists(text: &str) -> Vec<String> {
        text.match_indices("status IN (")
            .map(|(at, found)| {
                let rest = &text[at + found.len()..];
                rest[..rest.find(')').expect("an IN list closes")].to_owned()
            })
            .collect()
    }

    fn schema() -> String {
        std::fs::read_to_string(crate::source_tree::repo_root().join("migrations/0003_generations.sql")).unwrap()
    }

    #[test]
    fn the_schema_check_allows_exactly_the_enums_values() {
        let schema = schema();
        let column = schema.lines().find(|l| l.trim_start().starts_with("status ")).expect("a status column");
        assert_eq!(in_lists(column), vec![S::sql_list(&S::ALL)]);
        for condition in generation_conditions() {
            if let Value::List { list, in_check: true } = condition.value {
                assert_eq!(list, S::sql_list(&S::ALL), "{}: a CHECK on generations.status", condition.place);
            }
        }
    }

    #[test]
    fn every_status_list_in_sql_is_the_in_progress_or_the_finished_set() {
        let (in_progress, finished) = (S::sql_list(&S::IN_PROGRESS), S::sql_list(&S::FINISHED));
        let mut seen = 0;
        for condition in generation_conditions() {
            if let Value::List { list, in_check: false } = condition.value {
                seen += 1;
                assert!(list == in_progress || list == finished, "{}: status IN ({list})", condition.place);
            }
        }
        assert!(seen >= 5, "the store's status lists were found ({seen})");
        let index = schema().lines().find(|l| l.contains("generations_unfinished")).unwrap().to_owned();
        assert!(index.ends_with(&format!("WHERE status IN ({in_progress});")), "{index}");
    }

    #[test]
    fn every_single_status_literal_in_sql_is_a_status() {
        let mut seen = 0;
        for condition in generation_conditions() {
            if let Value::Single(value) = condition.value {
                seen += 1;
                assert!(S::parse(&value).is_some(), "{}: status = '{value}'", condition.place);
            }
        }
        assert!(seen >= 10, "the store's single statuses were found ({seen})");
    }
}
