//! The one diesel schema both backends share; kept by hand in step with `migrations/*`.
//! Only portable column types: text ids, `Date`, UTC `Timestamp`, `Bool`, integers.

diesel::table! {
    instellingen (brin) {
        brin -> Text,
        naam -> Text,
        oin -> Nullable<Text>,
        directe_studentbevraging -> Bool,
        intake_op -> Nullable<Date>,
        resultaten_api -> Bool,
        verwerkersovereenkomst_getekend_op -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        vertrouwenspersoon_tekst -> Nullable<Text>,
        vertrouwenspersoon_url -> Nullable<Text>,
        verbeterpunten_delen -> Bool,
    }
}

diesel::table! {
    aanbieders (aanbiedercode) {
        aanbiedercode -> Text,
        brin -> Text,
        naam -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    locaties (locatiecode) {
        locatiecode -> Text,
        aanbiedercode -> Text,
        naam -> Text,
        plaats -> Nullable<Text>,
    }
}

diesel::table! {
    gemachtigden (id) {
        id -> Text,
        brin -> Text,
        email -> Text,
        naam -> Text,
        password_hash -> Text,
        actief -> Bool,
        created_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_clients (client_id) {
        client_id -> Text,
        brin -> Nullable<Text>,
        naam -> Text,
        rol -> Text,
        scopes -> Text,
        secret_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    kwalificaties (crebo) {
        crebo -> Text,
        naam -> Text,
        niveau -> Integer,
        sector -> Text,
        domein -> Nullable<Text>,
    }
}

diesel::table! {
    erkenningen (id) {
        id -> Text,
        leerbedrijf_id -> Text,
        crebo -> Text,
        geldig_van -> Date,
        geldig_tot -> Nullable<Date>,
        aangevraagd_op -> Nullable<Date>,
        besloten_op -> Nullable<Date>,
    }
}

diesel::table! {
    keuzedeel_erkenningen (id) {
        id -> Text,
        leerbedrijf_id -> Text,
        keuzedeel_code -> Text,
        geldig_van -> Date,
        geldig_tot -> Nullable<Date>,
        aangevraagd_op -> Nullable<Date>,
        besloten_op -> Nullable<Date>,
    }
}

diesel::table! {
    duo_meldingen (aanbiedercode, correlatie_id) {
        aanbiedercode -> Text,
        correlatie_id -> Text,
        startdatum -> Date,
        gemeld_op -> Date,
        geimporteerd_op -> Timestamp,
    }
}

diesel::table! {
    referentie_leveringen (id) {
        id -> Text,
        register -> Text,
        geleverd_op -> Timestamp,
    }
}

diesel::table! {
    toezichthouders (id) {
        id -> Text,
        email -> Text,
        naam -> Text,
        organisatie -> Text,
        password_hash -> Text,
        actief -> Bool,
        created_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    bpvos (id) {
        id -> Text,
        aanbiedercode -> Text,
        correlatie_id -> Text,
        leerbedrijf_id -> Text,
        crebo -> Text,
        leerweg -> Text,
        startdatum -> Date,
        geplande_einddatum -> Date,
        werkelijke_einddatum -> Nullable<Date>,
        status -> Text,
        student_email -> Nullable<Text>,
        studentcode -> Nullable<Text>,
        student_naam -> Nullable<Text>,
        schoolnaam -> Nullable<Text>,
        locatiecode -> Nullable<Text>,
        praktijkopleider_naam -> Nullable<Text>,
        praktijkopleider_email -> Nullable<Text>,
        school_received_at -> Nullable<Timestamp>,
        registratie_received_at -> Nullable<Timestamp>,
        received_at -> Timestamp,
        updated_at -> Timestamp,
        keuzedeel_code -> Nullable<Text>,
    }
}

diesel::table! {
    upload_batches (id) {
        id -> Text,
        brin -> Text,
        actor_kind -> Text,
        actor_id -> Text,
        bron -> Text,
        modus -> Text,
        idempotency_key -> Nullable<Text>,
        request_hash -> Nullable<Text>,
        status -> Text,
        ontvangen -> BigInt,
        aangemaakt -> BigInt,
        bijgewerkt -> BigInt,
        ongewijzigd -> BigInt,
        afgewezen -> BigInt,
        resultaat -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_kind -> Text,
        actor_id -> Text,
        brin -> Nullable<Text>,
        action -> Text,
        detail -> Text,
        row_count -> Nullable<BigInt>,
    }
}

diesel::joinable!(aanbieders -> instellingen (brin));
diesel::joinable!(locaties -> aanbieders (aanbiedercode));
diesel::joinable!(gemachtigden -> instellingen (brin));
diesel::joinable!(lezers -> instellingen (brin));
diesel::joinable!(historie_antwoorden -> historie_bestanden (bestand_id));
diesel::joinable!(bpvos -> aanbieders (aanbiedercode));

diesel::table! {
    upload_previews (id) {
        id -> Text,
        brin -> Text,
        gemachtigde_id -> Text,
        bestandsnaam -> Text,
        inhoud -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        bpvo_id -> Text,
        groep -> Text,
        kanaal -> Text,
        status -> Text,
        scheduled_on -> Date,
        closes_on -> Date,
        sent_on -> Nullable<Date>,
        reminders_sent -> Integer,
        opted_out -> Bool,
        answered_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    invitation_tokens (token_hash) {
        token_hash -> Text,
        invitation_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    deliveries (id) {
        id -> Text,
        invitation_id -> Nullable<Text>,
        verzoek_id -> Nullable<Text>,
        soort -> Text,
        nummer -> Integer,
        recipient -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        lease_owner -> Nullable<Text>,
        message_id -> Nullable<Text>,
        last_reply -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    suppressed_addresses (email) {
        email -> Text,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    responses (id) {
        id -> Text,
        invitation_id -> Text,
        submitted_at -> Timestamp,
        bron -> Text,
        questionnaire_version -> Text,
        groep -> Text,
        maand -> Text,
        aanbiedercode -> Text,
        locatiecode -> Nullable<Text>,
        leerweg -> Text,
        crebo -> Text,
        sector -> Nullable<Text>,
        cijfer -> Integer,
        antwoorden -> Text,
        verbeterpunten -> Nullable<Text>,
        kanaal -> Text,
    }
}

diesel::table! {
    historie_bestanden (id) {
        id -> Text,
        naam -> Text,
        geimporteerd_op -> Timestamp,
        antwoorden -> BigInt,
        uitnodigingen -> BigInt,
    }
}

diesel::table! {
    historie_antwoorden (id) {
        id -> Text,
        bestand_id -> Text,
        questionnaire_version -> Text,
        groep -> Text,
        maand -> Text,
        aanbiedercode -> Text,
        locatiecode -> Nullable<Text>,
        leerweg -> Text,
        crebo -> Text,
        sector -> Nullable<Text>,
        cijfer -> Integer,
        antwoorden -> Text,
    }
}

diesel::table! {
    /// Invitation counts per analysis key, kept by triggers (migration 000017).
    uitnodiging_tellingen (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) {
        groep -> Text,
        aanbiedercode -> Text,
        maand -> Text,
        locatiecode -> Text,
        leerweg -> Text,
        crebo -> Text,
        aantal -> BigInt,
        via -> BigInt,
        gewijzigd_op -> Timestamp,
    }
}

diesel::table! {
    historie_uitnodigingen (bestand_id, groep, maand, aanbiedercode, leerweg, crebo) {
        bestand_id -> Text,
        groep -> Text,
        maand -> Text,
        aanbiedercode -> Text,
        locatiecode -> Nullable<Text>,
        leerweg -> Text,
        crebo -> Text,
        aantal -> BigInt,
    }
}

diesel::table! {
    lezers (id) {
        id -> Text,
        brin -> Text,
        email -> Text,
        naam -> Text,
        password_hash -> Text,
        aanbieders -> Text,
        locaties -> Text,
        actief -> Bool,
        created_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    medewerkers (id) {
        id -> Text,
        email -> Text,
        naam -> Text,
        password_hash -> Text,
        actief -> Bool,
        created_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    persoonsgegevens_verwijderd (id) {
        id -> Text,
        bpvo_id -> Text,
        verwijderd_op -> Timestamp,
        reden -> Text,
        velden -> Text,
    }
}

diesel::table! {
    datakwaliteit_fotos (id) {
        id -> Text,
        kwartaal -> Text,
        peildatum -> Date,
        brin -> Text,
        indicatoren -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    landelijke_cijfers (groep, code) {
        groep -> Text,
        code -> Text,
        naam -> Text,
        volgorde -> Integer,
        waarde -> Nullable<Double>,
        n -> BigInt,
        van -> Text,
        tot_en_met -> Text,
        gepubliceerd_op -> Timestamp,
    }
}

diesel::table! {
    beeindigde_sessies (jti) {
        jti -> Text,
        verloopt_op -> Timestamp,
    }
}

diesel::joinable!(persoonsgegevens_verwijderd -> bpvos (bpvo_id));
diesel::joinable!(responses -> invitations (invitation_id));
diesel::joinable!(invitations -> bpvos (bpvo_id));
diesel::joinable!(invitation_tokens -> invitations (invitation_id));
diesel::joinable!(deliveries -> invitations (invitation_id));

diesel::table! {
    werkprocessen (crebo, code) {
        crebo -> Text,
        code -> Text,
        kerntaak_code -> Text,
        kerntaak_naam -> Text,
        naam -> Text,
        volgorde -> Integer,
    }
}

diesel::table! {
    begeleidingsdocumenten (id) {
        id -> Text,
        brin -> Text,
        document_id -> Text,
        locatiecode -> Text,
        leerbedrijf_id -> Text,
        praktijkopleider_naam -> Nullable<Text>,
        praktijkopleider_email -> Nullable<Text>,
        crebo -> Text,
        werkprocessen -> Text,
        startdatum -> Date,
        einddatum -> Date,
        leerdoelen -> Nullable<Text>,
        leerling_naam -> Nullable<Text>,
        leerling_geboortedatum -> Nullable<Date>,
        doelgroep -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    beoordelingen (id) {
        id -> Text,
        document_id -> Text,
        rol -> Text,
        beoordeeld_door -> Nullable<Text>,
        datum -> Date,
        oordelen -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    praktijkverklaringen (id) {
        id -> Text,
        nummer -> Text,
        verificatiecode -> Text,
        document_id -> Text,
        brin -> Text,
        crebo -> Text,
        leerbedrijf_id -> Text,
        werkprocessen -> Text,
        leerling_naam -> Text,
        doelgroep -> Text,
        afgegeven_op -> Date,
        status -> Text,
        ingetrokken_op -> Nullable<Date>,
        reden_intrekking -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    beoordelingsverzoeken (id) {
        id -> Text,
        document_id -> Text,
        status -> Text,
        scheduled_on -> Date,
        closes_on -> Date,
        sent_on -> Nullable<Date>,
        ingevuld_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    beoordeling_tokens (token_hash) {
        token_hash -> Text,
        verzoek_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotente_antwoorden (client_id, sleutel) {
        client_id -> Text,
        sleutel -> Text,
        verzoek_hash -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(beoordelingen -> begeleidingsdocumenten (document_id));
diesel::joinable!(beoordelingsverzoeken -> begeleidingsdocumenten (document_id));
diesel::joinable!(beoordeling_tokens -> beoordelingsverzoeken (verzoek_id));
diesel::joinable!(deliveries -> beoordelingsverzoeken (verzoek_id));
diesel::joinable!(praktijkverklaringen -> begeleidingsdocumenten (document_id));

diesel::allow_tables_to_appear_in_same_query!(
    instellingen,
    aanbieders,
    locaties,
    gemachtigden,
    api_clients,
    kwalificaties,
    erkenningen,
    keuzedeel_erkenningen,
    duo_meldingen,
    referentie_leveringen,
    toezichthouders,
    bpvos,
    upload_batches,
    audit_log,
    upload_previews,
    invitations,
    invitation_tokens,
    deliveries,
    suppressed_addresses,
    responses,
    medewerkers,
    lezers,
    historie_bestanden,
    historie_antwoorden,
    historie_uitnodigingen,
    uitnodiging_tellingen,
    persoonsgegevens_verwijderd,
    datakwaliteit_fotos,
    landelijke_cijfers,
    beeindigde_sessies,
    werkprocessen,
    beoordelingsverzoeken,
    beoordeling_tokens,
    idempotente_antwoorden,
    begeleidingsdocumenten,
    beoordelingen,
    praktijkverklaringen,
);
