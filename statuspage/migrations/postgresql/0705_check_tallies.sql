-- Migration 0705_check_tallies (PostgreSQL). Frozen: never edit once shipped, add a new file.
-- Each check's probes counted per quarter of an hour (UTC), for the uptime bars: a local day
-- is a run of whole quarter hours in every time zone, so counting a check's day adds up at
-- most 100 rows, not the thousands of probes behind them (statuspage.storage.checks). The
-- same transaction that stores a probe counts it here; pruning deletes both.
CREATE TABLE check_tallies (
    name TEXT NOT NULL,
    bucket TEXT NOT NULL,  -- the quarter hour's start, written as check_results.at
    probes INTEGER NOT NULL,
    down INTEGER NOT NULL,
    worst INTEGER NOT NULL CHECK (worst IN (0, 1, 2)),  -- up, degraded, down
    PRIMARY KEY (name, bucket)
);
CREATE INDEX check_tallies_by_bucket ON check_tallies (bucket);
INSERT INTO check_tallies (name, bucket, probes, down, worst)
    SELECT name,
        substr(at, 1, 14) || lpad((CAST(substr(at, 15, 2) AS INTEGER) / 15 * 15)::text, 2, '0')
            || ':00.000000Z',
        COUNT(*),
        SUM(CASE WHEN outcome = 'down' THEN 1 ELSE 0 END),
        MAX(CASE outcome WHEN 'down' THEN 2 WHEN 'degraded' THEN 1 ELSE 0 END)
    FROM check_results GROUP BY 1, 2;
