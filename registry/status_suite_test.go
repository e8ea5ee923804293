package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// The status part of the conformance suite: revocation, supersession, the
// audit log they write, and the rules the database keeps by itself.

// issueAll issues every credential in cs, failing t on error.
func issueAll(t *testing.T, s storeUnderTest, cs ...*Credential) {
	t.Helper()
	for _, c := range cs {
		if err := s.Issue(t.Context(), c, "operator"); err != nil {
			t.Fatalf("Issue %s: %v", c.ID, err)
		}
	}
}

func mustGet(t *testing.T, s storeUnderTest, id ID) *Credential {
	t.Helper()
	c, err := s.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	return c
}

// wantStatusError checks that err is a *StatusError about id with problem p.
func wantStatusError(t *testing.T, err error, id ID, p StatusProblem) {
	t.Helper()
	if !errors.Is(err, ErrStatus) {
		t.Fatalf("error = %v, want %v", err, ErrStatus)
	}
	var se *StatusError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want a *StatusError", err)
	}
	if se.ID != id || se.Problem != p {
		t.Errorf("status error about %s: %v; want about %s: %v", se.ID, se.Problem, id, p)
	}
}

// auditActions lists the actions of a credential's audit log.
func auditActions(t *testing.T, s storeUnderTest, id ID) []string {
	t.Helper()
	es, err := s.AuditLog(t.Context(), id)
	if err != nil {
		t.Fatalf("AuditLog %s: %v", id, err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Action)
	}
	return out
}

func wantActions(t *testing.T, s storeUnderTest, id ID, want ...string) {
	t.Helper()
	if got := auditActions(t, s, id); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("audit actions of %s: got %v, want %v", id, got, want)
	}
}

func suiteRevoke(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(50)
	c := f.next(t)
	issueAll(t, s, c)
	at := suiteNow.Add(-time.Hour)
	const reason = "Cấp nhầm: sai ngày sinh"
	if err := s.Revoke(t.Context(), c.ID, reason, "officer-1", at); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	got := mustGet(t, s, c.ID)
	want := *c
	want.Status = StatusRevoked
	want.StatusReason = reason
	want.StatusChangedAt = at
	sameCredential(t, got, &want)
	if !got.SupersededBy.IsZero() || !got.Supersedes.IsZero() {
		t.Errorf("revoked credential links: superseded by %s, supersedes %s; want none", got.SupersededBy, got.Supersedes)
	}

	es, err := s.AuditLog(t.Context(), c.ID)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	if len(es) != 2 {
		t.Fatalf("audit entries: got %d, want 2", len(es))
	}
	e := es[1]
	if e.Action != ActionRevoke || e.Actor != "officer-1" || !e.At.Equal(suiteNow) || e.CredentialID != c.ID || e.Seq <= es[0].Seq {
		t.Errorf("revoke entry = %+v, want action %s by officer-1 at %v about %s after the issue entry", e, ActionRevoke, suiteNow, c.ID)
	}
	wantDetail := map[string]string{"reason": reason, "effective_at": formatTime(at), "previous_status": "valid"}
	if fmt.Sprint(e.Detail) != fmt.Sprint(wantDetail) {
		t.Errorf("revoke detail = %v, want %v", e.Detail, wantDetail)
	}

	// Revoked is final: a second revocation changes nothing and says so.
	err = s.Revoke(t.Context(), c.ID, "again", "officer-2", suiteNow)
	wantStatusError(t, err, c.ID, ProblemAlreadyRevoked)
	sameCredential(t, mustGet(t, s, c.ID), &want)
	wantActions(t, s, c.ID, ActionIssue, ActionRevoke)

	// The time of the change may be the moment of issue itself.
	d := f.next(t)
	issueAll(t, s, d)
	if err := s.Revoke(t.Context(), d.ID, "withdrawn", "officer-1", d.IssuedAt); err != nil {
		t.Errorf("Revoke at the issue time: %v", err)
	}
	wantCount(t, s, 2)
}

