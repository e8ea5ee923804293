-- The transparency log, as in the SQLite schema of the same version: its
-- leaves and the checkpoints signed over them. Both tables are
-- append-only: the triggers below refuse updates, deletes and TRUNCATE
-- (which skips row triggers), and refuse a leaf that does not come right
-- after the last one.
--
-- Hashes are raw 32-byte bytea; entry holds the kyso.translog/v1 record
-- whose RFC 6962 leaf hash is leaf_hash. Times are UTC text in one
-- fixed-width layout (2006-01-02T15:04:05.000000000Z).

CREATE FUNCTION translog_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE TABLE translog_leaves (
    idx        BIGINT PRIMARY KEY CHECK (idx >= 0),
    leaf_hash  BYTEA NOT NULL CHECK (length(leaf_hash) = 32),
    entry      BYTEA NOT NULL CHECK (length(entry) > 0),
    created_at TEXT COLLATE "C" NOT NULL
);

CREATE INDEX translog_leaves_leaf_hash ON translog_leaves (leaf_hash);

CREATE TABLE translog_checkpoints (
    size       BIGINT PRIMARY KEY CHECK (size >= 0),
    root       BYTEA NOT NULL CHECK (length(root) = 32),
    note       TEXT NOT NULL CHECK (note <> ''),
    created_at TEXT COLLATE "C" NOT NULL
);

CREATE FUNCTION translog_leaves_in_order() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.idx IS DISTINCT FROM (SELECT COALESCE(MAX(idx) + 1, 0) FROM translog_leaves) THEN
        RAISE EXCEPTION 'log leaves are appended in order, without gaps'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER translog_leaves_in_order
BEFORE INSERT ON translog_leaves
FOR EACH ROW EXECUTE FUNCTION translog_leaves_in_order();

CREATE TRIGGER translog_leaves_no_update
BEFORE UPDATE ON translog_leaves
FOR EACH ROW EXECUTE FUNCTION translog_refuse('the transparency log is append-only');

CREATE TRIGGER translog_leaves_no_delete
BEFORE DELETE ON translog_leaves
FOR EACH ROW EXECUTE FUNCTION translog_refuse('the transparency log is append-only');

CREATE TRIGGER translog_leaves_no_truncate
BEFORE TRUNCATE ON translog_leaves
FOR EACH STATEMENT EXECUTE FUNCTION translog_refuse('the transparency log is append-only');

CREATE FUNCTION translog_checkpoints_within_log() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.size > (SELECT COALESCE(MAX(idx) + 1, 0) FROM translog_leaves) THEN
        RAISE EXCEPTION 'a checkpoint cannot cover more leaves than the log holds'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER translog_checkpoints_within_log
BEFORE INSERT ON translog_checkpoints
FOR EACH ROW EXECUTE FUNCTION translog_checkpoints_within_log();

CREATE TRIGGER translog_checkpoints_no_update
BEFORE UPDATE ON translog_checkpoints
FOR EACH ROW EXECUTE FUNCTION translog_refuse('log checkpoints are append-only');

CREATE TRIGGER translog_checkpoints_no_delete
BEFORE DELETE ON translog_checkpoints
FOR EACH ROW EXECUTE FUNCTION translog_refuse('log checkpoints are append-only');

CREATE TRIGGER translog_checkpoints_no_truncate
BEFORE TRUNCATE ON translog_checkpoints
FOR EACH STATEMENT EXECUTE FUNCTION translog_refuse('log checkpoints are append-only');
