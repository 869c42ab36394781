-- Invitation counts per analysis key, kept by triggers as invitations change status: the
-- denominator of every response rate. The reporting service reads the rows changed since its
-- last read (`gewijzigd_op`) instead of grouping every invitation again. A row holds the sent or
-- answered invitations (`verstuurd`, `beantwoord`) of its key plus the imported history counts of
-- the same key; `via` counts those that went through the praktijkopleider. `locatiecode` is ''
-- where the bpvo has none (a key column cannot be NULL). Rows that drop to 0 stay, so a reader
-- sees the change. Brin and sector are not stored: they follow the aanbieder and the crebo at
-- read time, as before.
CREATE TABLE uitnodiging_tellingen (
    groep TEXT NOT NULL,
    aanbiedercode TEXT NOT NULL,
    maand TEXT NOT NULL,
    locatiecode TEXT NOT NULL,
    leerweg TEXT NOT NULL,
    crebo TEXT NOT NULL,
    aantal BIGINT NOT NULL,
    via BIGINT NOT NULL,
    gewijzigd_op TIMESTAMP NOT NULL,
    PRIMARY KEY (groep, aanbiedercode, maand, locatiecode, leerweg, crebo)
);
CREATE INDEX uitnodiging_tellingen_gewijzigd ON uitnodiging_tellingen (gewijzigd_op);

