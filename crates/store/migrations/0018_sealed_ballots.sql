-- The ballots of a secret vote while it is open: ciphertexts only, under a key the server
-- keeps outside the database (domain::ballot_box). At the count they are opened together and
-- moved into `ballots` / `council_ballots` in the order of their receipts, so nothing stored
-- — row order, time, id or audit sequence — ties a published ballot to its voter. The key is
-- the box and the ciphertext itself (no id, no time).
CREATE TABLE sealed_ballots (
    ballot_box TEXT NOT NULL,
    sealed TEXT NOT NULL,
    PRIMARY KEY (ballot_box, sealed)
);
