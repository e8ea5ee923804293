package workflow

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxReason bounds a correction's reason.
const maxReason = 500

// Correct issues a corrected version of document id from a data file
// holding exactly its corrected record, for reason. The new version gets a
// new credential ID and goes back to every signer of its plan: each
// signature covers the whole document, so the people whose part did not
// change sign the corrected version too. The old version stops waiting for
// signatures at once; if it was published it stays valid in the registry
// until the corrected version is published, which supersedes it there with
// the reason. Only the organisation's administrator (school IT for
// gradebooks and học bạ, the Sở's for diplomas) corrects. A diploma's
// correction must carry a new serial; other kinds keep their key.
func (svc *Service) Correct(ctx context.Context, a *Account, id, fileName string, data []byte, reason string) (*Document, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxReason {
		return nil, fmt.Errorf("%w: field %q: a reason of 1 to %d characters is required", ErrInvalid, "reason", maxReason)
	}
	old, err := svc.Store.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	org, err := svc.Store.Org(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	if old.OrgID != org.ID {
		return nil, fmt.Errorf("document %s: %w", id, ErrNotFound)
	}
	if err := mayImport(a, org, old.Kind); err != nil {
		_ = svc.Store.audit(ctx, nil, actorOf(a), ActionDenied, id, map[string]string{"what": "correct"})
		return nil, err
	}
	switch old.Status {
	case StatusSuperseded:
		return nil, fmt.Errorf("document %s: %w: it is already superseded; correct its newest version", id, ErrConflict)
	case StatusSigned:
		return nil, fmt.Errorf("document %s: %w: it is being registered; correct it once it is published", id, ErrConflict)
	}
	records, err := readRecords(old.Kind, fileName, data)
	if err != nil {
		return nil, err
	}
	if len(records) != 1 {
		return nil, fmt.Errorf("%s: %w: a correction holds exactly one record, found %d", fileName, ErrInvalid, len(records))
	}
	p, _, err := svc.prepareOne(ctx, org, records[0], old.ID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fileName, err)
	}
	switch {
	case old.Kind == KindDiploma && p.desc.Key == old.Key:
		return nil, fmt.Errorf("%s: %w: field %q: a corrected diploma needs a new serial number", fileName, ErrInvalid, "so_hieu")
	case old.Kind != KindDiploma && p.desc.Key != old.Key:
		return nil, fmt.Errorf("%s: %w: the corrected record is another document (%s, not %s)", fileName, ErrInvalid, p.desc.Key, old.Key)
	}
	p.nd.doc.Reason = reason
	if old.Status == StatusWaiting && old.Supersedes != "" {
		// old was itself a correction never published: the new version
		// replaces the version old would have replaced, so that one is
		// superseded when this one is published.
		p.nd.doc.Supersedes = old.Supersedes
	}
	err = svc.Store.tx(ctx, func(tx *sql.Tx) error {
		res, err := svc.Store.exec(ctx, tx, `UPDATE documents SET status = 'superseded', updated_at = ? WHERE id = ? AND status = ?`,
			formatTime(svc.Now()), old.ID, string(old.Status))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("document %s: %w", old.ID, ErrConflict)
		}
		if err := svc.Store.insertDocument(ctx, tx, &p.nd); err != nil {
			return err
		}
		return svc.Store.audit(ctx, tx, actorOf(a), ActionCorrect, p.nd.doc.ID, map[string]string{
			"supersedes": old.ID, "previous_status": string(old.Status)})
	})
	if err != nil {
		return nil, err
	}
	return svc.Store.Document(ctx, p.nd.doc.ID)
}
