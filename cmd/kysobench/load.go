package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"time"

	"github.com/kyso-vn/kyso/registry"
)

// The bulk path.
//
// registry.Issue writes one credential per transaction with synchronous=FULL,
// so each credential costs an fsync: far too slow for a million fixtures.
// The registry has no batch API, so this tool loads synthetic credentials
// with plain SQL against the schema the registry itself created (OpenSQLite
// runs the migrations first), many thousand rows per transaction and with
// synchronous=OFF on the loading connection only. The schema's CHECK
// constraints and triggers stay in force, so a row the registry would not
// accept is refused here too. Each credential gets the same "issue" audit row
// registry.Issue writes. No transparency log is configured for the bench
// registry, so there are no log entries to keep consistent; the server is
// started without --log-pub.
//
// Only the fixtures take this path. The server under test is the real
// "kyso serve" reading the file read-only.

// loader appends synthetic credentials to a registry file.
type loader struct {
	db   *sql.DB
	rand io.Reader
	// next is the index of the next synthetic credential.
	next int
	// ids holds the compact IDs of every synthetic credential loaded.
	ids []string
	// issued is the IssuedAt of every synthetic credential.
	issued time.Time
}

// openLoader opens path, whose schema registry.OpenSQLite has created.
func openLoader(path string, rand io.Reader, issued time.Time) (*loader, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "recursive_triggers(1)")
	q.Add("_pragma", "synchronous(OFF)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &loader{db: db, rand: rand, issued: issued}, nil
}

// loadTo adds synthetic credentials until the loader has added total of
// them, batch rows per transaction.
func (l *loader) loadTo(ctx context.Context, total, batch int) error {
	for l.next < total {
		n := min(batch, total-l.next)
		if err := l.loadBatch(ctx, n); err != nil {
			return fmt.Errorf("load credentials %d..%d: %w", l.next, l.next+n, err)
		}
	}
	return nil
}

func (l *loader) loadBatch(ctx context.Context, n int) (err error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	insCred, err := tx.PrepareContext(ctx, `INSERT INTO credentials (
    id, kind, layout_version, public, serial, document_sha256, signed_sha256,
    status, status_reason, status_changed_at, issued_at, issuer, created_at
) VALUES (?, ?, ?, ?, ?, ?, ?, 'valid', '', ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insCred.Close()
	insAudit, err := tx.PrepareContext(ctx, `INSERT INTO audit_log (at, actor, action, credential_id, detail) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insAudit.Close()
	const issuer = "CN=Giám đốc (kysobench), O=Sở Giáo dục và Đào tạo (synthetic)"
	issued := l.issued.UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
	for range n {
		i := l.next
		id, err := registry.NewID(l.rand)
		if err != nil {
			return err
		}
		doc, signed := fixtureDigests(i)
		serial := fmt.Sprintf("BENCH%08d", i)
		public, err := json.Marshal(registry.PublicFields{
			HolderName:       fmt.Sprintf("Nguyễn Văn Thử %d", i),
			DateOfBirth:      fmt.Sprintf("%02d/%02d/2007", i%28+1, i%12+1),
			KindLabel:        "Bằng tốt nghiệp trung học phổ thông",
			Year:             2025,
			School:           fmt.Sprintf("Trường THPT Thử nghiệm số %d", i%1000),
			Serial:           serial,
			IssuingAuthority: "Sở Giáo dục và Đào tạo (synthetic)",
		})
		if err != nil {
			return err
		}
		detail, err := json.Marshal(map[string]string{
			"kind": registry.KindDiploma, "layout_version": "diploma/v1",
			"document_sha256": doc, "signed_sha256": signed, "issuer": issuer, "serial": serial,
		})
		if err != nil {
			return err
		}
		cid := id.Compact()
		if _, err := insCred.ExecContext(ctx, cid, registry.KindDiploma, "diploma/v1", string(public), serial,
			doc, signed, issued, issued, issuer, issued); err != nil {
			return err
		}
		if _, err := insAudit.ExecContext(ctx, issued, "kysobench", registry.ActionIssue, cid, string(detail)); err != nil {
			return err
		}
		l.ids = append(l.ids, cid)
		l.next++
	}
	return tx.Commit()
}

// fixtureDigests returns distinct document and signed-content digests, as
// hex, for synthetic credential i. They are hashes of labels, so no real
// PDF matches them.
func fixtureDigests(i int) (doc, signed string) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	d := sha256.Sum256(append([]byte("kysobench document "), b[:]...))
	s := sha256.Sum256(append([]byte("kysobench signed "), b[:]...))
	return hex.EncodeToString(d[:]), hex.EncodeToString(s[:])
}
