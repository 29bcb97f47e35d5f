-- Migration 0705_check_tallies. Frozen: never edit once shipped, add a new file.
-- The uptime bars count the checks' probes per day (statuspage.storage.checks.probe_tallies):
-- both indexes of check_results hold the outcome too, so that count reads the index alone,
-- never the table (a page with 200 checks probed every 30 s keeps some 17 million rows).
DROP INDEX check_results_by_at;
CREATE INDEX check_results_by_at ON check_results (at, name, outcome);
DROP INDEX check_results_by_name;
CREATE INDEX check_results_by_name ON check_results (name, at, outcome);
