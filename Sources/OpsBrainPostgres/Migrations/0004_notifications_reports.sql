-- Notifications (an outbox with every delivery attempt recorded), daily reports, SOP suggestions,
-- LLM usage, scheduled job runs, and the probe samples that predictions read.

-- One row per event, enqueued in the same transaction as the change it announces.
CREATE TABLE opsbrain_notifications (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dedup_key       text NOT NULL UNIQUE,
    kind            text NOT NULL CHECK (kind IN ('diagnosis', 'fix_applied', 'approval_needed', 'escalation',
                                                  'resolved', 'daily_report')),
    execution_id    uuid REFERENCES self_healing_executions (id),
    sop_name        text,
    severity        text NOT NULL,
    policy          jsonb NOT NULL DEFAULT '{}'::jsonb,
    event           jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    routed_at       timestamptz
);
CREATE INDEX idx_notifications_unrouted ON opsbrain_notifications (created_at) WHERE routed_at IS NULL;
CREATE INDEX idx_notifications_execution ON opsbrain_notifications (execution_id);

-- One row per channel an event goes to; claimed with SKIP LOCKED and a lease.
CREATE TABLE opsbrain_notification_deliveries (
    id               bigserial PRIMARY KEY,
    notification_id  uuid NOT NULL REFERENCES opsbrain_notifications (id),
    channel          text NOT NULL CHECK (channel IN ('slack', 'pushover', 'pagerduty')),
    action           text NOT NULL CHECK (action IN ('post', 'trigger', 'resolve')),
    destination      text,
    priority         integer CHECK (priority BETWEEN -2 AND 2),
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    max_attempts     integer NOT NULL DEFAULT 8,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    claimed_by       text,
    lease_until      timestamptz,
    last_http_status integer,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    UNIQUE (notification_id, channel, action)
);
CREATE INDEX idx_deliveries_due ON opsbrain_notification_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX idx_deliveries_failed ON opsbrain_notification_deliveries (finished_at DESC) WHERE status = 'failed';

-- Every attempt: channel, outcome, HTTP status, error, and when the next try is due.
CREATE TABLE opsbrain_notification_attempts (
    id              bigserial PRIMARY KEY,
    delivery_id     bigint NOT NULL REFERENCES opsbrain_notification_deliveries (id),
    attempt         integer NOT NULL,
    channel         text NOT NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    outcome         text NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed')),
    http_status     integer,
    error           text,
    duration_ms     integer,
    next_retry_at   timestamptz,
    engine_id       text
);
CREATE INDEX idx_attempts_delivery ON opsbrain_notification_attempts (delivery_id, id);
CREATE INDEX idx_attempts_at ON opsbrain_notification_attempts (at DESC);

CREATE TRIGGER notifications_notify AFTER INSERT ON opsbrain_notifications
    FOR EACH ROW EXECUTE FUNCTION opsbrain_notify_change('notification');
CREATE TRIGGER deliveries_notify AFTER INSERT OR UPDATE OF status ON opsbrain_notification_deliveries
    FOR EACH ROW EXECUTE FUNCTION opsbrain_notify_change('delivery');

-- One report per local day, produced once (by the leader; the key keeps it to one).
CREATE TABLE opsbrain_daily_reports (
    report_date     date PRIMARY KEY,
    window_start    timestamptz NOT NULL,
    window_end      timestamptz NOT NULL,
    health_score    integer NOT NULL CHECK (health_score BETWEEN 0 AND 100),
    data            jsonb NOT NULL,
    text            text NOT NULL,
    produced_by     text NOT NULL,
    produced_at     timestamptz NOT NULL DEFAULT now()
);

-- Singleton jobs that run once per period (the weekly learning run).
CREATE TABLE opsbrain_job_runs (
    job             text NOT NULL,
    period          text NOT NULL,
    run_by          text NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    summary         text,
    PRIMARY KEY (job, period)
);

-- Improvements the learning analysis proposes; a person reviews them; SOP files never change.
CREATE TABLE opsbrain_sop_suggestions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    period          text NOT NULL,
    sop_name        text NOT NULL,
    sop_version     integer,
    kind            text NOT NULL CHECK (kind IN ('failing_step', 'repeated_failure', 'precursor',
                                                  'version_regression', 'low_success')),
    subject         text NOT NULL,
    title           text NOT NULL,
    detail          text NOT NULL,
    evidence        jsonb NOT NULL DEFAULT '{}'::jsonb,
    llm_note        text,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'dismissed')),
    reviewed_by     text,
    reviewed_at     timestamptz,
    review_note     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (period, sop_name, kind, subject)
);
CREATE INDEX idx_suggestions_open ON opsbrain_sop_suggestions (created_at DESC) WHERE status = 'open';

-- Every LLM call (and every skipped one), with tokens and cost, by accounting month.
CREATE TABLE opsbrain_llm_usage (
    id                bigserial PRIMARY KEY,
    at                timestamptz NOT NULL DEFAULT now(),
    month             text NOT NULL,
    purpose           text NOT NULL,
    model             text NOT NULL,
    outcome           text NOT NULL CHECK (outcome IN ('ok', 'failed', 'skipped')),
    prompt_tokens     integer NOT NULL DEFAULT 0,
    completion_tokens integer NOT NULL DEFAULT 0,
    cost_usd          numeric(14, 6) NOT NULL DEFAULT 0,
    note              text
);
CREATE INDEX idx_llm_usage_month ON opsbrain_llm_usage (month);

-- Probe measurements; intake writes them, predictions and the cost watch read them.
CREATE TABLE opsbrain_probe_samples (
    probe           text NOT NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    value           double precision NOT NULL,
    ok              boolean NOT NULL DEFAULT true,
    labels          jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX idx_probe_samples_probe_at ON opsbrain_probe_samples (probe, at DESC);
CREATE INDEX idx_probe_samples_at ON opsbrain_probe_samples (at);
