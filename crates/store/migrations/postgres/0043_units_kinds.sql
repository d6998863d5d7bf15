-- What a unit is: a procuratorate (检察院), a directly affiliated institution (直属事业单位) or a
-- stationed office (派驻检察室). The last two belong to the procuratorate above them and share its level.
ALTER TABLE units ADD COLUMN kind TEXT NOT NULL DEFAULT 'procuratorate';
-- A discipline recommendation (纪检监察建议书) is a round of kind 'discipline', numbered per issuing
-- unit and year.
ALTER TABLE rounds ADD COLUMN issued_by BIGINT REFERENCES units(id);
ALTER TABLE rounds ADD COLUMN doc_year BIGINT;
ALTER TABLE rounds ADD COLUMN doc_seq BIGINT;
CREATE UNIQUE INDEX rounds_doc_no ON rounds(issued_by, doc_year, doc_seq);
CREATE INDEX rounds_kind ON rounds(kind, unit_id);
