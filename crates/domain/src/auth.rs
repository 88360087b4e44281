//! Who may do what. One function, [`may`], decides for pages and the API alike.
//!
//! A role is granted either system-wide (no scope) or over one unit; a scoped grant covers
//! that unit and every unit below it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    CouncilSecretary,
    UnitLeader,
    UnitOfficer,
    Follower,
    Auditor,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::CouncilSecretary,
        Role::UnitLeader,
        Role::UnitOfficer,
        Role::Follower,
        Role::Auditor,
        Role::Viewer,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::CouncilSecretary => "council_secretary",
            Role::UnitLeader => "unit_leader",
            Role::UnitOfficer => "unit_officer",
            Role::Follower => "follower",
            Role::Auditor => "auditor",
            Role::Viewer => "viewer",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
    /// Roles that make sense only over a unit.
    pub fn needs_scope(self) -> bool {
        matches!(
            self,
            Role::CouncilSecretary | Role::UnitLeader | Role::UnitOfficer | Role::Follower
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    /// The unit the grant covers (with everything below it); `None` = the whole system.
    pub scope_unit: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: String,
    pub grants: Vec<Grant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    ViewUnits,
    ExportUnits,
    CreateUnit,
    EditUnit,
    RecordLineage,
    ImportUnits,
    ManagePeople,
    ManageUsers,
    ViewAudit,
    ManageOwnTokens,
    /// Councils' years, groups, members, appointments (resource: the council's unit).
    ManageGroups,
    /// Run a conference and its elections (resource: the host unit).
    HostConference,
    /// Cast a unit's ballot (resource: the voting unit).
    Vote,
    /// The shared registry of legal documents.
    ManageDocuments,
    /// Sign a group document (the pact) for a unit (resource: the signing unit). Like voting,
    /// only the unit's own leader signs; nobody signs in another's name.
    Sign,
    /// Register the titles a unit and its people strive for (resource: the unit).
    RegisterTitles,
    /// Council-level registration work: deadlines, reopening, the title catalogue
    /// (resource: the council's unit).
    ManageRegistrations,
    /// Emulation movements and who joined them (resource: the launching council's unit).
    ManageMovements,
    /// Fill in a unit's self-assessment (resource: the unit).
    EnterScores,
    /// Submit a unit's self-assessment; after that it is read-only (resource: the unit).
    SubmitScores,
    /// People's yearly records, and the unit's initiatives and exemplary models (resource:
    /// the unit): its leader or emulation officer, or a council secretariat above it.
    ManageRecords,
    /// Record the recognition of an initiative (resource: `records::recognition_chain`).
    RecognizeInitiative,
    /// Plan and report a unit's activities, and (on the group's head or deputy unit) the
    /// group's activities and news (resource: the unit).
    ManageActivities,
    /// Propose a unit or its people for an award, and keep the proposal's dossier
    /// (resource: the nominee's unit).
    ProposeAward,
    /// The council's standing office: check, return, accept proposals, run consultations
    /// and the council's votes, seat its members (resource: the council's unit).
    ReviewProposals,
    /// Vote in a council; whether the user sits on the council is the data's say
    /// (council_members), so any signed-in user passes here.
    CouncilVote,
    /// Record an award decision (resource: the council's unit).
    RecordDecision,
}

impl Action {
    pub const ALL: [Action; 27] = [
        Action::ViewUnits,
        Action::ExportUnits,
        Action::CreateUnit,
        Action::EditUnit,
        Action::RecordLineage,
        Action::ImportUnits,
        Action::ManagePeople,
        Action::ManageUsers,
        Action::ViewAudit,
        Action::ManageOwnTokens,
        Action::ManageGroups,
        Action::HostConference,
        Action::Vote,
        Action::ManageDocuments,
        Action::Sign,
        Action::RegisterTitles,
        Action::ManageRegistrations,
        Action::ManageMovements,
        Action::EnterScores,
        Action::SubmitScores,
        Action::ManageRecords,
        Action::RecognizeInitiative,
        Action::ManageActivities,
        Action::ProposeAward,
        Action::ReviewProposals,
        Action::CouncilVote,
        Action::RecordDecision,
    ];
}

/// What the action is about. For a unit: the unit and its ancestors, the unit first (for
/// creating a unit: the chain of its future parent). Empty for system-wide things.
#[derive(Debug, Clone, Copy, Default)]
pub struct Resource<'a> {
    pub unit_chain: &'a [String],
}

