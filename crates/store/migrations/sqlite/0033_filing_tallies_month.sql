-- A month's filing tallies found by month (the workbench's units missing reports: an index
-- probe, not a walk of every unit's months, also for a month nobody has filed yet).
CREATE INDEX filing_tallies_month ON filing_tallies(month, unit_id);
