DROP TABLE suppressed_addresses;
DROP TABLE deliveries;
DROP TABLE invitation_tokens;
DROP TABLE invitations;