impl<'a> Resource<'a> {
    pub const SYSTEM: Resource<'static> = Resource { unit_chain: &[] };
    pub fn unit(chain: &'a [String]) -> Self {
        Resource { unit_chain: chain }
    }
}

impl Actor {
    fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Does a grant of `role` cover the resource? A system-wide grant covers everything; a
    /// scoped one covers the resource when its unit is in the resource's chain.
    fn covers(&self, role: Role, res: &Resource<'_>) -> bool {
        self.grants.iter().any(|g| {
            g.role == role
                && match &g.scope_unit {
                    None => true,
                    Some(u) => res.unit_chain.iter().any(|c| c == u),
                }
        })
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }
}

/// The one decision point: may `actor` do `action` on `res`?
pub fn may(actor: &Actor, action: Action, res: &Resource<'_>) -> bool {
    if actor.is_admin() && !matches!(action, Action::Vote | Action::Sign) {
        return true;
    }
    let signed_in = !actor.grants.is_empty();
    match action {
        Action::ViewUnits | Action::ExportUnits | Action::ManageOwnTokens => signed_in,
        Action::CreateUnit | Action::EditUnit | Action::RecordLineage | Action::ImportUnits => {
            actor.covers(Role::CouncilSecretary, res)
        }
        Action::ManagePeople => {
            actor.covers(Role::CouncilSecretary, res) || actor.covers(Role::UnitOfficer, res)
        }
        Action::ManageUsers => false,
        Action::ViewAudit => actor.has(Role::Auditor),
        Action::ManageGroups => actor.covers(Role::CouncilSecretary, res),
        Action::HostConference => {
            actor.covers(Role::CouncilSecretary, res)
                || actor.covers(Role::UnitLeader, res)
                || actor.covers(Role::UnitOfficer, res)
        }
        // Only the unit's leader votes for it; an administrator does not vote for units.
        Action::Vote => actor.covers(Role::UnitLeader, res),
        Action::ManageDocuments => actor.has(Role::CouncilSecretary),
        Action::Sign => actor.covers(Role::UnitLeader, res),
        Action::RegisterTitles => {
            actor.covers(Role::CouncilSecretary, res)
                || actor.covers(Role::UnitLeader, res)
                || actor.covers(Role::UnitOfficer, res)
        }
        Action::EnterScores => {
            actor.covers(Role::UnitLeader, res) || actor.covers(Role::UnitOfficer, res)
        }
        // The leader answers for the unit's scores, as for its signature.
        Action::SubmitScores => actor.covers(Role::UnitLeader, res),
        Action::ManageRegistrations | Action::ManageMovements => {
            actor.covers(Role::CouncilSecretary, res)
        }
        Action::ManageRecords | Action::ManageActivities => {
            actor.covers(Role::CouncilSecretary, res)
                || actor.covers(Role::UnitLeader, res)
                || actor.covers(Role::UnitOfficer, res)
        }
        Action::ProposeAward => {
            actor.covers(Role::CouncilSecretary, res)
                || actor.covers(Role::UnitLeader, res)
                || actor.covers(Role::UnitOfficer, res)
        }
        Action::ReviewProposals | Action::RecordDecision => {
            actor.covers(Role::CouncilSecretary, res)
        }
        Action::CouncilVote => signed_in,
        // The unit's head recognises its own initiatives; the officer only proposes them.
        Action::RecognizeInitiative => {
            actor.covers(Role::CouncilSecretary, res) || actor.covers(Role::UnitLeader, res)
        }
    }
}

