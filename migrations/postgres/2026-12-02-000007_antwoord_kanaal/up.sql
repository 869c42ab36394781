-- Which link an answer came through: the student's own mail (`direct`) or the link in the
-- praktijkopleider's mail (`via_praktijkopleider`), copied from the invitation when it is stored.
ALTER TABLE responses ADD COLUMN kanaal TEXT NOT NULL DEFAULT 'direct'
    CHECK (kanaal IN ('direct', 'via_praktijkopleider'));
UPDATE responses SET kanaal = invitations.kanaal FROM invitations WHERE invitations.id = responses.invitation_id;
