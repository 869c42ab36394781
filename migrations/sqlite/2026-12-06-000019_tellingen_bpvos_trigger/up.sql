-- PostgreSQL's count trigger on bpvos now looks for changed keys first (see the PostgreSQL
-- migration of the same version). SQLite's trigger runs per row and only when a key changed
-- (its WHEN clause): nothing to change here; this file keeps both backends on the same versions.
SELECT 1;
