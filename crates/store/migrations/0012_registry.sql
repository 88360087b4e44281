-- The awards registry as it is read and filled outside the decisions flow: search indexes,
-- what a record carries for certificates and reports, and the cash rewards as data.
-- Same portability rules as 0001.

-- The kind of commendation (yearly, themed, sudden, long_service, foreign), who signed the
-- decision and where the record came from (manual, import, decision). Older rows: NULL
-- kind reads as yearly, NULL source as manual.
ALTER TABLE awards ADD COLUMN award_kind TEXT;
ALTER TABLE awards ADD COLUMN signer TEXT;
ALTER TABLE awards ADD COLUMN source TEXT;

-- Registry search and the year reports filter by year and title first.
CREATE INDEX awards_year_title ON awards (award_year, title_code);
CREATE INDEX awards_title_year ON awards (title_code, award_year);

-- The base salary (mức lương cơ sở) by period: the amount in force from valid_from (VND).
CREATE TABLE base_salaries (
    valid_from TEXT PRIMARY KEY,
    amount BIGINT NOT NULL,
    legal_basis TEXT NOT NULL
);
INSERT INTO base_salaries (valid_from, amount, legal_basis) VALUES
    ('2013-07-01', 1150000, 'Nghị định 66/2013/NĐ-CP'),
    ('2016-05-01', 1210000, 'Nghị định 47/2016/NĐ-CP'),
    ('2017-07-01', 1300000, 'Nghị định 47/2017/NĐ-CP'),
    ('2018-07-01', 1390000, 'Nghị định 72/2018/NĐ-CP'),
    ('2019-07-01', 1490000, 'Nghị định 38/2019/NĐ-CP'),
    ('2023-07-01', 1800000, 'Nghị định 24/2023/NĐ-CP'),
    ('2024-07-01', 2340000, 'Nghị định 73/2024/NĐ-CP');

-- Cash reward per title or form, as a multiple of the base salary in tenths (12.0 = 120),
-- for collectives or individuals, from a year on. The figures are those of Decree
-- 98/2023/NĐ-CP (Art. 70-73), which kept those of Decree 91/2017/NĐ-CP; a later decree
-- adds rows with a later from_year.
CREATE TABLE award_cash_multiples (
    title_code TEXT NOT NULL,
    awardee_kind TEXT NOT NULL,
    from_year BIGINT NOT NULL,
    multiple_tenths BIGINT NOT NULL,
    legal_basis TEXT NOT NULL,
    PRIMARY KEY (title_code, awardee_kind, from_year)
);
INSERT INTO award_cash_multiples (title_code, awardee_kind, from_year, multiple_tenths, legal_basis) VALUES
    ('government_flag', 'collective', 2014, 120, 'Điều 71 Nghị định 98/2023/NĐ-CP'),
    ('sector_flag', 'collective', 2014, 80, 'Điều 71 Nghị định 98/2023/NĐ-CP'),
    ('excellent_labour_collective', 'collective', 2014, 15, 'Điều 71 Nghị định 98/2023/NĐ-CP'),
    ('advanced_labour_collective', 'collective', 2014, 8, 'Điều 71 Nghị định 98/2023/NĐ-CP'),
    ('national_fighter', 'individual', 2014, 45, 'Điều 70 Nghị định 98/2023/NĐ-CP'),
    ('sector_fighter', 'individual', 2014, 30, 'Điều 70 Nghị định 98/2023/NĐ-CP'),
    ('grassroots_fighter', 'individual', 2014, 10, 'Điều 70 Nghị định 98/2023/NĐ-CP'),
    ('advanced_worker', 'individual', 2014, 3, 'Điều 70 Nghị định 98/2023/NĐ-CP'),
    ('pm_certificate', 'individual', 2014, 15, 'Điều 73 Nghị định 98/2023/NĐ-CP'),
    ('pm_certificate', 'collective', 2014, 30, 'Điều 73 Nghị định 98/2023/NĐ-CP'),
    ('sector_certificate', 'individual', 2014, 10, 'Điều 73 Nghị định 98/2023/NĐ-CP'),
    ('sector_certificate', 'collective', 2014, 20, 'Điều 73 Nghị định 98/2023/NĐ-CP'),
    ('commendation', 'individual', 2014, 3, 'Điều 73 Nghị định 98/2023/NĐ-CP'),
    ('commendation', 'collective', 2014, 6, 'Điều 73 Nghị định 98/2023/NĐ-CP');
