-- What an upload looks up and writes in bpvos.
-- * Every lookup by correlatieId also names the aanbieder, which the unique index on
--   (aanbiedercode, correlatie_id) answers; the index on correlatie_id alone only cost every
--   inserted bpvo one more index entry. It goes.
-- * Every upload asks which of its keys belong to a withdrawn bpvo. Through the unique index that
--   is a probe per key into all bpvo's; withdrawn ones are few, and this partial index holds only
--   them (the query names the status as a literal, so that both databases may use it).
DROP INDEX bpvos_correlatie_id;
CREATE INDEX bpvos_ingetrokken ON bpvos (aanbiedercode, correlatie_id) WHERE status = 'ingetrokken';