func suiteSupersede(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(51)
	old, repl, third := f.next(t), f.next(t), f.next(t)
	repl.IssuedAt = old.IssuedAt.Add(24 * time.Hour)
	third.IssuedAt = repl.IssuedAt.Add(24 * time.Hour)
	issueAll(t, s, old, repl, third)

	at := repl.IssuedAt.Add(time.Hour)
	const reason = "Đính chính họ tên theo quyết định số 12/QĐ-SGDĐT"
	if err := s.Supersede(t.Context(), old.ID, repl.ID, reason, "officer-1", at); err != nil {
		t.Fatalf("Supersede: %v", err)
	}
	gotOld, gotNew := mustGet(t, s, old.ID), mustGet(t, s, repl.ID)
	wantOld := *old
	wantOld.Status, wantOld.StatusReason, wantOld.StatusChangedAt = StatusSuperseded, reason, at
	sameCredential(t, gotOld, &wantOld)
	wantNew := *repl
	wantNew.StatusChangedAt = repl.IssuedAt
	sameCredential(t, gotNew, &wantNew)
	if gotOld.SupersededBy != repl.ID || !gotOld.Supersedes.IsZero() {
		t.Errorf("old: superseded by %s, supersedes %s; want superseded by %s, supersedes nothing", gotOld.SupersededBy, gotOld.Supersedes, repl.ID)
	}
	if gotNew.Supersedes != old.ID || !gotNew.SupersededBy.IsZero() {
		t.Errorf("replacement: supersedes %s, superseded by %s; want supersedes %s, superseded by nothing", gotNew.Supersedes, gotNew.SupersededBy, old.ID)
	}

	oldLog, err := s.AuditLog(t.Context(), old.ID)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	newLog, err := s.AuditLog(t.Context(), repl.ID)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	if len(oldLog) != 2 || len(newLog) != 2 {
		t.Fatalf("audit entries: old %d, replacement %d; want 2 and 2", len(oldLog), len(newLog))
	}
	effective := formatTime(at)
	for _, tt := range []struct {
		e      AuditEntry
		action string
		detail map[string]string
	}{
		{oldLog[1], ActionSupersede, map[string]string{"reason": reason, "effective_at": effective, "previous_status": "valid", "superseded_by": repl.ID.String()}},
		{newLog[1], ActionReplace, map[string]string{"reason": reason, "effective_at": effective, "supersedes": old.ID.String()}},
	} {
		if tt.e.Action != tt.action || tt.e.Actor != "officer-1" || !tt.e.At.Equal(suiteNow) {
			t.Errorf("entry = %+v, want %s by officer-1 at %v", tt.e, tt.action, suiteNow)
		}
		if fmt.Sprint(tt.e.Detail) != fmt.Sprint(tt.detail) {
			t.Errorf("%s detail = %v, want %v", tt.action, tt.e.Detail, tt.detail)
		}
	}

	// The replacement can itself be replaced: it then points both ways.
	at2 := third.IssuedAt
	if err := s.Supersede(t.Context(), repl.ID, third.ID, "second correction", "officer-2", at2); err != nil {
		t.Fatalf("Supersede the replacement: %v", err)
	}
	gotNew = mustGet(t, s, repl.ID)
	if gotNew.Status != StatusSuperseded || gotNew.Supersedes != old.ID || gotNew.SupersededBy != third.ID {
		t.Errorf("middle of the chain: status %s, supersedes %s, superseded by %s; want %s, %s, %s",
			gotNew.Status, gotNew.Supersedes, gotNew.SupersededBy, StatusSuperseded, old.ID, third.ID)
	}
	wantActions(t, s, repl.ID, ActionIssue, ActionReplace, ActionSupersede)

	// A superseded credential can still be revoked (say the original was
	// obtained by fraud); it keeps its link to the replacement.
	at3 := suiteNow
	if err := s.Revoke(t.Context(), old.ID, "gian lận hồ sơ", "officer-3", at3); err != nil {
		t.Fatalf("Revoke a superseded credential: %v", err)
	}
	gotOld = mustGet(t, s, old.ID)
	if gotOld.Status != StatusRevoked || gotOld.StatusReason != "gian lận hồ sơ" || !gotOld.StatusChangedAt.Equal(at3) || gotOld.SupersededBy != repl.ID {
		t.Errorf("revoked superseded credential: %s %q %v superseded by %s; want %s %q %v superseded by %s",
			gotOld.Status, gotOld.StatusReason, gotOld.StatusChangedAt, gotOld.SupersededBy, StatusRevoked, "gian lận hồ sơ", at3, repl.ID)
	}
	es, err := s.AuditLog(t.Context(), old.ID)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	if last := es[len(es)-1]; last.Action != ActionRevoke || last.Detail["previous_status"] != string(StatusSuperseded) {
		t.Errorf("last entry = %+v, want a revoke from %s", last, StatusSuperseded)
	}
	wantCount(t, s, 3)
}

