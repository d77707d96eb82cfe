-- Ops Brain core schema: alerts, SOPs, executions, steps, approvals, the audit trail,
-- engine heartbeats, and the notifications that tell consoles and engines about changes.

CREATE TABLE intelligence_alerts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    source          text NOT NULL DEFAULT 'sql',
    alert_type      text NOT NULL,
    title           text NOT NULL,
    severity        text NOT NULL DEFAULT 'medium',
    evidence        jsonb NOT NULL DEFAULT '{}'::jsonb,
    labels          jsonb NOT NULL DEFAULT '{}'::jsonb,
    fingerprint     text,
    status          text NOT NULL DEFAULT 'firing'
                    CHECK (status IN ('firing', 'resolved', 'rejected')),
    count           integer NOT NULL DEFAULT 1 CHECK (count >= 1),
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz,
    -- engine bookkeeping: which engine took the alert, until when, and when it was handled
    claimed_by      text,
    lease_until     timestamptz,
    processed_at    timestamptz,
    rejection_reason text
);
CREATE INDEX idx_alerts_created ON intelligence_alerts (created_at DESC, id DESC);
CREATE INDEX idx_alerts_unprocessed ON intelligence_alerts (created_at) WHERE processed_at IS NULL;
CREATE UNIQUE INDEX idx_alerts_firing_fingerprint ON intelligence_alerts (fingerprint)
    WHERE status = 'firing' AND fingerprint IS NOT NULL;

CREATE TABLE self_healing_sops (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sop_name                varchar(100) UNIQUE NOT NULL,
    category                varchar(50) NOT NULL,
    agent                   varchar(20) NOT NULL,
    description             text NOT NULL,
    severity                varchar(20) NOT NULL,
    version                 integer NOT NULL DEFAULT 1,
    content_hash            text NOT NULL,
    source_path             text NOT NULL,
    body                    text NOT NULL DEFAULT '',
    source_text             text NOT NULL,
    trigger_conditions      jsonb NOT NULL,
    diagnosis_steps         jsonb NOT NULL,
    fix_operations          jsonb NOT NULL,
    verification_steps      jsonb NOT NULL,
    escalation_rules        jsonb NOT NULL DEFAULT '[]'::jsonb,
    notification            jsonb NOT NULL DEFAULT '{}'::jsonb,
    risk_level              varchar(20) NOT NULL CHECK (risk_level IN ('low', 'medium', 'high', 'critical')),
    auto_fix_enabled        boolean NOT NULL DEFAULT false,
    requires_approval       boolean NOT NULL DEFAULT true,
    max_executions_per_hour integer NOT NULL DEFAULT 3,
    cooldown_minutes        integer NOT NULL DEFAULT 30,
    mode_override           varchar(20) CHECK (mode_override IN ('diagnose_only', 'approval', 'auto')),
    times_executed          integer NOT NULL DEFAULT 0,
    times_successful        integer NOT NULL DEFAULT 0,
    avg_resolution_time_ms  integer,
    last_executed_at        timestamptz,
    last_failure_at         timestamptz,
    last_failure_reason     text,
    consecutive_failures    integer NOT NULL DEFAULT 0,
    retired_at              timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_sops_category ON self_healing_sops (category);
CREATE INDEX idx_sops_risk ON self_healing_sops (risk_level);

-- Every synced version of an SOP, so statistics can be read per version.
CREATE TABLE self_healing_sop_versions (
    sop_id          uuid NOT NULL REFERENCES self_healing_sops (id),
    version         integer NOT NULL,
    content_hash    text NOT NULL,
    definition      jsonb NOT NULL,
    source_text     text NOT NULL,
    synced_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sop_id, version)
);

CREATE TABLE self_healing_executions (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sop_id                  uuid REFERENCES self_healing_sops (id),
    sop_version             integer,
    alert_id                uuid REFERENCES intelligence_alerts (id),
    diagnosis_results       jsonb,
    fix_actions_taken       jsonb,
    verification_results    jsonb,
    status                  varchar(30) NOT NULL CHECK (status IN (
                                'pending', 'diagnosing', 'diagnosed', 'awaiting_approval', 'fixing',
                                'verifying', 'rolling_back', 'success', 'failed', 'escalated',
                                'rejected', 'rolled_back', 'dry_run')),
    mode                    varchar(20) NOT NULL DEFAULT 'approval',
    decision                text,
    confidence_score        integer CHECK (confidence_score BETWEEN 0 AND 100),
    confidence_breakdown    jsonb,
    attempts                integer NOT NULL DEFAULT 0,
    started_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    completed_at            timestamptz,
    total_resolution_time_ms integer,
    approved_by             varchar(100),
    escalation_reason       text,
    was_effective_fix       boolean,
    human_notes             text,
    claimed_by              text,
    lease_until             timestamptz
);
CREATE INDEX idx_executions_sop ON self_healing_executions (sop_id);
CREATE INDEX idx_executions_alert ON self_healing_executions (alert_id);
CREATE INDEX idx_executions_status ON self_healing_executions (status);
CREATE INDEX idx_executions_started ON self_healing_executions (started_at DESC, id DESC);

