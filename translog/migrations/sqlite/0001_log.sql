-- The transparency log: its leaves and the checkpoints signed over them.
-- Both tables are append-only: the triggers below refuse updates and
-- deletes, whoever tries, and refuse a leaf that does not come right after
-- the last one, so that the stored tree can only grow at its right edge.
--
-- Hashes are raw 32-byte blobs; entry holds the kyso.translog/v1 record
-- whose RFC 6962 leaf hash is leaf_hash. Times are UTC text in one
-- fixed-width layout (2006-01-02T15:04:05.000000000Z).

CREATE TABLE translog_leaves (
    idx        INTEGER PRIMARY KEY CHECK (idx >= 0),
    leaf_hash  BLOB NOT NULL CHECK (length(leaf_hash) = 32),
    entry      BLOB NOT NULL CHECK (length(entry) > 0),
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX translog_leaves_leaf_hash ON translog_leaves (leaf_hash);

CREATE TABLE translog_checkpoints (
    size       INTEGER PRIMARY KEY CHECK (size >= 0),
    root       BLOB NOT NULL CHECK (length(root) = 32),
    note       TEXT NOT NULL CHECK (note <> ''),
    created_at TEXT NOT NULL
) STRICT;

CREATE TRIGGER translog_leaves_in_order
BEFORE INSERT ON translog_leaves
WHEN NEW.idx IS NOT (SELECT COALESCE(MAX(idx) + 1, 0) FROM translog_leaves)
BEGIN
    SELECT RAISE(ABORT, 'log leaves are appended in order, without gaps');
END;

CREATE TRIGGER translog_leaves_no_update
BEFORE UPDATE ON translog_leaves
BEGIN
    SELECT RAISE(ABORT, 'the transparency log is append-only');
END;

CREATE TRIGGER translog_leaves_no_delete
BEFORE DELETE ON translog_leaves
BEGIN
    SELECT RAISE(ABORT, 'the transparency log is append-only');
END;

CREATE TRIGGER translog_checkpoints_within_log
BEFORE INSERT ON translog_checkpoints
WHEN NEW.size > (SELECT COALESCE(MAX(idx) + 1, 0) FROM translog_leaves)
BEGIN
    SELECT RAISE(ABORT, 'a checkpoint cannot cover more leaves than the log holds');
END;

CREATE TRIGGER translog_checkpoints_no_update
BEFORE UPDATE ON translog_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'log checkpoints are append-only');
END;

CREATE TRIGGER translog_checkpoints_no_delete
BEFORE DELETE ON translog_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'log checkpoints are append-only');
END;