// suiteStatusChangeRefused covers every refusal that depends on the
// credentials' state: the error names the credential and the problem, and
// nothing changes.
func suiteStatusChangeRefused(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(52)
	day := 24 * time.Hour
	base := time.Date(2025, time.July, 1, 8, 0, 0, 0, time.UTC)
	issueAt := func(c *Credential, at time.Time) *Credential {
		c.IssuedAt = at
		issueAll(t, s, c)
		return c
	}
	revoked := issueAt(f.next(t), base)
	if err := s.Revoke(t.Context(), revoked.ID, "withdrawn", "officer", base.Add(day)); err != nil {
		t.Fatal(err)
	}
	superseded, replacement := issueAt(f.next(t), base), issueAt(f.next(t), base.Add(day))
	if err := s.Supersede(t.Context(), superseded.ID, replacement.ID, "corrected", "officer", base.Add(2*day)); err != nil {
		t.Fatal(err)
	}
	valid1 := issueAt(f.next(t), base)
	valid2 := issueAt(f.next(t), base.Add(day))
	later := issueAt(f.next(t), base.Add(10*day))
	// A credential of another kind, written below the API, which knows
	// only diplomas for now.
	other := f.next(t)
	other.Kind = "transcript"
	other.IssuedAt = base.Add(day)
	core := s.raw()
	if err := core.inTx(t.Context(), func(tx *sql.Tx) error { return core.insertCredential(t.Context(), tx, other, suiteNow) }); err != nil {
		t.Fatalf("insert a transcript: %v", err)
	}
	absent := f.next(t)

	tests := []struct {
		name    string
		call    func() error
		wantID  ID
		problem StatusProblem // 0: want ErrNotFound
	}{
		{"revoke a revoked credential", func() error {
			return s.Revoke(t.Context(), revoked.ID, "again", "officer", suiteNow)
		}, revoked.ID, ProblemAlreadyRevoked},
		{"supersede a revoked credential", func() error {
			return s.Supersede(t.Context(), revoked.ID, later.ID, "x", "officer", suiteNow)
		}, revoked.ID, ProblemAlreadyRevoked},
		{"supersede a superseded credential", func() error {
			return s.Supersede(t.Context(), superseded.ID, later.ID, "x", "officer", suiteNow)
		}, superseded.ID, ProblemAlreadySuperseded},
		{"replacement revoked", func() error {
			return s.Supersede(t.Context(), valid1.ID, revoked.ID, "x", "officer", suiteNow)
		}, revoked.ID, ProblemReplacementNotValid},
		{"replacement superseded", func() error {
			return s.Supersede(t.Context(), valid1.ID, superseded.ID, "x", "officer", suiteNow)
		}, superseded.ID, ProblemReplacementNotValid},
		{"replacement of another kind", func() error {
			return s.Supersede(t.Context(), valid1.ID, other.ID, "x", "officer", suiteNow)
		}, other.ID, ProblemReplacementOtherKind},
		{"replacement already replaces another", func() error {
			return s.Supersede(t.Context(), valid1.ID, replacement.ID, "x", "officer", suiteNow)
		}, replacement.ID, ProblemReplacementReplacesAnother},
		{"replacement issued before the old one (IDs swapped)", func() error {
			return s.Supersede(t.Context(), valid2.ID, valid1.ID, "x", "officer", suiteNow)
		}, valid1.ID, ProblemReplacementOlder},
		{"revoke before the issue", func() error {
			return s.Revoke(t.Context(), valid1.ID, "x", "officer", base.Add(-time.Nanosecond))
		}, valid1.ID, ProblemBeforeLastChange},
		{"revoke a superseded credential before its supersession", func() error {
			return s.Revoke(t.Context(), superseded.ID, "x", "officer", base.Add(day))
		}, superseded.ID, ProblemBeforeLastChange},
		{"supersede before the replacement was issued", func() error {
			return s.Supersede(t.Context(), valid1.ID, later.ID, "x", "officer", base.Add(5*day))
		}, later.ID, ProblemBeforeLastChange},
		{"supersede before the old one was issued", func() error {
			return s.Supersede(t.Context(), valid1.ID, valid2.ID, "x", "officer", base.Add(-day))
		}, valid1.ID, ProblemBeforeLastChange},
		{"revoke an unknown credential", func() error {
			return s.Revoke(t.Context(), absent.ID, "x", "officer", suiteNow)
		}, absent.ID, 0},
		{"supersede an unknown credential", func() error {
			return s.Supersede(t.Context(), absent.ID, later.ID, "x", "officer", suiteNow)
		}, absent.ID, 0},
		{"supersede by an unknown credential", func() error {
			return s.Supersede(t.Context(), valid1.ID, absent.ID, "x", "officer", suiteNow)
		}, absent.ID, 0},
	}
	all := []*Credential{revoked, superseded, replacement, valid1, valid2, later, other}
	snapshot := func() map[ID]string {
		m := map[ID]string{}
		for _, c := range all {
			m[c.ID] = fmt.Sprintf("%+v %v", *mustGet(t, s, c.ID), auditActions(t, s, c.ID))
		}
		return m
	}
	before := snapshot()
	auditBefore := countRows(t, s, "audit_log")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if tt.problem == 0 {
				if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrStatus) {
					t.Fatalf("error = %v, want %v", err, ErrNotFound)
				}
				if !strings.Contains(err.Error(), tt.wantID.String()) {
					t.Errorf("error %q does not name the missing credential %s", err, tt.wantID)
				}
				return
			}
			wantStatusError(t, err, tt.wantID, tt.problem)
		})
	}
	after := snapshot()
	for id, b := range before {
		if after[id] != b {
			t.Errorf("credential %s changed after refused changes:\ngot  %s\nwant %s", id, after[id], b)
		}
	}
	if got := countRows(t, s, "audit_log"); got != auditBefore {
		t.Errorf("audit rows after refused changes: got %d, want %d", got, auditBefore)
	}
}

