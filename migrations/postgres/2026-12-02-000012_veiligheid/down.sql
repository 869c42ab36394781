ALTER TABLE instellingen DROP COLUMN verbeterpunten_delen;
ALTER TABLE instellingen DROP COLUMN vertrouwenspersoon_url;
ALTER TABLE instellingen DROP COLUMN vertrouwenspersoon_tekst;
