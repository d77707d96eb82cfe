-- Keep the console's status bar and SOP sparklines flat as history grows.
CREATE INDEX idx_alerts_firing ON intelligence_alerts (created_at DESC) WHERE status = 'firing';
CREATE INDEX idx_executions_sop_started ON self_healing_executions (sop_id, started_at DESC);
