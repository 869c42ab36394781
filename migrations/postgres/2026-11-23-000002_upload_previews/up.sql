-- A CSV file a gemachtigde uploaded in the manual upload module and is previewing: kept until
-- confirmed or for an hour, so the confirmation stores exactly the file that was previewed.
CREATE TABLE upload_previews (
    id TEXT PRIMARY KEY,
    brin TEXT NOT NULL REFERENCES instellingen (brin),
    gemachtigde_id TEXT NOT NULL REFERENCES gemachtigden (id),
    bestandsnaam TEXT NOT NULL,
    inhoud BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX upload_previews_created_at ON upload_previews (created_at);
