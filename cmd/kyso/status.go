package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kyso-vn/kyso/registry"
)

// statusFlags are the flags revoke and supersede share.
type statusFlags struct {
	db, reason, actor, logKey *string
}

func addStatusFlags(e *env, fs *flag.FlagSet, reasonHelp string) statusFlags {
	return statusFlags{
		db:     fs.String("db", filepath.Join(defaultDataDir(e), "registry.db"), "registry database (SQLite file or postgres:// URL; put a password in PGPASSWORD or ~/.pgpass, not in the URL)"),
		reason: fs.String("reason", "", reasonHelp),
		actor:  fs.String("actor", e.getenv("USER"), "who makes the change, for the audit log (default $USER)"),
		logKey: addLogKeyFlag(fs),
	}
}

// check validates the shared flags after parsing.
func (f statusFlags) check() error {
	switch {
	case *f.reason == "":
		return usagef("--reason is required: it is recorded and shown to verifiers")
	case *f.actor == "":
		return usagef("--actor is required (no $USER to default to): the audit log records who made the change")
	}
	return nil
}

// openExisting opens the registry for a status change, with the
// transparency log when its key is at hand. A status change needs
// credentials to change, so unlike 'kyso issue' it never creates a SQLite
// file.
func openExisting(e *env, dsn, logKey string) (registryStore, error) {
	if !strings.Contains(dsn, "://") {
		if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("open registry %s: %w", dsn, registry.ErrNoDatabase)
		}
	}
	keys, err := writeLogKeys(e, logKey, dsn)
	if err != nil {
		return nil, err
	}
	return openStore(e.ctx, dsn, false, keys)
}

// parseIDArg parses a credential ID given on the command line.
func parseIDArg(what, s string) (registry.ID, error) {
	id, err := registry.ParseID(s)
	if err != nil {
		return registry.ID{}, usagef("%s %q is not a credential ID: %v", what, s, err)
	}
	return id, nil
}

func cmdRevoke(e *env, args []string) error {
	fs := newFlags(e, "revoke", "--reason TEXT [--db PATH|URL] [--actor NAME] ID", `
Revoke the credential ID: from now on verifiers see it as revoked, with the
reason and the date. Revocation is final. Nothing is deleted: the registry
keeps the credential and records who revoked it, when and why in its
append-only audit log, in the same transaction.

A superseded credential can still be revoked (for example when the original
turns out to have been obtained by fraud); it keeps its link to the
credential that replaced it. Revoking a revoked credential fails.

Example:
  kyso revoke --db kyso-data/registry.db --reason "Cấp nhầm: sai ngày sinh" 7KQ2M9P-X4R8T1B-HC0WZ3D`)
	f := addStatusFlags(e, fs, "why the credential is revoked (required; shown to verifiers)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("expected one credential ID, got %d arguments", fs.NArg())
	}
	if err := f.check(); err != nil {
		return err
	}
	id, err := parseIDArg("ID", fs.Arg(0))
	if err != nil {
		return err
	}
	s, err := openExisting(e, *f.db, *f.logKey)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Revoke(e.ctx, id, *f.reason, *f.actor, e.now()); err != nil {
		return err
	}
	if err := signLog(e, s); err != nil {
		return err
	}
	e.log.Info("revoked", "credential_id", id.String(), "actor", *f.actor, "db", dbName(*f.db))
	fmt.Fprintf(e.stdout, "revoked\t%s\n", id)
	return nil
}

func cmdSupersede(e *env, args []string) error {
	fs := newFlags(e, "supersede", "--reason TEXT [--db PATH|URL] [--actor NAME] OLD_ID NEW_ID", `
Record that NEW_ID, a corrected document issued after OLD_ID, replaces it:
OLD_ID becomes superseded and points to NEW_ID, and NEW_ID points back to
OLD_ID; verifiers of the old document are told it was replaced. Issue the
corrected document first ('kyso issue'), then run this. Nothing is deleted,
and both credentials get an audit log entry with who, when and why, in one
transaction.

OLD_ID must be valid; NEW_ID must be valid, of the same kind, issued no
earlier than OLD_ID, and not already replacing another credential.

Example:
  kyso supersede --db kyso-data/registry.db --reason "Đính chính họ tên" \
      7KQ2M9P-X4R8T1B-HC0WZ3D 3FJ8Q2W-0M5K7XR-ZP4N9CA`)
	f := addStatusFlags(e, fs, "why the credential is replaced (required; shown to verifiers)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("expected OLD_ID and NEW_ID, got %d arguments", fs.NArg())
	}
	if err := f.check(); err != nil {
		return err
	}
	oldID, err := parseIDArg("OLD_ID", fs.Arg(0))
	if err != nil {
		return err
	}
	newID, err := parseIDArg("NEW_ID", fs.Arg(1))
	if err != nil {
		return err
	}
	if oldID == newID {
		return usagef("OLD_ID and NEW_ID are the same credential")
	}
	s, err := openExisting(e, *f.db, *f.logKey)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Supersede(e.ctx, oldID, newID, *f.reason, *f.actor, e.now()); err != nil {
		return err
	}
	if err := signLog(e, s); err != nil {
		return err
	}
	e.log.Info("superseded", "credential_id", oldID.String(), "superseded_by", newID.String(), "actor", *f.actor, "db", dbName(*f.db))
	fmt.Fprintf(e.stdout, "superseded\t%s\t%s\n", oldID, newID)
	return nil
}