-- One row per step run; the idempotency key makes sure a fix step never runs twice.
CREATE TABLE self_healing_execution_steps (
    id               bigserial PRIMARY KEY,
    execution_id     uuid NOT NULL REFERENCES self_healing_executions (id),
    phase            varchar(20) NOT NULL CHECK (phase IN ('diagnosis', 'fix', 'verification', 'rollback')),
    step_id          text NOT NULL,
    attempt          integer NOT NULL DEFAULT 1,
    idempotency_key  text NOT NULL UNIQUE,
    status           varchar(20) NOT NULL CHECK (status IN ('started', 'succeeded', 'failed', 'skipped', 'dry_run')),
    result           jsonb NOT NULL DEFAULT '{}'::jsonb,
    undo             jsonb,
    started_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX idx_steps_execution ON self_healing_execution_steps (execution_id, id);

CREATE TABLE self_healing_approvals (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    execution_id     uuid NOT NULL UNIQUE REFERENCES self_healing_executions (id),
    requested_at     timestamptz NOT NULL DEFAULT now(),
    summary          jsonb NOT NULL DEFAULT '{}'::jsonb,
    decision         varchar(20) CHECK (decision IN ('approved', 'rejected')),
    decided_by       varchar(100),
    decided_from     text,
    decided_at       timestamptz,
    reason           text
);
CREATE INDEX idx_approvals_pending ON self_healing_approvals (requested_at) WHERE decision IS NULL;

-- The audit trail: append-only, enforced below.
CREATE TABLE self_healing_audit_log (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor           text NOT NULL,
    kind            text NOT NULL,
    execution_id    uuid,
    alert_id        uuid,
    sop_name        text,
    message         text NOT NULL,
    details         jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX idx_audit_at ON self_healing_audit_log (at DESC, id DESC);
CREATE INDEX idx_audit_execution ON self_healing_audit_log (execution_id, id);

CREATE FUNCTION opsbrain_reject_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'self_healing_audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON self_healing_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION opsbrain_reject_audit_change();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON self_healing_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION opsbrain_reject_audit_change();
ALTER TABLE self_healing_audit_log ENABLE ALWAYS TRIGGER audit_log_append_only;
ALTER TABLE self_healing_audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate;

-- Engines announce themselves; the leader holds an advisory lock and says so here.
CREATE TABLE opsbrain_engines (
    engine_id       text PRIMARY KEY,
    hostname        text NOT NULL,
    pid             integer NOT NULL,
    version         text NOT NULL,
    mode            varchar(20) NOT NULL,
    is_leader       boolean NOT NULL DEFAULT false,
    started_at      timestamptz NOT NULL DEFAULT now(),
    heartbeat_at    timestamptz NOT NULL DEFAULT now(),
    stopped_at      timestamptz
);

-- pg_notify('opsbrain_events', '<kind>:<id>') on every change a console or engine cares about.
CREATE FUNCTION opsbrain_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('opsbrain_events', TG_ARGV[0] || ':' || NEW.id::text);
    RETURN NULL;
END $$;
CREATE TRIGGER alerts_notify AFTER INSERT OR UPDATE ON intelligence_alerts
    FOR EACH ROW EXECUTE FUNCTION opsbrain_notify_change('alert');
CREATE TRIGGER executions_notify AFTER INSERT OR UPDATE ON self_healing_executions
    FOR EACH ROW EXECUTE FUNCTION opsbrain_notify_change('execution');
CREATE TRIGGER approvals_notify AFTER INSERT OR UPDATE ON self_healing_approvals
    FOR EACH ROW EXECUTE FUNCTION opsbrain_notify_change('approval');
CREATE TRIGGER sops_notify AFTER INSERT OR UPDATE ON self_healing_sops
    FOR EACH ROW EXECUTE FUNCTION opsbrain_notify_change('sop');