// suiteInvalidStatusChange covers requests refused before any lookup.
func suiteInvalidStatusChange(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(53)
	a, b := f.next(t), f.next(t)
	issueAll(t, s, a, b)
	type req struct {
		reason, actor string
		at            time.Time
	}
	good := req{"withdrawn", "officer", suiteNow}
	tests := []struct {
		name   string
		modify func(r *req)
	}{
		{"empty reason", func(r *req) { r.reason = "" }},
		{"blank reason", func(r *req) { r.reason = " \t\n" }},
		{"reason too long", func(r *req) { r.reason = strings.Repeat("x", maxStatusReason+1) }},
		{"NUL in reason", func(r *req) { r.reason = "sai\x00sót" }},
		{"invalid UTF-8 in reason", func(r *req) { r.reason = "sai \xff" }},
		{"empty actor", func(r *req) { r.actor = "" }},
		{"invalid UTF-8 in actor", func(r *req) { r.actor = "\xc3" }},
		{"zero time", func(r *req) { r.at = time.Time{} }},
		{"time after the store's clock", func(r *req) { r.at = suiteNow.Add(time.Nanosecond) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.modify(&r)
			if err := s.Revoke(t.Context(), a.ID, r.reason, r.actor, r.at); !errors.Is(err, ErrInvalidStatusChange) {
				t.Errorf("Revoke error = %v, want %v", err, ErrInvalidStatusChange)
			}
			if err := s.Supersede(t.Context(), a.ID, b.ID, r.reason, r.actor, r.at); !errors.Is(err, ErrInvalidStatusChange) {
				t.Errorf("Supersede error = %v, want %v", err, ErrInvalidStatusChange)
			}
		})
	}
	ids := []struct {
		name     string
		old, new ID
	}{
		{"zero old ID", ID{}, b.ID},
		{"zero new ID", a.ID, ID{}},
		{"replaces itself", a.ID, a.ID},
	}
	for _, tt := range ids {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Supersede(t.Context(), tt.old, tt.new, good.reason, good.actor, good.at); !errors.Is(err, ErrInvalidStatusChange) {
				t.Errorf("Supersede error = %v, want %v", err, ErrInvalidStatusChange)
			}
		})
	}
	if err := s.Revoke(t.Context(), ID{}, good.reason, good.actor, good.at); !errors.Is(err, ErrInvalidStatusChange) {
		t.Errorf("Revoke(zero ID) error = %v, want %v", err, ErrInvalidStatusChange)
	}
	for _, c := range []*Credential{a, b} {
		if got := mustGet(t, s, c.ID); got.Status != StatusValid {
			t.Errorf("credential %s status %s after invalid requests, want %s", c.ID, got.Status, StatusValid)
		}
	}
	if got := countRows(t, s, "audit_log"); got != 2 {
		t.Errorf("audit rows: got %d, want 2", got)
	}
}

