package workflow

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/issuance"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/templates"
	"github.com/kyso-vn/kyso/verify"
)

// Item outcomes.
const (
	OutcomeSigned    = "signed"
	OutcomePublished = "published"
	OutcomeFailed    = "failed"
	OutcomeSkipped   = "skipped"
)

// ErrStopped means the service stopped before the document was signed; it
// was left as it was and can be signed again.
var ErrStopped = errors.New("not signed: the service is stopping")

// ErrBatchLimit means the document was chosen beyond the batch limit
// (Service.MaxBatch) and left for the next batch.
var ErrBatchLimit = errors.New("not signed in this batch: more documents were chosen than one batch signs; sign the rest in the next batch")

// ItemResult is the outcome for one document of a batch.
type ItemResult struct {
	DocumentID string
	Title      string
	Outcome    string
	// Err says why the document was not signed; nil otherwise.
	Err error
}

// BatchResult is the outcome of a signing batch or upload.
type BatchResult struct {
	Items []ItemResult
	// Signed counts the signatures stored, Published the documents
	// registered after their last signature.
	Signed, Published, Failed int
}

func (b *BatchResult) add(it ItemResult) {
	switch it.Outcome {
	case OutcomeSigned:
		b.Signed++
	case OutcomePublished:
		b.Signed++
		b.Published++
	case OutcomeFailed:
		b.Failed++
	}
	b.Items = append(b.Items, it)
}

// checkBatch loads the documents of a batch for a and keeps those with a
// step of a's ready to sign; the others get an item saying why not.
func (svc *Service) checkBatch(ctx context.Context, a *Account, ids []string, res *BatchResult) ([]*Document, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: no document chosen", ErrInvalid)
	}
	var ok []*Document
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if len(seen) > svc.MaxBatch {
			// A province's diplomas are chosen all at once: the first
			// MaxBatch are signed, the rest wait for the next batch.
			res.add(ItemResult{DocumentID: id, Outcome: OutcomeSkipped, Err: ErrBatchLimit})
			continue
		}
		d, err := svc.Store.Document(ctx, id)
		if err == nil {
			var st *Step
			if st, err = d.StepFor(a.ID); err == nil {
				err = svc.stillSigner(ctx, a, d, st)
			}
		}
		if err != nil {
			it := ItemResult{DocumentID: id, Outcome: OutcomeFailed, Err: err}
			if d != nil {
				it.Title = d.Title
			}
			if errors.Is(err, ErrForbidden) || errors.Is(err, ErrNotFound) {
				_ = svc.Store.audit(ctx, nil, actorOf(a), ActionDenied, id, map[string]string{"what": "sign"})
			}
			res.add(it)
			continue
		}
		ok = append(ok, d)
	}
	return ok, nil
}

// SignBatch signs the documents ids with a's HSM key, opened with pin for
// this batch only and closed when it ends; the PIN is not kept. A document
// that is not a's to sign now (another person's, out of order, already
// signed) is refused on its own; a wrong PIN or an unavailable HSM refuses
// the batch before anything is signed, and is never retried. Each
// signature is stored on its own, over the exact version it was made on:
// when the context ends (the service stopping) the documents not reached
// are left untouched. Documents whose last signature this was are
// verified and registered.
func (svc *Service) SignBatch(ctx context.Context, a *Account, ids []string, pin []byte) (*BatchResult, error) {
	res := &BatchResult{}
	if a.KeyKind != KeyHSM {
		return nil, fmt.Errorf("%w: your key is on a USB token; download the batch and sign it with kyso sign", ErrWrongKeyKind)
	}
	docs, err := svc.checkBatch(ctx, a, ids, res)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return res, nil
	}
	if until, err := svc.Store.pinLockedUntil(ctx, a.ID); err != nil {
		return nil, err
	} else if until.After(svc.Now()) {
		_ = svc.Store.audit(ctx, nil, actorOf(a), ActionSignFailed, "", map[string]string{"reason": "pin_locked_by_service"})
		return nil, &PINLockedError{Until: until}
	}
	key, err := svc.OpenKey(ctx, a, pin)
	if err != nil {
		_ = svc.Store.audit(ctx, nil, actorOf(a), ActionSignFailed, "", map[string]string{"reason": keyFailure(err), "documents": fmt.Sprint(len(docs))})
		if errors.Is(err, hsm.ErrWrongPIN) {
			if until, lerr := svc.Store.pinFailed(ctx, a.ID); lerr != nil {
				return nil, errors.Join(err, lerr)
			} else if !until.IsZero() {
				return nil, &PINLockedError{Until: until}
			}
		}
		return nil, err
	}
	defer key.Close()
	if err := svc.Store.pinSucceeded(ctx, a.ID); err != nil {
		return nil, err
	}
	session, err := signer.NewSession(key.Signer, key.Chain)
	if err != nil {
		return nil, err
	}
	for i, d := range docs {
		if ctx.Err() != nil || svc.stopping() {
			for _, rest := range docs[i:] {
				res.add(ItemResult{DocumentID: rest.ID, Title: rest.Title, Outcome: OutcomeSkipped, Err: ErrStopped})
			}
			break
		}
		it := svc.signWithRetry(ctx, a, d.ID, func(data []byte, d *Document, st *Step) ([]byte, error) {
			opts, err := svc.signOptions(ctx, d, st, key.Chain)
			if err != nil {
				return nil, err
			}
			return session.Sign(ctx, data, opts)
		}, MethodHSM)
		res.add(it)
		if errors.Is(it.Err, hsm.ErrTokenRemoved) {
			for _, rest := range docs[i+1:] {
				res.add(ItemResult{DocumentID: rest.ID, Title: rest.Title, Outcome: OutcomeSkipped, Err: hsm.ErrTokenRemoved})
			}
			break
		}
	}
	return res, nil
}

