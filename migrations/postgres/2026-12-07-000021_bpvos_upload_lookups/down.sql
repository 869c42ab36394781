DROP INDEX bpvos_ingetrokken;
CREATE INDEX bpvos_correlatie_id ON bpvos (correlatie_id);
ALTER TABLE upload_batches ALTER COLUMN resultaat SET COMPRESSION default;
