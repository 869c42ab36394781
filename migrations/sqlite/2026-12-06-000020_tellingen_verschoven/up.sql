-- PostgreSQL's count trigger on bpvos now moves the counts of moved bpvo's only (see the
-- PostgreSQL migration of the same version). SQLite's trigger runs per row and only for a row whose
-- keys changed: nothing to change here; this file keeps both backends on the same versions.
SELECT 1;