// stillSigner checks, when a signs step st of d, that a still holds what
// made the step theirs at import: the role (principal, seal keeper,
// director) or the assignment to the class and subject, and an enabled
// account. A teacher replaced after the import cannot sign; the field's
// seed value names them, so the document goes to the new teacher through
// a correction naming them.
func (svc *Service) stillSigner(ctx context.Context, a *Account, d *Document, st *Step) error {
	org, err := svc.Store.Org(ctx, d.OrgID)
	if err != nil {
		return err
	}
	raw, err := svc.Store.DocumentRecord(ctx, d.ID)
	if err != nil {
		return err
	}
	rec, err := templates.DecodeRecord(raw)
	if err != nil {
		return fmt.Errorf("document %s record: %w", d.ID, err)
	}
	cur, err := svc.signerOf(ctx, org, rec, templates.SigningStep{Field: st.Field, Role: st.Role, Title: st.Title, Name: st.Name})
	if err != nil && !errors.Is(err, errNotSigner) {
		return err // the store's, or the context's
	}
	if err != nil || cur.ID != a.ID || a.Disabled {
		_ = svc.Store.audit(ctx, nil, actorOf(a), ActionDenied, d.ID, map[string]string{"what": "sign", "field": st.Field, "reason": "no_longer_assigned"})
		return fmt.Errorf("document %s field %s: %w: you no longer hold this role or assignment", d.ID, st.Field, ErrForbidden)
	}
	return nil
}

// Wrong PINs in a row before the service stops opening an account's key,
// and for how long. Tokens lock themselves after a few wrong PINs, but not
// all do (SoftHSM2, some network HSMs): without this a stolen session
// could try every PIN.
const (
	maxPINFailures = 5
	pinLockFor     = 15 * time.Minute
)

// PINLockedError means the service stopped opening the account's key after
// too many wrong PINs, until Until. It matches hsm.ErrPINLocked.
type PINLockedError struct{ Until time.Time }

func (e *PINLockedError) Error() string {
	return fmt.Sprintf("%v: too many wrong PINs; signing is locked until %s", hsm.ErrPINLocked, e.Until.Format(time.RFC3339))
}

// Is makes errors.Is(err, hsm.ErrPINLocked) true.
func (e *PINLockedError) Is(target error) bool { return target == hsm.ErrPINLocked }

// pinLockedUntil is when the account's signing lock ends (zero: none).
func (s *Store) pinLockedUntil(ctx context.Context, id string) (time.Time, error) {
	var until string
	err := s.db.QueryRowContext(ctx, s.bind(`SELECT pin_locked_until FROM accounts WHERE id = ?`), id).Scan(&until)
	return parseTime(until), err
}

// pinFailed counts a wrong PIN and, at maxPINFailures in a row, locks
// signing for pinLockFor; it returns the lock's end when it set one.
func (s *Store) pinFailed(ctx context.Context, id string) (time.Time, error) {
	var until time.Time
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.bind(`UPDATE accounts SET pin_failures = pin_failures + 1 WHERE id = ? RETURNING pin_failures`), id).Scan(&n); err != nil {
			return err
		}
		if n < maxPINFailures {
			return nil
		}
		until = s.now().Add(pinLockFor)
		if _, err := s.exec(ctx, tx, `UPDATE accounts SET pin_failures = 0, pin_locked_until = ? WHERE id = ?`, formatTime(until), id); err != nil {
			return err
		}
		return s.audit(ctx, tx, "account:"+id, ActionSignFailed, "", map[string]string{"reason": "pin_locked_by_service", "until": formatTime(until)})
	})
	return until, err
}

