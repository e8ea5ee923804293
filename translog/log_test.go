package translog

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

func TestOpenRefusesBadConfig(t *testing.T) {
	ctx := context.Background()
	db := openSQL(t, "sqlite", sqliteDSN(filepath.Join(t.TempDir(), "log.db")))
	if err := Migrate(ctx, db, SQLite, testNow); err != nil {
		t.Fatal(err)
	}
	store, err := NewSQLStore(db, SQLite)
	if err != nil {
		t.Fatal(err)
	}
	priv, pub := testKeys(t, testOrigin, 1)
	otherPriv, _ := testKeys(t, testOrigin, 2)
	foreignPriv, _ := testKeys(t, "other.example/log", 2)
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"nil store", Config{PublicKey: pub, Now: testClock}, nil},
		{"nil clock", Config{Store: store, PublicKey: pub}, nil},
		{"no public key", Config{Store: store, Now: testClock}, ErrInvalidKey},
		{"private key as public key", Config{Store: store, PublicKey: priv, Now: testClock}, ErrInvalidKey},
		{"private key of another key", Config{Store: store, PublicKey: pub, PrivateKey: otherPriv, Now: testClock}, ErrInvalidKey},
		{"private key of another log", Config{Store: store, PublicKey: pub, PrivateKey: foreignPriv, Now: testClock}, ErrInvalidKey},
		{"public key as private key", Config{Store: store, PublicKey: pub, PrivateKey: pub, Now: testClock}, ErrInvalidKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(ctx, tc.cfg)
			if err == nil {
				t.Fatal("got nil error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	l, err := Open(ctx, Config{Store: store, PublicKey: pub + "\n", PrivateKey: priv, Now: testClock})
	if err != nil {
		t.Fatalf("keys with a trailing line feed, as read from files: %v", err)
	}
	if l.Origin() != testOrigin {
		t.Errorf("Origin: got %q, want %q", l.Origin(), testOrigin)
	}
}

func TestNewSQLStoreRefusesBadArguments(t *testing.T) {
	db := openSQL(t, "sqlite", sqliteDSN(filepath.Join(t.TempDir(), "log.db")))
	if _, err := NewSQLStore(nil, SQLite); err == nil {
		t.Error("nil database: got nil error")
	}
	if _, err := NewSQLStore(db, Dialect(0)); err == nil {
		t.Error("zero dialect: got nil error")
	}
	for d, want := range map[Dialect]string{SQLite: "sqlite", Postgres: "postgres", Dialect(7): "dialect(7)"} {
		if got := d.String(); got != want {
			t.Errorf("Dialect(%d).String(): got %q, want %q", int(d), got, want)
		}
	}
}