// suiteStatusRulesInDatabase changes statuses behind the API's back: the
// database itself allows only the registry's transitions.
func suiteStatusRulesInDatabase(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(54)
	core := s.raw()
	exec := func(query string, args ...any) error {
		_, err := core.db.ExecContext(t.Context(), core.dialect.bind(query), args...)
		return err
	}
	const setStatus = `UPDATE credentials SET status = ?, status_reason = ?, status_changed_at = ? WHERE id = ?`
	const setSuperseded = `UPDATE credentials SET status = 'superseded', status_reason = ?, status_changed_at = ?, superseded_by = ? WHERE id = ?`
	later := formatTime(suiteNow)
	type fixture struct{ valid, valid2, revoked, superseded, replacement *Credential }
	setup := func(t *testing.T) fixture {
		var x fixture
		x.valid, x.valid2, x.revoked, x.superseded, x.replacement = f.next(t), f.next(t), f.next(t), f.next(t), f.next(t)
		issueAll(t, s, x.valid, x.valid2, x.revoked, x.superseded, x.replacement)
		if err := s.Revoke(t.Context(), x.revoked.ID, "withdrawn", "officer", suiteNow.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.Supersede(t.Context(), x.superseded.ID, x.replacement.ID, "corrected", "officer", suiteNow.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		return x
	}
	tests := []struct {
		name   string
		run    func(x fixture) error
		accept bool
	}{
		{"valid to revoked", func(x fixture) error { return exec(setStatus, "revoked", "withdrawn", later, x.valid.ID.Compact()) }, true},
		{"valid to superseded by a valid credential", func(x fixture) error {
			return exec(setSuperseded, "corrected", later, x.valid2.ID.Compact(), x.valid.ID.Compact())
		}, true},
		{"superseded to revoked", func(x fixture) error {
			return exec(setStatus, "revoked", "fraud", later, x.superseded.ID.Compact())
		}, true},
		{"revoked back to valid", func(x fixture) error { return exec(setStatus, "valid", "mistake", later, x.revoked.ID.Compact()) }, false},
		{"revoked to superseded", func(x fixture) error {
			return exec(setSuperseded, "x", later, x.valid.ID.Compact(), x.revoked.ID.Compact())
		}, false},
		{"superseded back to valid", func(x fixture) error {
			return exec(setStatus, "valid", "mistake", later, x.superseded.ID.Compact())
		}, false},
		{"revoked again", func(x fixture) error { return exec(setStatus, "revoked", "again", later, x.revoked.ID.Compact()) }, false},
		{"reason rewritten", func(x fixture) error {
			return exec(`UPDATE credentials SET status_reason = 'other' WHERE id = ?`, x.revoked.ID.Compact())
		}, false},
		{"status time moved", func(x fixture) error {
			return exec(`UPDATE credentials SET status_changed_at = ? WHERE id = ?`, later, x.revoked.ID.Compact())
		}, false},
		{"revoked without a reason", func(x fixture) error { return exec(setStatus, "revoked", "", later, x.valid.ID.Compact()) }, false},
		{"status change back in time", func(x fixture) error {
			return exec(setStatus, "revoked", "x", formatTime(x.valid.IssuedAt.Add(-time.Second)), x.valid.ID.Compact())
		}, false},
		{"superseded without a replacement", func(x fixture) error {
			return exec(setStatus, "superseded", "x", later, x.valid.ID.Compact())
		}, false},
		{"superseded by itself", func(x fixture) error {
			return exec(setSuperseded, "x", later, x.valid.ID.Compact(), x.valid.ID.Compact())
		}, false},
		{"superseded by a revoked credential", func(x fixture) error {
			return exec(setSuperseded, "x", later, x.revoked.ID.Compact(), x.valid.ID.Compact())
		}, false},
		{"superseded by a replacement of another", func(x fixture) error {
			return exec(setSuperseded, "x", later, x.replacement.ID.Compact(), x.valid.ID.Compact())
		}, false},
		{"revoked while pointing to a replacement", func(x fixture) error {
			return exec(`UPDATE credentials SET status = 'revoked', status_reason = 'x', status_changed_at = ?, superseded_by = ? WHERE id = ?`,
				later, x.valid2.ID.Compact(), x.valid.ID.Compact())
		}, false},
		{"replacement changed", func(x fixture) error {
			return exec(`UPDATE credentials SET superseded_by = ? WHERE id = ?`, x.valid.ID.Compact(), x.superseded.ID.Compact())
		}, false},
		{"replacement dropped on revocation", func(x fixture) error {
			return exec(`UPDATE credentials SET status = 'revoked', status_reason = 'x', status_changed_at = ?, superseded_by = NULL WHERE id = ?`,
				later, x.superseded.ID.Compact())
		}, false},
		{"supersedes changed", func(x fixture) error {
			return exec(`UPDATE credentials SET supersedes = ? WHERE id = ?`, x.valid.ID.Compact(), x.replacement.ID.Compact())
		}, false},
		{"supersedes cleared", func(x fixture) error {
			return exec(`UPDATE credentials SET supersedes = NULL WHERE id = ?`, x.replacement.ID.Compact())
		}, false},
		{"supersedes set without the link back", func(x fixture) error {
			return exec(`UPDATE credentials SET supersedes = ? WHERE id = ?`, x.valid.ID.Compact(), x.valid2.ID.Compact())
		}, false},
		{"issued revoked", func(x fixture) error {
			c := f.next(t)
			return exec(`INSERT INTO credentials (id, kind, layout_version, public, document_sha256, signed_sha256,
    status, status_reason, status_changed_at, issued_at, issuer, created_at)
VALUES (?, 'diploma', 'diploma/v1', '{}', ?, ?, 'revoked', 'x', ?, ?, 'someone', ?)`,
				c.ID.Compact(), fmt.Sprintf("%x", c.DocumentSHA256), fmt.Sprintf("%x", c.SignedSHA256), later, later, later)
		}, false},
		{"issued already superseding", func(x fixture) error {
			c := f.next(t)
			return exec(`INSERT INTO credentials (id, kind, layout_version, public, document_sha256, signed_sha256,
    status, status_changed_at, supersedes, issued_at, issuer, created_at)
VALUES (?, 'diploma', 'diploma/v1', '{}', ?, ?, 'valid', ?, ?, ?, 'someone', ?)`,
				c.ID.Compact(), fmt.Sprintf("%x", c.DocumentSHA256), fmt.Sprintf("%x", c.SignedSHA256), later, x.valid.ID.Compact(), later, later)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := setup(t)
			err := tt.run(x)
			if tt.accept && err != nil {
				t.Errorf("got %v, want the database to accept the change", err)
			}
			if !tt.accept && err == nil {
				t.Errorf("got no error, want the database to refuse")
			}
		})
	}
}

func suiteAuditLog(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(55)
	c := f.next(t)
	issueAll(t, s, c)
	es, err := s.AuditLog(t.Context(), c.ID)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	if len(es) != 1 {
		t.Fatalf("audit entries: got %d, want 1", len(es))
	}
	e := es[0]
	if e.Action != ActionIssue || e.Actor != "operator" || e.CredentialID != c.ID || !e.At.Equal(suiteNow) || e.At.Location() != time.UTC {
		t.Errorf("issue entry = %+v, want %s by operator about %s at %v UTC", e, ActionIssue, c.ID, suiteNow)
	}
	if e.Detail["serial"] != c.Public.Serial || e.Detail["document_sha256"] != fmt.Sprintf("%x", c.DocumentSHA256) {
		t.Errorf("issue detail = %v, want the serial and document hash", e.Detail)
	}

	if _, err := s.AuditLog(t.Context(), f.next(t).ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("AuditLog of an unknown credential: error = %v, want %v", err, ErrNotFound)
	}

	// A credential written without the registry has a record but no
	// history: an empty log, not an error.
	bare := f.next(t)
	core := s.raw()
	if err := core.inTx(t.Context(), func(tx *sql.Tx) error { return core.insertCredential(t.Context(), tx, bare, suiteNow) }); err != nil {
		t.Fatal(err)
	}
	if es, err := s.AuditLog(t.Context(), bare.ID); err != nil || len(es) != 0 {
		t.Errorf("AuditLog of an unaudited credential = %v, %v; want no entries and no error", es, err)
	}
}

// suiteConcurrentRevoke races revocations of one credential: exactly one
// succeeds and writes one audit entry; the others learn it is revoked.
func suiteConcurrentRevoke(t *testing.T, s storeUnderTest) {
	const workers = 8
	c := newCredentialFactory(56).next(t)
	issueAll(t, s, c)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			errs[i] = s.Revoke(t.Context(), c.ID, fmt.Sprintf("reason %d", i), fmt.Sprintf("officer-%d", i), suiteNow)
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("revocations %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		default:
			wantStatusError(t, err, c.ID, ProblemAlreadyRevoked)
		}
	}
	if winner < 0 {
		t.Fatalf("no revocation succeeded: %v", errs)
	}
	got := mustGet(t, s, c.ID)
	if got.Status != StatusRevoked || got.StatusReason != fmt.Sprintf("reason %d", winner) {
		t.Errorf("status %s reason %q, want %s %q", got.Status, got.StatusReason, StatusRevoked, fmt.Sprintf("reason %d", winner))
	}
	es, err := s.AuditLog(t.Context(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[1].Actor != fmt.Sprintf("officer-%d", winner) {
		t.Errorf("audit entries = %+v, want the issue and one revoke by officer-%d", es, winner)
	}
}

// suiteConcurrentSupersede races supersessions that cannot all hold: the
// same old credential replaced by several, several replaced by the same
// one, and two credentials each replacing the other (which must not
// deadlock). Exactly one of each race wins and the links agree.
func suiteConcurrentSupersede(t *testing.T, s storeUnderTest) {
	const workers = 6
	f := newCredentialFactory(57)
	race := func(t *testing.T, calls []func() error) (winner int, errs []error) {
		t.Helper()
		errs = make([]error, len(calls))
		var wg sync.WaitGroup
		for i, call := range calls {
			wg.Go(func() { errs[i] = call() })
		}
		wg.Wait()
		winner = -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Fatalf("calls %d and %d both succeeded", winner, i)
				}
				winner = i
			} else if !errors.Is(err, ErrStatus) {
				t.Errorf("call %d: error = %v, want %v", i, err, ErrStatus)
			}
		}
		if winner < 0 {
			t.Fatalf("no call succeeded: %v", errs)
		}
		return winner, errs
	}
	linked := func(t *testing.T, old, repl ID) {
		t.Helper()
		o, n := mustGet(t, s, old), mustGet(t, s, repl)
		if o.Status != StatusSuperseded || o.SupersededBy != repl || n.Supersedes != old || n.Status != StatusValid {
			t.Errorf("after the race: old %s %s superseded by %s; replacement %s %s supersedes %s",
				old, o.Status, o.SupersededBy, repl, n.Status, n.Supersedes)
		}
	}

	t.Run("one old, many replacements", func(t *testing.T) {
		old := f.next(t)
		issueAll(t, s, old)
		repls := make([]*Credential, workers)
		var calls []func() error
		for i := range repls {
			repls[i] = f.next(t)
			issueAll(t, s, repls[i])
			calls = append(calls, func() error {
				return s.Supersede(t.Context(), old.ID, repls[i].ID, "corrected", "officer", suiteNow)
			})
		}
		w, errs := race(t, calls)
		for i, err := range errs {
			if i != w {
				wantStatusError(t, err, old.ID, ProblemAlreadySuperseded)
			}
		}
		linked(t, old.ID, repls[w].ID)
	})
	t.Run("many old, one replacement", func(t *testing.T) {
		olds := make([]*Credential, workers)
		for i := range olds {
			olds[i] = f.next(t)
			issueAll(t, s, olds[i])
		}
		repl := f.next(t)
		issueAll(t, s, repl)
		var calls []func() error
		for i := range olds {
			calls = append(calls, func() error {
				return s.Supersede(t.Context(), olds[i].ID, repl.ID, "corrected", "officer", suiteNow)
			})
		}
		w, errs := race(t, calls)
		for i, err := range errs {
			if i != w {
				wantStatusError(t, err, repl.ID, ProblemReplacementReplacesAnother)
			}
		}
		linked(t, olds[w].ID, repl.ID)
	})
	t.Run("each replacing the other", func(t *testing.T) {
		for range 5 {
			a, b := f.next(t), f.next(t)
			issueAll(t, s, a, b)
			w, _ := race(t, []func() error{
				func() error { return s.Supersede(t.Context(), a.ID, b.ID, "corrected", "officer", suiteNow) },
				func() error { return s.Supersede(t.Context(), b.ID, a.ID, "corrected", "officer", suiteNow) },
			})
			if w == 0 {
				linked(t, a.ID, b.ID)
			} else {
				linked(t, b.ID, a.ID)
			}
		}
	})
	t.Run("supersede and revoke the replacement", func(t *testing.T) {
		// Either order is allowed; whichever runs first, the links agree
		// and the replacement ends revoked.
		for range 5 {
			old, repl := f.next(t), f.next(t)
			issueAll(t, s, old, repl)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			wg.Go(func() { errs[0] = s.Supersede(t.Context(), old.ID, repl.ID, "corrected", "officer", suiteNow) })
			wg.Go(func() { errs[1] = s.Revoke(t.Context(), repl.ID, "withdrawn", "officer", suiteNow) })
			wg.Wait()
			if errs[1] != nil {
				t.Fatalf("Revoke: %v", errs[1])
			}
			o, n := mustGet(t, s, old.ID), mustGet(t, s, repl.ID)
			if n.Status != StatusRevoked {
				t.Errorf("replacement status %s, want %s", n.Status, StatusRevoked)
			}
			if errs[0] == nil {
				if o.Status != StatusSuperseded || o.SupersededBy != repl.ID || n.Supersedes != old.ID {
					t.Errorf("supersession won but links disagree: old %s by %s, replacement supersedes %s", o.Status, o.SupersededBy, n.Supersedes)
				}
			} else {
				wantStatusError(t, errs[0], repl.ID, ProblemReplacementNotValid)
				if o.Status != StatusValid || !o.SupersededBy.IsZero() || !n.Supersedes.IsZero() {
					t.Errorf("supersession lost but left traces: old %s by %s, replacement supersedes %s", o.Status, o.SupersededBy, n.Supersedes)
				}
			}
		}
	})
}

