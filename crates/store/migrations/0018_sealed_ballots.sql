-- The ballots of a secret vote while it is open: ciphertexts only, under a key the server
-- keeps outside the database (domain::ballot_box). At the count they are opened together and
-- moved into `ballots` / `council_ballots` in the order of their receipts, so nothing stored
-- — row order, time, id or audit sequence — ties a published ballot to its voter. The key is
-- the vote and the ciphertext itself (no id, no time); the deep audit covers both tables as
-- part of their election or proposal.
CREATE TABLE sealed_election_ballots (
    election_id TEXT NOT NULL REFERENCES elections (id),
    sealed TEXT NOT NULL,
    PRIMARY KEY (election_id, sealed)
);

CREATE TABLE sealed_council_ballots (
    proposal_id TEXT NOT NULL REFERENCES proposals (id),
    sealed TEXT NOT NULL,
    PRIMARY KEY (proposal_id, sealed)
);
