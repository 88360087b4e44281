//! Storage for Thi Đua. One implementation serves SQLite and PostgreSQL through
//! `sqlx::Any` with one portable migration set; every write runs in one transaction together
//! with its hash-chained audit record.

mod activities;
mod audit;
mod ballots;
mod cache;
mod db;
mod deep;
mod documents;
mod error;
mod groups;
mod movements;
mod notifications;
mod pades;
mod people;
mod proposals;
mod records;
mod registrations;
mod registry;
mod scoring;
mod units;
mod users;

pub use activities::{
    Activity, ActivityQuery, NewsArticle, NewsPlace, NewsVersion, Owner, Photo, PhotoOwner,
};
pub use audit::{AuditFilter, AuditReport, PublishedHead};
pub use db::{now, with_request_scope, AuditCtx, Backend, Store, Tx};
pub use deep::{covered_kinds, DataProblem, DeepReport, ABSENT, MAX_LISTED};
pub use documents::{
    DocumentVersion, GroupDocument, KeyChange, NewSignature, PendingSignature, SignatureRow,
    SigningKeyRow, VersionBrief,
};
pub use error::StoreError;
pub use groups::{
    BridgePoint, Conference, ConferenceDraft, Council, DocumentDraft, Election, ElectionDraft,
    EmulationYear, FileRef, Group, GroupDraft, GroupRef, LegalDocument, Participant,
    PublishedBallot, UnitBrief, YearDraft, CONFERENCE_KINDS, DOC_KINDS, MODES,
};
pub use movements::{
    JoinedMovement, Joiner, Movement, MovementParticipant, MovementQuery, MovementRef,
};
pub use notifications::{NewNotification, Notification, NotificationPref, OutboxMail};
pub use pades::{CertChange, PadesAppend, SigningCertificate, TrustAnchor, VersionPdf};
pub use people::{Person, PersonQuery};
pub use proposals::{
    today_vn, Comment, Consultation, CouncilMember, Decision, DecisionDraft, Proposal,
    ProposalDraft, ProposalEvent, PublicNominee, PublishedCouncilBallot, Upload,
};
pub use records::{Author, Exemplar, Initiative, InitiativeQuery, PersonRecord, RecordRow};
pub use registrations::{
    Award, AwardDraft, PersonFact, RegOutcome, RegQuery, Registration, RegistrationDraft, RuleFlag,
    Window, FACT_KINDS,
};
pub use registry::{
    award_codes, award_for, award_name, parse_award, AwardTally, BaseSalary, CashMultiple,
    CommendationForm, ImportAward, RegKey, RegistryEntry, RegistryQuery, AWARD_KINDS, FORMS,
};
pub use scoring::{
    Adjustment, Assessment, AssessmentDraft, IndicatorValue, SchemeRecord, ScoreChange,
    SCHEME_STATUSES, STAGES,
};
pub use units::{LineageEvent, Unit, UnitQuery};
pub use users::{ApiToken, LoginRecord, NewUser, SessionInfo, User};

/// A page of results with the total count for pagination.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

pub const MAX_PER_PAGE: i64 = 200;
/// Far beyond any real list, and small enough that the offset cannot overflow.
pub const MAX_PAGE: i64 = 1_000_000;

/// Import errors by row: (row, column, translation key).
pub type RowErrors = Vec<(usize, String, String)>;

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// Clamp user-supplied paging to sane bounds.
pub fn paging(page: Option<i64>, per_page: Option<i64>) -> (i64, i64) {
    let per = per_page.unwrap_or(50).clamp(1, MAX_PER_PAGE);
    let page = page.unwrap_or(1).clamp(1, MAX_PAGE);
    (page, per)
}
