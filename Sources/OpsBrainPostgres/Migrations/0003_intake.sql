-- Intake: correlated alerts point at the execution that handles their group (storms open one).
ALTER TABLE intelligence_alerts
    ADD COLUMN correlated_execution_id uuid REFERENCES self_healing_executions (id);
CREATE INDEX idx_alerts_correlated ON intelligence_alerts (correlated_execution_id) WHERE correlated_execution_id IS NOT NULL;
CREATE INDEX idx_alerts_fingerprint ON intelligence_alerts (fingerprint, status);