// suiteStatusChangeAuditInSameTransaction makes the audit insert fail: the
// status change must not happen without its entry.
func suiteStatusChangeAuditInSameTransaction(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(58)
	a, b, c := f.next(t), f.next(t), f.next(t)
	issueAll(t, s, a, b, c)
	s.breakAuditLog(t)
	if err := s.Revoke(t.Context(), a.ID, "withdrawn", "officer", suiteNow); err == nil || errors.Is(err, ErrStatus) || errors.Is(err, ErrInvalidStatusChange) {
		t.Errorf("Revoke with a failing audit insert: error = %v, want a storage failure", err)
	}
	if err := s.Supersede(t.Context(), b.ID, c.ID, "corrected", "officer", suiteNow); err == nil || errors.Is(err, ErrStatus) || errors.Is(err, ErrInvalidStatusChange) {
		t.Errorf("Supersede with a failing audit insert: error = %v, want a storage failure", err)
	}
	for _, x := range []*Credential{a, b, c} {
		got := mustGet(t, s, x.ID)
		if got.Status != StatusValid || got.StatusReason != "" || !got.SupersededBy.IsZero() || !got.Supersedes.IsZero() {
			t.Errorf("credential %s after failed changes: %s %q links %s/%s; want valid and unlinked",
				x.ID, got.Status, got.StatusReason, got.SupersededBy, got.Supersedes)
		}
	}
}

