-- The durable pipeline: each execution carries what the engine needs to resume it after a crash.

ALTER TABLE self_healing_executions
    ADD COLUMN next_action_at         timestamptz,
    ADD COLUMN max_attempts           integer NOT NULL DEFAULT 1,
    ADD COLUMN escalate_after_fix     boolean NOT NULL DEFAULT false,
    ADD COLUMN verify_hard            boolean NOT NULL DEFAULT false,
    ADD COLUMN dry_run                boolean NOT NULL DEFAULT false,
    ADD COLUMN pattern_score          integer,
    ADD COLUMN applicable_fixes       jsonb NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN fix_started_at         timestamptz,
    ADD COLUMN rollback_requested_by  text,
    ADD COLUMN outcome                jsonb;

CREATE INDEX idx_executions_runnable ON self_healing_executions (next_action_at)
    WHERE next_action_at IS NOT NULL;
CREATE INDEX idx_executions_sop_fix ON self_healing_executions (sop_id, fix_started_at)
    WHERE fix_started_at IS NOT NULL;
CREATE INDEX idx_executions_fix_started ON self_healing_executions (fix_started_at)
    WHERE fix_started_at IS NOT NULL;

-- Alerts whose engine bookkeeping is open (normalization notes are kept with the alert).
ALTER TABLE intelligence_alerts
    ADD COLUMN normalization_notes jsonb NOT NULL DEFAULT '[]'::jsonb;
