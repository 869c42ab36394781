-- When a statement does move bpvo keys (a school corrects a crebo, a locatie or an end month), the
-- trigger of 000019 joined the statement's old and new rows to every counted invitation. Its
-- plan, made once per connection and kept, knew nothing of how many rows the statement had or how
-- many moved: it read all sent and answered invitations (143 ms at 126,646, growing with the
-- table) for every such statement, however few bpvo's moved. Now the moved ids are found first
-- (the same join-free check as before, collected into an array), and the count is moved with a
-- statement planned afresh for them (`EXECUTE … USING`): their invitations are looked up by
-- `bpvo_id` (the unique index on (bpvo_id, groep)), and the transition tables are filtered by the
-- same ids before anything is joined, so the work follows the number of moved bpvo's, not the
-- size of the statement or of the table.
CREATE OR REPLACE FUNCTION uitnodiging_tellingen_bpvos() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    verschoven text[];
BEGIN
    SELECT array_agg(id) INTO verschoven FROM (
        SELECT id FROM (
            SELECT id, aanbiedercode, locatiecode, leerweg, crebo, geplande_einddatum FROM oud
            UNION
            SELECT id, aanbiedercode, locatiecode, leerweg, crebo, geplande_einddatum FROM nieuw
        ) sleutels
        GROUP BY id
        HAVING count(*) > 1
    ) m;
    IF verschoven IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE $q$
    INSERT INTO uitnodiging_tellingen AS t
        (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)
    SELECT groep, aanbiedercode, maand, locatiecode, leerweg, crebo, SUM(aantal), SUM(via), now() AT TIME ZONE 'UTC'
    FROM (
        SELECT i.groep, b.aanbiedercode, to_char(b.geplande_einddatum, 'YYYY-MM') AS maand,
               COALESCE(b.locatiecode, '') AS locatiecode, b.leerweg, b.crebo, b.teken AS aantal,
               CASE WHEN i.kanaal = 'via_praktijkopleider' THEN b.teken ELSE 0 END AS via
        FROM (
            -- The moved bpvo's under their old keys (their counts leave) and their new (they arrive).
            SELECT id, aanbiedercode, locatiecode, leerweg, crebo, geplande_einddatum, -1 AS teken
            FROM oud WHERE id = ANY($1)
            UNION ALL
            SELECT id, aanbiedercode, locatiecode, leerweg, crebo, geplande_einddatum, +1
            FROM nieuw WHERE id = ANY($1)
        ) b JOIN invitations i ON i.bpvo_id = b.id
        WHERE i.bpvo_id = ANY($1) AND i.status IN ('verstuurd', 'beantwoord')
    ) w
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING SUM(aantal) <> 0 OR SUM(via) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE
        SET aantal = t.aantal + EXCLUDED.aantal, via = t.via + EXCLUDED.via, gewijzigd_op = EXCLUDED.gewijzigd_op
    $q$ USING verschoven;
    RETURN NULL;
END
$$;
