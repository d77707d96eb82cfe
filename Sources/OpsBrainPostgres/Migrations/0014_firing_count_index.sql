-- The status bar's firing count leaves out snoozed and silenced alerts (0011). Counting every
-- firing alert stays an index-only scan of idx_alerts_firing; the few held alerts come from this
-- small partial index, so the count does not read the heap of every firing alert.
CREATE INDEX idx_alerts_firing_held ON intelligence_alerts (id)
    WHERE status = 'firing' AND (snoozed_until IS NOT NULL OR silenced_until IS NOT NULL);