/// May `actor` do `action` on anything at all — system-wide or on some unit their grants
/// cover? A cheap first check for requests whose resources are only known after their body is
/// read (an import names its units in the file): refuse before reading it.
pub fn may_somewhere(actor: &Actor, action: Action) -> bool {
    may(actor, action, &Resource::SYSTEM)
        || actor.grants.iter().any(|g| {
            g.scope_unit.as_ref().is_some_and(|u| {
                let chain = [u.clone()];
                may(actor, action, &Resource::unit(&chain))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, scope: Option<&str>) -> Actor {
        Actor {
            user_id: "u".into(),
            grants: vec![Grant {
                role,
                scope_unit: scope.map(str::to_owned),
            }],
        }
    }

    #[test]
    fn may_somewhere_follows_the_grants() {
        assert!(!may_somewhere(
            &actor(Role::Viewer, None),
            Action::ImportUnits
        ));
        assert!(!may_somewhere(
            &actor(Role::Viewer, None),
            Action::ManagePeople
        ));
        let officer = actor(Role::UnitOfficer, Some("x"));
        assert!(may_somewhere(&officer, Action::ManagePeople));
        assert!(!may_somewhere(&officer, Action::ImportUnits));
        assert!(may_somewhere(
            &actor(Role::CouncilSecretary, Some("x")),
            Action::ImportUnits
        ));
        assert!(may_somewhere(
            &actor(Role::Admin, None),
            Action::ImportUnits
        ));
    }

    #[test]
    fn viewer_reads_but_cannot_create() {
        let v = actor(Role::Viewer, None);
        let chain = vec!["root".to_string()];
        assert!(may(&v, Action::ViewUnits, &Resource::unit(&chain)));
        assert!(!may(&v, Action::CreateUnit, &Resource::unit(&chain)));
        assert!(!may(&v, Action::ViewAudit, &Resource::SYSTEM));
    }

    #[test]
    fn secretary_is_scoped() {
        let s = actor(Role::CouncilSecretary, Some("angiang"));
        let inside = vec!["tanchau".to_string(), "angiang".into(), "root".into()];
        let outside = vec!["travinh".to_string(), "root".into()];
        assert!(may(&s, Action::EditUnit, &Resource::unit(&inside)));
        assert!(!may(&s, Action::EditUnit, &Resource::unit(&outside)));
    }

    #[test]
    fn records_are_the_units_own_and_sector_recognition_the_roots() {
        let officer = actor(Role::UnitOfficer, Some("travinh"));
        let sec = actor(Role::CouncilSecretary, Some("root"));
        let viewer = actor(Role::Viewer, None);
        let tv = vec!["travinh".to_string(), "root".into()];
        let st = vec!["soctrang".to_string(), "root".into()];
        assert!(may(&officer, Action::ManageRecords, &Resource::unit(&tv)));
        assert!(!may(&officer, Action::ManageRecords, &Resource::unit(&st)));
        assert!(may(&sec, Action::ManageRecords, &Resource::unit(&st)));
        assert!(!may(&viewer, Action::ManageRecords, &Resource::unit(&tv)));
        let sector = crate::records::recognition_chain(crate::records::Scope::Sector, &tv);
        assert!(!may(
            &officer,
            Action::RecognizeInitiative,
            &Resource::unit(sector)
        ));
        assert!(may(
            &sec,
            Action::RecognizeInitiative,
            &Resource::unit(sector)
        ));
        let unit = crate::records::recognition_chain(crate::records::Scope::Unit, &tv);
        assert!(!may(
            &officer,
            Action::RecognizeInitiative,
            &Resource::unit(unit)
        ));
        let leader = actor(Role::UnitLeader, Some("travinh"));
        assert!(may(
            &leader,
            Action::RecognizeInitiative,
            &Resource::unit(unit)
        ));
        assert!(!may(
            &leader,
            Action::RecognizeInitiative,
            &Resource::unit(sector)
        ));
    }

    #[test]
    fn nobody_without_grants() {
        let a = Actor::default();
        for act in Action::ALL {
            assert!(!may(&a, act, &Resource::SYSTEM), "{act:?}");
        }
    }

    #[test]
    fn admin_may_everything() {
        let a = actor(Role::Admin, None);
        for act in Action::ALL {
            assert_eq!(
                may(&a, act, &Resource::SYSTEM),
                !matches!(act, Action::Vote | Action::Sign),
                "{act:?}"
            );
        }
    }
}
