-- A council's, group's or unit's planned activities for the year, with photos of what was
-- held; news articles (drafted from a conference's record, edited, published on a public
-- page) with their saved versions and photos. Same portability rules as 0001.

-- Exactly one owner kind: a group, a unit, or (both NULL) the council itself. The council is
-- kept for group activities too, so a council's calendar is one indexed query.
CREATE TABLE activities (
    id TEXT PRIMARY KEY,
    year BIGINT NOT NULL,
    council_id TEXT REFERENCES councils (id),
    group_id TEXT REFERENCES emulation_groups (id),
    unit_id TEXT REFERENCES units (id),
    -- experience_exchange, culture_sports, inspection, mid_year_review, conference, other
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    -- yyyy-mm-dd; ends_on >= starts_on (checked by the domain rules before writing)
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    host_unit_id TEXT REFERENCES units (id),
    place TEXT NOT NULL,
    participants TEXT NOT NULL,
    -- planned, held, cancelled
    status TEXT NOT NULL,
    -- The short report afterwards, sanitised HTML
    report_html TEXT NOT NULL,
    note TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (group_id IS NULL OR unit_id IS NULL),
    CHECK (group_id IS NOT NULL OR unit_id IS NOT NULL OR council_id IS NOT NULL)
);
CREATE INDEX activities_council ON activities (council_id, year, starts_on);
CREATE INDEX activities_group ON activities (group_id, starts_on);
CREATE INDEX activities_unit ON activities (unit_id, starts_on);

CREATE TABLE activity_photos (
    activity_id TEXT NOT NULL REFERENCES activities (id),
    file_id TEXT NOT NULL REFERENCES files (id),
    caption TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (activity_id, file_id)
);

CREATE TABLE news_articles (
    id TEXT PRIMARY KEY,
    council_id TEXT NOT NULL REFERENCES councils (id),
    group_id TEXT REFERENCES emulation_groups (id),
    conference_id TEXT REFERENCES conferences (id),
    title TEXT NOT NULL,
    -- yyyy-mm-dd of the event the article tells about
    event_date TEXT NOT NULL,
    place TEXT NOT NULL,
    -- Sanitised HTML
    body_html TEXT NOT NULL,
    -- draft or published
    status TEXT NOT NULL,
    published_at TEXT,
    author TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX news_articles_council ON news_articles (council_id, status, event_date);
CREATE INDEX news_articles_conference ON news_articles (conference_id);

-- Every saved text of an article, so an edit never loses the previous wording.
CREATE TABLE news_versions (
    article_id TEXT NOT NULL REFERENCES news_articles (id),
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    body_html TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (article_id, version)
);

CREATE TABLE news_photos (
    article_id TEXT NOT NULL REFERENCES news_articles (id),
    file_id TEXT NOT NULL REFERENCES files (id),
    caption TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (article_id, file_id)
);
