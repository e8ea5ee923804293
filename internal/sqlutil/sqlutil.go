// Package sqlutil holds the small pieces of database/sql code that the
// stores (registry, translog, workflow) share: PostgreSQL placeholders and
// transactions.
package sqlutil

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// BindDollar rewrites ? placeholders into PostgreSQL's $1, $2, ... leaving
// question marks inside quoted literals and identifiers alone.
func BindDollar(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		ch := query[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// InTx runs fn in a transaction of db and commits when fn returns nil; it
// rolls back otherwise and returns fn's error.
func InTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
