package sqlutil

import (
	"strings"
	"testing"
)

func TestBindDollar(t *testing.T) {
	tests := []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT * FROM t WHERE a = ? AND b = ?`, `SELECT * FROM t WHERE a = $1 AND b = $2`},
		{`INSERT INTO t VALUES (?, '?', ?, "q?")`, `INSERT INTO t VALUES ($1, '?', $2, "q?")`},
		{`SELECT 'it''s ?' || ?`, `SELECT 'it''s ?' || $1`},
		{strings.Repeat("?,", 11) + "?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12"},
	}
	for _, tt := range tests {
		if got := BindDollar(tt.in); got != tt.want {
			t.Errorf("BindDollar(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
