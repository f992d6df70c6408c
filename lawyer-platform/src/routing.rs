//! Realtime routing (issue 7: "routed to an online lawyer whose specialties match, least-loaded
//! first"). Pure: the writer calls it with the online lawyers and their live load, in its
//! transaction, so simultaneous questions see each other's assignments.

use serde::Serialize;

/// The specialty a lawyer may list to take questions no specialist is online for (a hotline's
/// "general" seats, beside its contract, labour and family specialists).
pub const GENERAL: &str = "general";

/// An online lawyer as routing sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub staff_id: String,
    pub specialties: Vec<String>,
    /// Realtime consultations assigned to them or in progress.
    pub load: u32,
    /// When they were last given one (`None`: never): among equals, the one waiting longest goes
    /// first, so equal loads rotate instead of always hitting the same lawyer.
    pub last_assigned_at: Option<i64>,
}

/// Whether a lawyer with `specialties` takes questions of `specialty` (exactly, or as a generalist).
pub fn serves(specialties: &[String], specialty: &str) -> bool {
    specialties.iter().any(|s| s == specialty || s == GENERAL)
}

/// The lawyer a realtime question of `specialty` goes to: specialists before generalists, then the
/// least loaded, then the one given a consultation longest ago, then by id (deterministic). Lawyers
/// at `max_load` get nothing more; `None` means the question waits in the queue.
pub fn choose<'a>(candidates: &'a [Candidate], specialty: &str, max_load: u32) -> Option<&'a Candidate> {
    let specialists = candidates
        .iter()
        .filter(|c| c.load < max_load && c.specialties.iter().any(|s| s == specialty));
    let best = |it: &mut dyn Iterator<Item = &'a Candidate>| {
        it.min_by(|a, b| {
            (a.load, a.last_assigned_at.unwrap_or(i64::MIN), &a.staff_id).cmp(&(
                b.load,
                b.last_assigned_at.unwrap_or(i64::MIN),
                &b.staff_id,
            ))
        })
    };
    best(&mut specialists.into_iter()).or_else(|| {
        best(
            &mut candidates
                .iter()
                .filter(|c| c.load < max_load && c.specialties.iter().any(|s| s == GENERAL)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, specialties: &[&str], load: u32, last: Option<i64>) -> Candidate {
        Candidate {
            staff_id: id.into(),
            specialties: specialties.iter().map(|s| (*s).to_owned()).collect(),
            load,
            last_assigned_at: last,
        }
    }

    fn pick(cands: &[Candidate], specialty: &str) -> Option<String> {
        choose(cands, specialty, 3).map(|c| c.staff_id.clone())
    }

    #[test]
    fn matching_specialty_least_loaded_first() {
        let cands = [
            c("A", &["labour"], 2, None),
            c("B", &["labour", "family"], 1, None),
            c("C", &["family"], 0, None),
        ];
        assert_eq!(pick(&cands, "labour").as_deref(), Some("B"));
        assert_eq!(pick(&cands, "family").as_deref(), Some("C"));
    }

    #[test]
    fn equal_load_rotates_by_last_assignment() {
        let cands = [c("A", &["labour"], 1, Some(500)), c("B", &["labour"], 1, Some(100))];
        assert_eq!(pick(&cands, "labour").as_deref(), Some("B"));
        let never = [c("A", &["labour"], 1, Some(100)), c("B", &["labour"], 1, None)];
        assert_eq!(
            pick(&never, "labour").as_deref(),
            Some("B"),
            "never assigned goes first"
        );
    }

    #[test]
    fn nobody_matching_or_everybody_full_queues() {
        let cands = [c("A", &["family"], 0, None), c("B", &["labour"], 3, None)];
        assert_eq!(pick(&cands, "contract"), None, "no specialist, no generalist");
        assert_eq!(pick(&cands, "labour"), None, "the only specialist is at max load");
        assert_eq!(pick(&[], "labour"), None);
    }

    #[test]
    fn generalists_take_what_no_specialist_can() {
        let cands = [
            c("G", &[GENERAL], 0, None),
            c("L", &["labour"], 1, None),
            c("L2", &["labour"], 3, None),
        ];
        assert_eq!(
            pick(&cands, "labour").as_deref(),
            Some("L"),
            "specialist first, even if busier"
        );
        assert_eq!(pick(&cands, "contract").as_deref(), Some("G"));
        assert!(serves(&["general".into()], "anything"));
        assert!(!serves(&["family".into()], "labour"));
    }
}
