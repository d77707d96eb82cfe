-- The preflight's findings: diagnosis steps that cannot work on this deployment, replaced whole by
-- each run (the leader runs it at start; `opsbrain sop check` prints the same without storing).
CREATE TABLE opsbrain_preflight_findings (
    id          bigserial PRIMARY KEY,
    checked_at  timestamptz NOT NULL DEFAULT now(),
    engine_id   text NOT NULL,
    sop_name    text NOT NULL,
    step_id     text NOT NULL,
    source      text NOT NULL,
    problem     varchar(40) NOT NULL,
    detail      text NOT NULL
);
