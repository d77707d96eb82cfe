-- What people did about an alert (console or CLI): acknowledged it, snoozed it out of the firing
-- count until a time, resolved it by hand with a reason, or silenced it at its Alertmanager until
-- a time. Each action is audited, and the alerts trigger announces it ('alert:<id>').
ALTER TABLE intelligence_alerts
    ADD COLUMN acknowledged_by    text,
    ADD COLUMN acknowledged_at    timestamptz,
    ADD COLUMN snoozed_until      timestamptz,
    ADD COLUMN snoozed_by         text,
    ADD COLUMN resolved_by        text,
    ADD COLUMN resolution_reason  text,
    ADD COLUMN silence_id         text,
    ADD COLUMN silenced_until     timestamptz,
    ADD COLUMN silenced_by        text,
    -- the configured Alertmanager target the silence was made on
    ADD COLUMN silenced_at_target text,
    ADD CONSTRAINT alerts_acknowledged_whole CHECK ((acknowledged_by IS NULL) = (acknowledged_at IS NULL)),
    ADD CONSTRAINT alerts_snoozed_whole CHECK ((snoozed_by IS NULL) = (snoozed_until IS NULL)),
    ADD CONSTRAINT alerts_resolved_by_hand_with_reason
        CHECK ((resolved_by IS NULL) = (resolution_reason IS NULL) AND btrim(coalesce(resolution_reason, '-')) <> ''),
    ADD CONSTRAINT alerts_silence_whole
        CHECK ((silence_id IS NULL) = (silenced_until IS NULL) AND (silence_id IS NULL) = (silenced_by IS NULL));