// suiteReadOnly opens the database read-only: lookups work, every write is
// refused by the store, and the database refuses writes made below it.
func suiteReadOnly(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(59)
	a, b := f.next(t), f.next(t)
	issueAll(t, s, a, b)
	r := s.reopenReadOnly(t)
	t.Cleanup(func() { r.Close() })
	if err := r.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if got, err := r.Get(t.Context(), a.ID); err != nil || got.ID != a.ID {
		t.Errorf("Get = %v, %v; want %s", got, err, a.ID)
	}
	if es, err := r.AuditLog(t.Context(), a.ID); err != nil || len(es) != 1 {
		t.Errorf("AuditLog = %v, %v; want one entry", es, err)
	}
	writes := []struct {
		name string
		call func() error
	}{
		{"Issue", func() error { return r.Issue(t.Context(), f.next(t), "operator") }},
		{"Revoke", func() error { return r.Revoke(t.Context(), a.ID, "withdrawn", "officer", suiteNow) }},
		{"Supersede", func() error { return r.Supersede(t.Context(), a.ID, b.ID, "corrected", "officer", suiteNow) }},
	}
	for _, w := range writes {
		if err := w.call(); !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only store: error = %v, want %v", w.name, err, ErrReadOnly)
		}
	}
	core := r.raw()
	if _, err := core.db.ExecContext(t.Context(), core.dialect.bind(`UPDATE credentials SET status = 'revoked', status_reason = 'x', status_changed_at = ? WHERE id = ?`),
		formatTime(suiteNow), a.ID.Compact()); err == nil {
		t.Error("raw update through a read-only store: got no error, want the database to refuse")
	}
	if got := mustGet(t, s, a.ID); got.Status != StatusValid {
		t.Errorf("status after refused writes: %s, want %s", got.Status, StatusValid)
	}

	// The reader sees later changes by the writer.
	if err := s.Revoke(t.Context(), a.ID, "withdrawn", "officer", suiteNow); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if got, err := r.Get(ctx, a.ID); err != nil || got.Status != StatusRevoked {
		t.Errorf("reader Get after a revoke = %v, %v; want %s", got, err, StatusRevoked)
	}
}
