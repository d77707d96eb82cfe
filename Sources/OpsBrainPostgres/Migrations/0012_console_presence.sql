-- Who else is watching: every open console keeps one row saying who runs it, from where, which view
-- it shows and which execution or alert it has selected, with a heartbeat. A row whose heartbeat is
-- older than opsbrain_presence_ttl() is stale: reads ignore it and any console's beat prunes it.
CREATE TABLE opsbrain_console_presence (
    console_id   uuid PRIMARY KEY,
    user_name    text NOT NULL CHECK (btrim(user_name) <> ''),
    -- the SSH client's address, or the host for a local console; null when unknown
    address      text,
    view_name    text NOT NULL CHECK (btrim(view_name) <> ''),
    -- the execution or alert the console has selected, if any
    subject_id   uuid,
    heartbeat_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_presence_subject ON opsbrain_console_presence (subject_id) WHERE subject_id IS NOT NULL;
CREATE INDEX console_presence_heartbeat ON opsbrain_console_presence (heartbeat_at);

-- How long a console's row counts without a beat.
CREATE FUNCTION opsbrain_presence_ttl() RETURNS interval LANGUAGE sql IMMUTABLE AS $$ SELECT interval '30 seconds' $$;

-- pg_notify('opsbrain_presence', 'presence:<console id>') when what others see changes: a console
-- appears (or comes back after going stale), changes who, where, view or subject, or leaves. A beat
-- that only renews the heartbeat, and the pruning of a row that was already stale, say nothing. The
-- channel is not opsbrain_events, so that moving a selection does not wake every engine and notifier.
CREATE FUNCTION opsbrain_presence_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.heartbeat_at >= now() - opsbrain_presence_ttl() THEN
            PERFORM pg_notify('opsbrain_presence', 'presence:' || OLD.console_id::text);
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT'
       OR (OLD.user_name, OLD.address, OLD.view_name, OLD.subject_id) IS DISTINCT FROM (NEW.user_name, NEW.address, NEW.view_name, NEW.subject_id)
       OR OLD.heartbeat_at < NEW.heartbeat_at - opsbrain_presence_ttl() THEN
        PERFORM pg_notify('opsbrain_presence', 'presence:' || NEW.console_id::text);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER console_presence_notify AFTER INSERT OR UPDATE OR DELETE ON opsbrain_console_presence
    FOR EACH ROW EXECUTE FUNCTION opsbrain_presence_notify();
