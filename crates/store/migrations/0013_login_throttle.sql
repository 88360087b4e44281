-- Failed sign-ins per client address and time window: the per-address limit that account
-- lockout alone cannot give (one address guessing many names). Old windows are deleted as
-- new ones start; nothing here is evidence, so it is not audited.
CREATE TABLE login_failures (
    address TEXT NOT NULL,
    window_start TEXT NOT NULL,
    failures BIGINT NOT NULL,
    PRIMARY KEY (address, window_start)
);
