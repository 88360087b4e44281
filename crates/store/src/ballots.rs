//! Ballots are written in batches: every ballot waiting when the writer is free goes into one
//! transaction, each inside its own savepoint (a refused ballot rolls back alone), with one
//! commit — one sync to disk — for all. A ballot is acknowledged only after its batch has
//! committed, so "acknowledged" still means "durable". The queue holds nothing that matters:
//! a ballot that was not acknowledged was not counted, and the database's keys (one voter row
//! per unit and election) decide between servers.

use sqlx::{Acquire, AnyPool, Row};
use tokio::sync::{mpsc, oneshot};

use thidua_domain::ballot_box::{self, Ballot};

use crate::db::{now, AuditCtx, BallotKey, Tx};
use crate::error::StoreError;

pub(crate) struct BallotRequest {
    pub ctx: AuditCtx,
    pub election_id: String,
    pub voter_unit_id: String,
    pub user_id: String,
    pub choice: Option<String>,
    pub receipt: String,
}

type Job = (BallotRequest, oneshot::Sender<Result<String, StoreError>>);

const MAX_BATCH: usize = 256;

#[derive(Clone)]
pub(crate) struct BallotQueue {
    tx: mpsc::Sender<Job>,
}

/// The ballot key in use. A store that was given none (a library user, a test) seals with a
/// random key of its own process: its ballots can then be counted by this process only.
pub(crate) fn key(cell: &BallotKey) -> [u8; 32] {
    *cell.get_or_init(|| {
        let mut k = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut k);
        k
    })
}

/// A secret vote whose ballots are sealed while it is open.
#[derive(Clone, Copy)]
pub(crate) enum Vote<'a> {
    Election(&'a str),
    Council(&'a str),
}

impl Vote<'_> {
    fn table(self) -> &'static str {
        match self {
            Vote::Election(_) => "sealed_election_ballots",
            Vote::Council(_) => "sealed_council_ballots",
        }
    }
    fn key(self) -> &'static str {
        match self {
            Vote::Election(_) => "election_id",
            Vote::Council(_) => "proposal_id",
        }
    }
    /// The box's name, the ciphertexts' associated data.
    fn name(self) -> String {
        match self {
            Vote::Election(id) => ballot_box::election_box(id),
            Vote::Council(id) => ballot_box::proposal_box(id),
        }
    }
    fn owner(self) -> String {
        match self {
            Vote::Election(id) | Vote::Council(id) => id.to_owned(),
        }
    }
}

/// Seal a secret ballot into its vote's box (see domain::ballot_box).
pub(crate) async fn seal(
    conn: &mut sqlx::AnyConnection,
    key: &[u8; 32],
    vote: Vote<'_>,
    ballot: &Ballot,
) -> Result<(), StoreError> {
    let mut nonce = [0u8; 12];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
    // Table and column names come from the enum above, never from input.
    sqlx::query(&format!(
        "INSERT INTO {} ({}, sealed) VALUES ($1, $2)",
        vote.table(),
        vote.key()
    ))
    .bind(vote.owner())
    .bind(ballot_box::seal(key, &vote.name(), ballot, nonce))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Open a whole box for its count, inside the count's transaction: the ballots in receipt
/// order, and the box emptied (a rolled-back count leaves it sealed).
pub(crate) async fn open_box(
    conn: &mut sqlx::AnyConnection,
    key: &[u8; 32],
    vote: Vote<'_>,
) -> Result<Vec<Ballot>, StoreError> {
    let sealed: Vec<String> = sqlx::query(&format!(
        "SELECT sealed FROM {} WHERE {} = $1",
        vote.table(),
        vote.key()
    ))
    .bind(vote.owner())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<_, _>>()?;
    let name = vote.name();
    let ballots = ballot_box::open_all(key, &name, &sealed).map_err(|e| {
        tracing::error!(error = %e, ballot_box = %name, "sealed ballots cannot be opened");
        StoreError::rule("err-ballot-key")
    })?;
    sqlx::query(&format!(
        "DELETE FROM {} WHERE {} = $1",
        vote.table(),
        vote.key()
    ))
    .bind(vote.owner())
    .execute(&mut *conn)
    .await?;
    Ok(ballots)
}

impl BallotQueue {
    pub fn start(pool: AnyPool, key: BallotKey) -> BallotQueue {
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(worker(pool, key, rx));
        BallotQueue { tx }
    }

    pub async fn cast(&self, req: BallotRequest) -> Result<String, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((req, reply))
            .await
            .map_err(|_| StoreError::rule("err-internal"))?;
        let r = answer.await.map_err(|_| StoreError::rule("err-internal"))?;
        crate::db::forget_request_seq();
        r
    }
}