// pinSucceeded resets the account's wrong-PIN count.
func (s *Store) pinSucceeded(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, s.bind(`UPDATE accounts SET pin_failures = 0 WHERE id = ? AND pin_failures <> 0`), id)
	return err
}

// keyFailure names why a key did not open, for the audit log.
func keyFailure(err error) string {
	switch {
	case errors.Is(err, hsm.ErrWrongPIN):
		return "wrong_pin"
	case errors.Is(err, hsm.ErrPINLocked):
		return "pin_locked"
	case errors.Is(err, hsm.ErrTokenInUse):
		return "token_in_use"
	}
	return "hsm_unavailable"
}

// maxConflicts bounds how often a signature is made again because another
// signer stored theirs first.
const maxConflicts = 3

// signWithRetry signs document id with sign, and stores the result. When
// another signature was stored in between (a colleague signing the same
// học bạ at the same moment) it signs the new version again.
func (svc *Service) signWithRetry(ctx context.Context, a *Account, id string, sign func(data []byte, d *Document, st *Step) ([]byte, error), method string) ItemResult {
	it := ItemResult{DocumentID: id, Outcome: OutcomeFailed}
	for attempt := 0; ; attempt++ {
		if attempt > 2*maxConflicts {
			it.Err = fmt.Errorf("document %s: %w", id, ErrConflict)
			return it
		}
		data, version, err := svc.Store.DocumentPDF(ctx, id)
		if err != nil {
			it.Err = err
			return it
		}
		d, err := svc.Store.Document(ctx, id)
		if err != nil {
			it.Err = err
			return it
		}
		it.Title = d.Title
		if d.Version != version {
			continue // changed between the two reads
		}
		st, err := d.StepFor(a.ID)
		if err == nil {
			err = svc.stillSigner(ctx, a, d, st)
		}
		if err != nil {
			it.Err = err
			return it
		}
		signed, err := sign(data, d, st)
		if err != nil {
			it.Err = err
			_ = svc.Store.audit(ctx, nil, actorOf(a), ActionSignFailed, id, map[string]string{"field": st.Field, "reason": signFailure(err)})
			return it
		}
		err = svc.Store.saveSignature(ctx, d, st, signed, method, actorOf(a), nil)
		if errors.Is(err, ErrConflict) && attempt < maxConflicts {
			continue
		}
		if err != nil {
			it.Err = err
			return it
		}
		it.Outcome, it.Err = OutcomeSigned, nil
		if d.SignedCount()+1 == len(d.Steps) {
			if err := svc.publish(ctx, id, actorOf(a)); err != nil {
				// Signed and stored; registration is retried by
				// PublishPending.
				it.Err = fmt.Errorf("signed; registration pending: %w", err)
			} else {
				it.Outcome = OutcomePublished
			}
		}
		return it
	}
}

// signFailure names a signing failure for the audit log.
func signFailure(err error) string {
	for _, e := range []struct {
		err  error
		name string
	}{
		{signer.ErrWrongSigner, "wrong_signer"}, {signer.ErrOutOfOrder, "out_of_order"}, {signer.ErrFieldSigned, "field_signed"},
		{signer.ErrLocked, "locked"}, {signer.ErrTimestamp, "timestamp"}, {hsm.ErrTokenRemoved, "token_removed"},
	} {
		if errors.Is(err, e.err) {
			return e.name
		}
	}
	return "error"
}

// signOptions are the signer options of step st of d for a key with chain.
func (svc *Service) signOptions(ctx context.Context, d *Document, st *Step, chain []*x509.Certificate) (signer.Options, error) {
	desc, err := svc.describe(ctx, d.ID)
	if err != nil {
		return signer.Options{}, err
	}
	opts := stepOptions(d, st, d.SignedCount(), chain, svc.Now(), desc.Reason, desc.Location)
	opts.Timestamper = svc.Timestamper
	opts.Rand = svc.Rand
	opts.Appearance = &signer.Appearance{Renderer: svc.Fonts, Title: templates.SigningStep{Title: st.Title}.SignatureTitle()}
	return opts, nil
}

