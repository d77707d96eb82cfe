-- A person's rollback is not a failed fix unless they mark the fix harmful: then the run counts
-- as a failure in its SOP's statistics (success taken back, consecutive failures, last failure).
ALTER TABLE self_healing_executions ADD COLUMN rollback_harmful boolean NOT NULL DEFAULT false;
-- Approval requests opened before 0009 had no due time, so they never expired: look at them now;
-- the engine computes their due time from requested_at and engine.approval_ttl.
UPDATE self_healing_executions SET next_action_at = now() WHERE status = 'awaiting_approval' AND next_action_at IS NULL;
