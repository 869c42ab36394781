-- The bpvos trigger of 000019 as it was.
CREATE OR REPLACE FUNCTION uitnodiging_tellingen_bpvos() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM (
            SELECT id, aanbiedercode, locatiecode, leerweg, crebo, geplande_einddatum FROM oud
            UNION
            SELECT id, aanbiedercode, locatiecode, leerweg, crebo, geplande_einddatum FROM nieuw
        ) sleutels
        GROUP BY id
        HAVING count(*) > 1
    ) THEN
        RETURN NULL;
    END IF;
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
