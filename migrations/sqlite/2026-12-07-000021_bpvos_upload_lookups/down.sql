DROP INDEX bpvos_ingetrokken;
CREATE INDEX bpvos_correlatie_id ON bpvos (correlatie_id);
