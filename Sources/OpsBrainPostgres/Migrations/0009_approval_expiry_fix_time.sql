-- An approval request nobody answers within engine.approval_ttl is decided by its expiry.
ALTER TABLE self_healing_approvals DROP CONSTRAINT self_healing_approvals_decision_check;
ALTER TABLE self_healing_approvals ADD CONSTRAINT self_healing_approvals_decision_check
    CHECK (decision IN ('approved', 'rejected', 'expired'));
-- total_resolution_time_ms is the fix's time, from its first step to its verified end: time spent
-- waiting for approval is reported on its own (approvals.decided_at - requested_at), and a run
-- that fixed nothing has no fix time. Earlier rows are brought to the same meaning.
UPDATE self_healing_executions SET total_resolution_time_ms = CASE WHEN fix_started_at IS NOT NULL AND completed_at IS NOT NULL
    THEN (extract(epoch FROM completed_at - fix_started_at) * 1000)::int END;
COMMENT ON COLUMN self_healing_executions.total_resolution_time_ms IS
    'From the fix''s start to the run''s end, in ms; approval wait excluded; NULL when no fix ran';
COMMENT ON COLUMN self_healing_sops.avg_resolution_time_ms IS
    'Mean total_resolution_time_ms of the successful runs: fix time, approval wait excluded';
-- An expired approval request is announced.
ALTER TABLE opsbrain_notifications DROP CONSTRAINT opsbrain_notifications_kind_check;
ALTER TABLE opsbrain_notifications ADD CONSTRAINT opsbrain_notifications_kind_check CHECK (kind IN (
    'diagnosis', 'fix_applied', 'approval_needed', 'approval_expired', 'escalation', 'resolved', 'daily_report'));
