CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
DROP INDEX deliveries_due_order;