// describe describes the record of document id.
func (svc *Service) describe(ctx context.Context, id string) (issuance.Description, error) {
	raw, err := svc.Store.DocumentRecord(ctx, id)
	if err != nil {
		return issuance.Description{}, err
	}
	rec, err := templates.DecodeRecord(raw)
	if err != nil {
		return issuance.Description{}, fmt.Errorf("document %s record: %w", id, err)
	}
	return issuance.Describe(rec)
}

// publish verifies a fully signed document with the service's trust roots
// and registers it, superseding the version it corrects. It can be run
// again after a failure: a credential already registered with these exact
// bytes counts as done.
func (svc *Service) publish(ctx context.Context, id, actor string) error {
	d, err := svc.Store.Document(ctx, id)
	if err != nil {
		return err
	}
	if d.Status != StatusSigned {
		return fmt.Errorf("document %s is %s: %w", id, d.Status, ErrNotSigned)
	}
	data, _, err := svc.Store.DocumentPDF(ctx, id)
	if err != nil {
		return err
	}
	rep, err := verify.PDFContext(ctx, data, verify.Options{Roots: svc.Roots, TimestampRoots: svc.TimestampRoots, Now: svc.Now})
	if err != nil {
		return fmt.Errorf("self-check of %s: %w", id, err)
	}
	if rep.Indication != verify.TotalPassed {
		return fmt.Errorf("self-check of %s: %s %s: %s", id, rep.Indication, rep.SubIndication, rep.Summary("en"))
	}
	var signedSum [32]byte
	if b, err := hex.DecodeString(rep.Document.SignedSHA256); err != nil || len(b) != 32 {
		return fmt.Errorf("self-check of %s: no signed-content digest", id)
	} else {
		copy(signedSum[:], b)
	}
	desc, err := svc.describe(ctx, id)
	if err != nil {
		return err
	}
	credID, err := registry.ParseID(id)
	if err != nil {
		return err
	}
	public := desc.Public
	public.Serial = d.Key // the workflow's key (see prepareOne)
	if d.Supersedes != "" && desc.Kind != KindDiploma {
		// The registry keeps every version under its own serial; a
		// diploma's correction carries a new serial of its own.
		public.Serial = fmt.Sprintf("%s-R%d", public.Serial, correctionNumber(ctx, svc.Store, d))
	}
	last := rep.Signatures[len(rep.Signatures)-1].Signer.Subject
	cred := &registry.Credential{ID: credID, Kind: desc.Kind, LayoutVersion: d.Layout, Public: public,
		DocumentSHA256: sha256.Sum256(data), SignedSHA256: signedSum, Status: registry.StatusValid,
		IssuedAt: svc.Now(), Issuer: last}
	if err := svc.Registry.Issue(ctx, cred, actor); err != nil {
		var dup *registry.DuplicateError
		existing, gerr := svc.Registry.Get(ctx, credID)
		if !errors.As(err, &dup) || gerr != nil || existing.DocumentSHA256 != cred.DocumentSHA256 {
			return fmt.Errorf("register %s: %w", id, err)
		}
	}
	if d.Supersedes != "" {
		oldID, err := registry.ParseID(d.Supersedes)
		if err != nil {
			return err
		}
		if old, err := svc.Registry.Get(ctx, oldID); err == nil && old.Status == registry.StatusValid {
			if err := svc.Registry.Supersede(ctx, oldID, credID, d.Reason, actor, svc.Now()); err != nil {
				return fmt.Errorf("supersede %s by %s: %w", d.Supersedes, id, err)
			}
		}
	}
	return svc.Store.setStatus(ctx, id, StatusSigned, StatusPublished, actor, ActionRegister, map[string]string{
		"kind": desc.Kind, "document_sha256": hex.EncodeToString(cred.DocumentSHA256[:])})
}

// correctionNumber is 2 for the first correction of a document, 3 for the
// next, and so on.
func correctionNumber(ctx context.Context, s *Store, d *Document) int {
	n := 1
	for id := d.Supersedes; id != "" && n < 100; n++ {
		prev, err := s.Document(ctx, id)
		if err != nil {
			break
		}
		id = prev.Supersedes
	}
	return n
}

// PublishPending registers every fully signed document whose registration
// did not finish (the registry was unreachable, the service stopped). It
// runs at start-up and can run at any time.
func (svc *Service) PublishPending(ctx context.Context) (int, error) {
	var ids []string
	rows, err := svc.Store.db.QueryContext(ctx, `SELECT id FROM documents WHERE status = 'signed' ORDER BY updated_at`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	n := 0
	var errs []error
	for _, id := range ids {
		if err := svc.publish(ctx, id, "system:publish-pending"); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
