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
SELECT groep, aanbiedercode, maand, locatiecode, leerweg, crebo, SUM(aantal), SUM(via), now() AT TIME ZONE 'UTC'
FROM (
    SELECT i.groep, b.aanbiedercode, to_char(b.geplande_einddatum, 'YYYY-MM') AS maand,
           COALESCE(b.locatiecode, '') AS locatiecode, b.leerweg, b.crebo,
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

-- The triggers: per statement, the changes of its rows summed per key (keys whose changes
-- cancel out are left alone) and applied in key order, so that two transactions lock shared rows
-- in the same order. An invitation counts while it is `verstuurd` or `beantwoord`, under its
-- bpvo's keys; a bpvo whose keys change moves its counted invitations.
CREATE FUNCTION uitnodiging_tellingen_invitations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
    INSERT INTO uitnodiging_tellingen AS t
        (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    SELECT groep, aanbiedercode, maand, locatiecode, leerweg, crebo, SUM(aantal), SUM(via), now() AT TIME ZONE 'UTC'
    FROM (
        SELECT u.groep, b.aanbiedercode, to_char(b.geplande_einddatum, 'YYYY-MM') AS maand,
               COALESCE(b.locatiecode, '') AS locatiecode, b.leerweg, b.crebo, +1 AS aantal,
               CASE WHEN u.kanaal = 'via_praktijkopleider' THEN +1 ELSE 0 END AS via
        FROM nieuw u JOIN bpvos b ON b.id = u.bpvo_id
        WHERE u.status IN ('verstuurd', 'beantwoord')
    ) w
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING SUM(aantal) <> 0 OR SUM(via) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = t.aantal + EXCLUDED.aantal, via = t.via + EXCLUDED.via, gewijzigd_op = EXCLUDED.gewijzigd_op;
    ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO uitnodiging_tellingen AS t
        (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    SELECT groep, aanbiedercode, maand, locatiecode, leerweg, crebo, SUM(aantal), SUM(via), now() AT TIME ZONE 'UTC'
    FROM (
        SELECT u.groep, b.aanbiedercode, to_char(b.geplande_einddatum, 'YYYY-MM') AS maand,
               COALESCE(b.locatiecode, '') AS locatiecode, b.leerweg, b.crebo, -1 AS aantal,
               CASE WHEN u.kanaal = 'via_praktijkopleider' THEN -1 ELSE 0 END AS via
        FROM oud u JOIN bpvos b ON b.id = u.bpvo_id
        WHERE u.status IN ('verstuurd', 'beantwoord')
        UNION ALL
        SELECT u.groep, b.aanbiedercode, to_char(b.geplande_einddatum, 'YYYY-MM') AS maand,
               COALESCE(b.locatiecode, '') AS locatiecode, b.leerweg, b.crebo, +1 AS aantal,
               CASE WHEN u.kanaal = 'via_praktijkopleider' THEN +1 ELSE 0 END AS via
        FROM nieuw u JOIN bpvos b ON b.id = u.bpvo_id
        WHERE u.status IN ('verstuurd', 'beantwoord')
    ) w
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING SUM(aantal) <> 0 OR SUM(via) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = t.aantal + EXCLUDED.aantal, via = t.via + EXCLUDED.via, gewijzigd_op = EXCLUDED.gewijzigd_op;
    ELSE
    INSERT INTO uitnodiging_tellingen AS t
        (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    SELECT groep, aanbiedercode, maand, locatiecode, leerweg, crebo, SUM(aantal), SUM(via), now() AT TIME ZONE 'UTC'
    FROM (
        SELECT u.groep, b.aanbiedercode, to_char(b.geplande_einddatum, 'YYYY-MM') AS maand,
               COALESCE(b.locatiecode, '') AS locatiecode, b.leerweg, b.crebo, -1 AS aantal,
               CASE WHEN u.kanaal = 'via_praktijkopleider' THEN -1 ELSE 0 END AS via
        FROM oud u JOIN bpvos b ON b.id = u.bpvo_id
        WHERE u.status IN ('verstuurd', 'beantwoord')
    ) w
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING SUM(aantal) <> 0 OR SUM(via) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = t.aantal + EXCLUDED.aantal, via = t.via + EXCLUDED.via, gewijzigd_op = EXCLUDED.gewijzigd_op;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER uitnodiging_tellingen_ins AFTER INSERT ON invitations
    REFERENCING NEW TABLE AS nieuw FOR EACH STATEMENT EXECUTE FUNCTION uitnodiging_tellingen_invitations();
CREATE TRIGGER uitnodiging_tellingen_upd AFTER UPDATE ON invitations
    REFERENCING OLD TABLE AS oud NEW TABLE AS nieuw FOR EACH STATEMENT EXECUTE FUNCTION uitnodiging_tellingen_invitations();
CREATE TRIGGER uitnodiging_tellingen_del AFTER DELETE ON invitations
    REFERENCING OLD TABLE AS oud FOR EACH STATEMENT EXECUTE FUNCTION uitnodiging_tellingen_invitations();

CREATE FUNCTION uitnodiging_tellingen_bpvos() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO uitnodiging_tellingen AS t
        (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    SELECT groep, aanbiedercode, maand, locatiecode, leerweg, crebo, SUM(aantal), SUM(via), now() AT TIME ZONE 'UTC'
    FROM (
        SELECT i.groep, oud.aanbiedercode, to_char(oud.geplande_einddatum, 'YYYY-MM') AS maand,
               COALESCE(oud.locatiecode, '') AS locatiecode, oud.leerweg, oud.crebo, -1 AS aantal,
               CASE WHEN i.kanaal = 'via_praktijkopleider' THEN -1 ELSE 0 END AS via
        FROM oud JOIN nieuw ON nieuw.id = oud.id JOIN invitations i ON i.bpvo_id = oud.id
        WHERE i.status IN ('verstuurd', 'beantwoord')
          AND (oud.aanbiedercode, oud.locatiecode, oud.leerweg, oud.crebo, oud.geplande_einddatum)
              IS DISTINCT FROM (nieuw.aanbiedercode, nieuw.locatiecode, nieuw.leerweg, nieuw.crebo, nieuw.geplande_einddatum)
        UNION ALL
        SELECT i.groep, nieuw.aanbiedercode, to_char(nieuw.geplande_einddatum, 'YYYY-MM') AS maand,
               COALESCE(nieuw.locatiecode, '') AS locatiecode, nieuw.leerweg, nieuw.crebo, +1 AS aantal,
               CASE WHEN i.kanaal = 'via_praktijkopleider' THEN +1 ELSE 0 END AS via
        FROM oud JOIN nieuw ON nieuw.id = oud.id JOIN invitations i ON i.bpvo_id = oud.id
        WHERE i.status IN ('verstuurd', 'beantwoord')
          AND (oud.aanbiedercode, oud.locatiecode, oud.leerweg, oud.crebo, oud.geplande_einddatum)
              IS DISTINCT FROM (nieuw.aanbiedercode, nieuw.locatiecode, nieuw.leerweg, nieuw.crebo, nieuw.geplande_einddatum)
    ) w
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING SUM(aantal) <> 0 OR SUM(via) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = t.aantal + EXCLUDED.aantal, via = t.via + EXCLUDED.via, gewijzigd_op = EXCLUDED.gewijzigd_op;
    RETURN NULL;
END
$$;

CREATE TRIGGER uitnodiging_tellingen_bpvos AFTER UPDATE ON bpvos
    REFERENCING OLD TABLE AS oud NEW TABLE AS nieuw FOR EACH STATEMENT EXECUTE FUNCTION uitnodiging_tellingen_bpvos();

CREATE FUNCTION uitnodiging_tellingen_historie() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
    INSERT INTO uitnodiging_tellingen AS t
        (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    SELECT groep, aanbiedercode, maand, locatiecode, leerweg, crebo, SUM(aantal), SUM(via), now() AT TIME ZONE 'UTC'
    FROM (
        SELECT groep, aanbiedercode, maand, COALESCE(locatiecode, '') AS locatiecode, leerweg, crebo,
               +aantal AS aantal, 0 AS via
        FROM nieuw
    ) w
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING SUM(aantal) <> 0 OR SUM(via) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = t.aantal + EXCLUDED.aantal, via = t.via + EXCLUDED.via, gewijzigd_op = EXCLUDED.gewijzigd_op;
    ELSE
    INSERT INTO uitnodiging_tellingen AS t
        (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    SELECT groep, aanbiedercode, maand, locatiecode, leerweg, crebo, SUM(aantal), SUM(via), now() AT TIME ZONE 'UTC'
    FROM (
        SELECT groep, aanbiedercode, maand, COALESCE(locatiecode, '') AS locatiecode, leerweg, crebo,
               -aantal AS aantal, 0 AS via
        FROM oud
    ) w
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING SUM(aantal) <> 0 OR SUM(via) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = t.aantal + EXCLUDED.aantal, via = t.via + EXCLUDED.via, gewijzigd_op = EXCLUDED.gewijzigd_op;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER uitnodiging_tellingen_historie_ins AFTER INSERT ON historie_uitnodigingen
    REFERENCING NEW TABLE AS nieuw FOR EACH STATEMENT EXECUTE FUNCTION uitnodiging_tellingen_historie();
CREATE TRIGGER uitnodiging_tellingen_historie_del AFTER DELETE ON historie_uitnodigingen
    REFERENCING OLD TABLE AS oud FOR EACH STATEMENT EXECUTE FUNCTION uitnodiging_tellingen_historie();
