-- A run whose alert a person resolved by hand before its fix was verified ends `resolved_by_hand`:
-- the source never confirmed the fix, so it is neither a success nor a failure in the SOP's statistics.
ALTER TABLE self_healing_executions DROP CONSTRAINT self_healing_executions_status_check;
ALTER TABLE self_healing_executions ADD CONSTRAINT self_healing_executions_status_check CHECK (status IN (
    'pending', 'diagnosing', 'diagnosed', 'awaiting_approval', 'fixing', 'verifying', 'rolling_back',
    'success', 'failed', 'escalated', 'rejected', 'rolled_back', 'dry_run', 'not_needed', 'resolved_by_hand'));