INSERT INTO uitnodiging_tellingen (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
SELECT groep, aanbiedercode, maand, locatiecode, leerweg, crebo, SUM(aantal), SUM(via), CURRENT_TIMESTAMP
FROM (
    SELECT i.groep AS groep, b.aanbiedercode AS aanbiedercode, strftime('%Y-%m', b.geplande_einddatum) AS maand,
           COALESCE(b.locatiecode, '') AS locatiecode, b.leerweg AS leerweg, b.crebo AS crebo,
           COUNT(*) AS aantal, SUM(CASE WHEN i.kanaal = 'via_praktijkopleider' THEN 1 ELSE 0 END) AS via
    FROM invitations i JOIN bpvos b ON b.id = i.bpvo_id
    WHERE i.status IN ('verstuurd', 'beantwoord')
    GROUP BY 1, 2, 3, 4, 5, 6
    UNION ALL
    SELECT h.groep, h.aanbiedercode, h.maand, COALESCE(h.locatiecode, ''), h.leerweg, h.crebo, SUM(h.aantal), 0
    FROM historie_uitnodigingen h
    GROUP BY 1, 2, 3, 4, 5, 6
) x
GROUP BY groep, aanbiedercode, maand, locatiecode, leerweg, crebo;

-- The triggers (per row here; SQLite has no statement triggers). An invitation counts while it
-- is `verstuurd` or `beantwoord`, under its bpvo's keys; a bpvo whose keys change moves its
-- counted invitations.
CREATE TRIGGER uitnodiging_tellingen_ins AFTER INSERT ON invitations
WHEN NEW.status IN ('verstuurd', 'beantwoord')
BEGIN
    INSERT INTO uitnodiging_tellingen (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    SELECT NEW.groep, b.aanbiedercode, strftime('%Y-%m', b.geplande_einddatum), COALESCE(b.locatiecode, ''),
           b.leerweg, b.crebo, 1, CASE WHEN NEW.kanaal = 'via_praktijkopleider' THEN 1 ELSE 0 END,
           CURRENT_TIMESTAMP
    FROM bpvos b WHERE b.id = NEW.bpvo_id AND NEW.status IN ('verstuurd', 'beantwoord')
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = aantal + excluded.aantal, via = via + excluded.via, gewijzigd_op = excluded.gewijzigd_op;
END;

CREATE TRIGGER uitnodiging_tellingen_upd AFTER UPDATE OF status, kanaal, groep, bpvo_id ON invitations
WHEN (OLD.status IN ('verstuurd', 'beantwoord')) <> (NEW.status IN ('verstuurd', 'beantwoord'))
  OR (NEW.status IN ('verstuurd', 'beantwoord') AND (OLD.kanaal IS NOT NEW.kanaal OR OLD.groep IS NOT NEW.groep OR OLD.bpvo_id IS NOT NEW.bpvo_id))
BEGIN
    INSERT INTO uitnodiging_tellingen (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    SELECT OLD.groep, b.aanbiedercode, strftime('%Y-%m', b.geplande_einddatum), COALESCE(b.locatiecode, ''),
           b.leerweg, b.crebo, -1, CASE WHEN OLD.kanaal = 'via_praktijkopleider' THEN -1 ELSE 0 END,
           CURRENT_TIMESTAMP
    FROM bpvos b WHERE b.id = OLD.bpvo_id AND OLD.status IN ('verstuurd', 'beantwoord')
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = aantal + excluded.aantal, via = via + excluded.via, gewijzigd_op = excluded.gewijzigd_op;
    INSERT INTO uitnodiging_tellingen (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    SELECT NEW.groep, b.aanbiedercode, strftime('%Y-%m', b.geplande_einddatum), COALESCE(b.locatiecode, ''),
           b.leerweg, b.crebo, 1, CASE WHEN NEW.kanaal = 'via_praktijkopleider' THEN 1 ELSE 0 END,
           CURRENT_TIMESTAMP
    FROM bpvos b WHERE b.id = NEW.bpvo_id AND NEW.status IN ('verstuurd', 'beantwoord')
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = aantal + excluded.aantal, via = via + excluded.via, gewijzigd_op = excluded.gewijzigd_op;
END;

CREATE TRIGGER uitnodiging_tellingen_del AFTER DELETE ON invitations
WHEN OLD.status IN ('verstuurd', 'beantwoord')
BEGIN
    INSERT INTO uitnodiging_tellingen (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    SELECT OLD.groep, b.aanbiedercode, strftime('%Y-%m', b.geplande_einddatum), COALESCE(b.locatiecode, ''),
           b.leerweg, b.crebo, -1, CASE WHEN OLD.kanaal = 'via_praktijkopleider' THEN -1 ELSE 0 END,
           CURRENT_TIMESTAMP
    FROM bpvos b WHERE b.id = OLD.bpvo_id AND OLD.status IN ('verstuurd', 'beantwoord')
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = aantal + excluded.aantal, via = via + excluded.via, gewijzigd_op = excluded.gewijzigd_op;
END;

CREATE TRIGGER uitnodiging_tellingen_bpvos AFTER UPDATE OF aanbiedercode, locatiecode, leerweg, crebo, geplande_einddatum ON bpvos
WHEN OLD.aanbiedercode IS NOT NEW.aanbiedercode OR OLD.locatiecode IS NOT NEW.locatiecode OR OLD.leerweg IS NOT NEW.leerweg
  OR OLD.crebo IS NOT NEW.crebo OR strftime('%Y-%m', OLD.geplande_einddatum) IS NOT strftime('%Y-%m', NEW.geplande_einddatum)
BEGIN
    INSERT INTO uitnodiging_tellingen (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    SELECT i.groep, OLD.aanbiedercode, strftime('%Y-%m', OLD.geplande_einddatum), COALESCE(OLD.locatiecode, ''),
           OLD.leerweg, OLD.crebo, -COUNT(*),
           -SUM(CASE WHEN i.kanaal = 'via_praktijkopleider' THEN 1 ELSE 0 END), CURRENT_TIMESTAMP
    FROM invitations i WHERE i.bpvo_id = OLD.id AND i.status IN ('verstuurd', 'beantwoord')
    GROUP BY i.groep
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = aantal + excluded.aantal, via = via + excluded.via, gewijzigd_op = excluded.gewijzigd_op;
    INSERT INTO uitnodiging_tellingen (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    SELECT i.groep, NEW.aanbiedercode, strftime('%Y-%m', NEW.geplande_einddatum), COALESCE(NEW.locatiecode, ''),
           NEW.leerweg, NEW.crebo, COUNT(*),
           SUM(CASE WHEN i.kanaal = 'via_praktijkopleider' THEN 1 ELSE 0 END), CURRENT_TIMESTAMP
    FROM invitations i WHERE i.bpvo_id = OLD.id AND i.status IN ('verstuurd', 'beantwoord')
    GROUP BY i.groep
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = aantal + excluded.aantal, via = via + excluded.via, gewijzigd_op = excluded.gewijzigd_op;
END;

CREATE TRIGGER uitnodiging_tellingen_historie_ins AFTER INSERT ON historie_uitnodigingen
BEGIN
    INSERT INTO uitnodiging_tellingen (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    VALUES (NEW.groep, NEW.aanbiedercode, NEW.maand, COALESCE(NEW.locatiecode, ''), NEW.leerweg, NEW.crebo,
            NEW.aantal, 0, CURRENT_TIMESTAMP)
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = aantal + excluded.aantal, via = via + excluded.via, gewijzigd_op = excluded.gewijzigd_op;
END;

CREATE TRIGGER uitnodiging_tellingen_historie_del AFTER DELETE ON historie_uitnodigingen
BEGIN
    INSERT INTO uitnodiging_tellingen (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    VALUES (OLD.groep, OLD.aanbiedercode, OLD.maand, COALESCE(OLD.locatiecode, ''), OLD.leerweg, OLD.crebo,
            -OLD.aantal, 0, CURRENT_TIMESTAMP)
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = aantal + excluded.aantal, via = via + excluded.via, gewijzigd_op = excluded.gewijzigd_op;
END;
