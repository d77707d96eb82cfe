-- An approved fix whose problem went away before it ran ends `not_needed`: nothing ran, and it is
-- neither a success nor a failure in the SOP's statistics.
ALTER TABLE self_healing_executions DROP CONSTRAINT self_healing_executions_status_check;
ALTER TABLE self_healing_executions ADD CONSTRAINT self_healing_executions_status_check CHECK (status IN (
    'pending', 'diagnosing', 'diagnosed', 'awaiting_approval', 'fixing', 'verifying', 'rolling_back',
    'success', 'failed', 'escalated', 'rejected', 'rolled_back', 'dry_run', 'not_needed'));
-- The diagnosis run again when an approval arrives is recorded as its own phase.
ALTER TABLE self_healing_execution_steps DROP CONSTRAINT self_healing_execution_steps_phase_check;
ALTER TABLE self_healing_execution_steps ADD CONSTRAINT self_healing_execution_steps_phase_check
    CHECK (phase IN ('diagnosis', 'recheck', 'fix', 'verification', 'rollback'));
