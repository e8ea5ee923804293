package workflow

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kyso-vn/kyso/internal/reqid"
)

// Audit actions.
const (
	ActionLogin          = "login"
	ActionLoginFailed    = "login_failed"
	ActionLockedOut      = "locked_out"
	ActionLogout         = "logout"
	ActionCreateOrg      = "create_org"
	ActionCreateAccount  = "create_account"
	ActionUpdateAccount  = "update_account"
	ActionAssign         = "assign"
	ActionCreateToken    = "create_token"
	ActionRevokeToken    = "revoke_token"
	ActionImport         = "import"
	ActionSign           = "sign"
	ActionSignFailed     = "sign_failed"
	ActionDownload       = "usb_download"
	ActionUploadRejected = "usb_upload_rejected"
	ActionRegister       = "register"
	ActionCorrect        = "correct"
	ActionDenied         = "denied"
	// ActionViewPDF records that someone opened a document's PDF (it holds
	// personal data).
	ActionViewPDF = "view_pdf"
)

// AuditEntry is one row of the staff audit log. Detail holds identifiers
// (document, account, token, field), never personal data or secrets.
type AuditEntry struct {
	ID        int64             `json:"id"`
	At        time.Time         `json:"at"`
	Actor     string            `json:"actor"`
	Action    string            `json:"action"`
	Subject   string            `json:"subject,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Detail    map[string]string `json:"detail,omitempty"`
}

// audit appends an entry inside tx (or on its own when tx is nil), with
// the request ID ctx carries (package internal/reqid).
func (s *Store) audit(ctx context.Context, tx *sql.Tx, actor, action, subject string, detail map[string]string) error {
	if detail == nil {
		detail = map[string]string{}
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	q := s.bind(`INSERT INTO audit (at, actor, action, subject, request_id, detail) VALUES (?, ?, ?, ?, ?, ?)`)
	args := []any{formatTime(s.now()), actor, action, subject, reqid.From(ctx), string(b)}
	if tx != nil {
		_, err = tx.ExecContext(ctx, q, args...)
	} else {
		_, err = s.db.ExecContext(ctx, q, args...)
	}
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// RecordAccess appends an audit entry for account a's action on subject
// that changes nothing in the store (viewing a document's PDF).
func (s *Store) RecordAccess(ctx context.Context, a *Account, action, subject string) error {
	return s.audit(ctx, nil, actorOf(a), action, subject, nil)
}

// AuditLog returns the newest entries first, at most limit of them, about
// subject when it is not empty.
func (s *Store) AuditLog(ctx context.Context, subject string, limit int) ([]AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	q := `SELECT id, at, actor, action, subject, request_id, detail FROM audit`
	var args []any
	if subject != "" {
		q += ` WHERE subject = ?`
		args = append(args, subject)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, s.bind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at, detail string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Subject, &e.RequestID, &detail); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
			return nil, fmt.Errorf("audit entry %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