async fn worker(pool: AnyPool, key: BallotKey, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // Elections are locked in id order, as every server's batches do, so that two
        // servers' batches never wait on each other's elections in a cycle (a deadlock).
        batch.sort_by(|a, b| a.0.election_id.cmp(&b.0.election_id));
        let (reqs, replies): (Vec<BallotRequest>, Vec<_>) = batch.into_iter().unzip();
        let mut attempt = 0;
        let outcome = loop {
            attempt += 1;
            match write_batch(&pool, &key, &reqs).await {
                // Rolled back whole by the database (a conflict with another server's
                // transaction): nothing was written, run it again.
                Err(e) if e.is_retryable() && attempt < 4 => {
                    tracing::warn!(error = %e, attempt, "ballot batch retried");
                    tokio::time::sleep(std::time::Duration::from_millis(5 * attempt)).await;
                }
                other => break other,
            }
        };
        match outcome {
            Ok(results) => {
                for (reply, r) in replies.into_iter().zip(results) {
                    let _ = reply.send(r);
                }
            }
            Err(e) => {
                // Nothing of the batch was committed: every ballot in it is refused, as
                // "try again" when the cause was the database's state, not the ballots.
                tracing::error!(error = %e, "ballot batch failed");
                let unavailable = e.is_unavailable();
                for reply in replies {
                    let _ = reply.send(Err(if unavailable {
                        StoreError::Unavailable(e.to_string())
                    } else {
                        StoreError::Db(sqlx::Error::Protocol(e.to_string()))
                    }));
                }
            }
        }
    }
}

async fn write_batch(
    pool: &AnyPool,
    key: &BallotKey,
    reqs: &[BallotRequest],
) -> Result<Vec<Result<String, StoreError>>, StoreError> {
    let mut tx = Tx::on(pool, AuditCtx::default()).await?;
    let mut results = Vec::with_capacity(reqs.len());
    for req in reqs {
        let mut sp = (&mut tx.tx).begin().await?;
        match ballot(&mut sp, key, req).await {
            Ok((after, group_id)) => {
                sp.commit().await?;
                // A ballot changes its group's elections only (`Store::elections_of`).
                tx.narrow(format!("group:{group_id}"));
                // The audit trail records who voted; for a secret ballot never the choice.
                tx.audit_as(&req.ctx, "vote", "election", &req.election_id, Some(&after));
                results.push(Ok(req.receipt.clone()));
            }
            Err(e) => {
                sp.rollback().await?;
                results.push(Err(e));
            }
        }
    }
    tx.commit().await?;
    Ok(results)
}

fn refused(key: &str) -> StoreError {
    StoreError::Refused {
        key: key.to_owned(),
        args: Vec::new(),
    }
}

/// One ballot's statements; returns what the audit records and the election's group.
async fn ballot(
    conn: &mut sqlx::AnyConnection,
    key: &BallotKey,
    req: &BallotRequest,
) -> Result<(serde_json::Value, String), StoreError> {
    // Lock the election row (PostgreSQL) and check it is open in the same statement.
    let open = sqlx::query(
        "UPDATE elections SET version = version WHERE id = $1 AND status = 'open' RETURNING method, group_id",
    )
    .bind(&req.election_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(open) = open else {
        let exists = sqlx::query("SELECT 1 FROM elections WHERE id = $1")
            .bind(&req.election_id)
            .fetch_optional(&mut *conn)
            .await?;
        return Err(if exists.is_some() {
            refused("err-election-closed")
        } else {
            StoreError::NotFound
        });
    };
    let method: String = open.try_get(0)?;
    let group_id: String = open.try_get(1)?;
    if method == "counted" {
        return Err(refused("err-counted-election"));
    }
    let member = sqlx::query("SELECT 1 FROM group_members WHERE group_id = $1 AND unit_id = $2")
        .bind(&group_id)
        .bind(&req.voter_unit_id)
        .fetch_optional(&mut *conn)
        .await?;
    if member.is_none() {
        return Err(refused("err-not-member"));
    }
    if let Some(c) = &req.choice {
        let candidate = sqlx::query(
            "SELECT 1 FROM election_candidates WHERE election_id = $1 AND unit_id = $2",
        )
        .bind(&req.election_id)
        .bind(c)
        .fetch_optional(&mut *conn)
        .await?;
        if candidate.is_none() {
            return Err(StoreError::field("choice", "err-candidate-not-member"));
        }
    }
    // The primary key (election, unit) refuses a second ballot, also one arriving at the
    // same instant through another server.
    let ins = sqlx::query(
        "INSERT INTO election_voters (election_id, unit_id, user_id, voted_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&req.election_id)
    .bind(&req.voter_unit_id)
    .bind(&req.user_id)
    .bind(now())
    .execute(&mut *conn)
    .await;
    if let Err(err) = ins {
        return Err(if StoreError::is_unique_violation(&err) {
            refused("err-already-voted")
        } else {
            err.into()
        });
    }
    let secret = method == "secret";
    if secret {
        // Sealed until the count: a copy of the database taken now shows that this unit
        // voted, never what (domain::ballot_box).
        let b = Ballot {
            receipt: req.receipt.clone(),
            choice: req.choice.clone(),
        };
        seal(conn, &self::key(key), Vote::Election(&req.election_id), &b).await?;
    } else {
        sqlx::query(
            "INSERT INTO ballots (id, election_id, receipt, choice_unit_id, voter_unit_id, counted) VALUES ($1, $2, $3, $4, $5, 0)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(&req.election_id)
        .bind(&req.receipt)
        .bind(&req.choice)
        .bind(&req.voter_unit_id)
        .execute(&mut *conn)
        .await?;
    }
    let after = if secret {
        serde_json::json!({"unit_id": req.voter_unit_id})
    } else {
        serde_json::json!({"unit_id": req.voter_unit_id, "choice": req.choice})
    };
    Ok((after, group_id))
}
