-- Targets chosen by the alert: which declared instance an execution is for (the alert label's
-- value), and how intake placed it. Storm grouping, cooldowns and success history go per
-- (SOP, instance); NULL in both for an SOP whose targets are plain. (0006 is taken by the preflight.)
ALTER TABLE self_healing_executions
    ADD COLUMN instance_key   text,
    ADD COLUMN instance_scope varchar(20) CHECK (instance_scope IN ('instance', 'undeclared', 'fleet'));
CREATE INDEX idx_executions_sop_instance ON self_healing_executions (sop_id, instance_key, started_at DESC);
