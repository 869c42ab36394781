DELETE FROM deliveries WHERE invitation_id IS NULL;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_een_onderwerp;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_verzoek_unique;
ALTER TABLE deliveries DROP COLUMN verzoek_id;
ALTER TABLE deliveries ALTER COLUMN invitation_id SET NOT NULL;
DROP TABLE beoordeling_tokens;
DROP TABLE beoordelingsverzoeken;
