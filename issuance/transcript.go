package issuance

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/templates"
)

// KindTranscript is the registry kind of one school year of a học bạ.
const KindTranscript = "hocba"

// TranscriptKindLabel is the document title the registry shows for a học bạ.
const TranscriptKindLabel = "Học bạ"

// TranscriptRenderFunc renders a học bạ year to an unsigned PDF.
type TranscriptRenderFunc func(t *templates.Transcript, meta templates.IssueMeta) ([]byte, error)

// TranscriptKey returns the key a học bạ year is registered under: "HB-",
// the school, the school year and the student's identifier, folded like
// GradebookKey ("HB-THPT-CHUYEN-BEN-TRE-2024-2025-8320241001"). t must be
// normalised.
func TranscriptKey(t *templates.Transcript) string {
	school := strings.TrimPrefix(fold(t.School), "TRUONG-")
	return strings.Join([]string{"HB", school, fold(t.SchoolYear), fold(t.Student.ID)}, "-")
}

// transcriptPublicFields are what the registry shows of a học bạ: whose,
// which year, which school; no marks.
func transcriptPublicFields(t *templates.Transcript) registry.PublicFields {
	year, _ := strconv.Atoi(strings.SplitN(t.SchoolYear, "-", 2)[0])
	return registry.PublicFields{
		KindLabel:   TranscriptKindLabel,
		HolderName:  t.Student.FullName,
		DateOfBirth: t.Student.DateOfBirth.String(),
		Year:        year,
		School:      t.School,
		Serial:      TranscriptKey(t),
	}
}

// Transcript issues one học bạ year, signed by every subject teacher, the
// homeroom teacher, the principal and the school seal in that order (keys
// from Issuer.Keys), or finds it already issued under its key
// (TranscriptKey). t must be normalised and valid.
func (is *Issuer) Transcript(ctx context.Context, t *templates.Transcript) (Result, error) {
	key := TranscriptKey(t)
	res := Result{Serial: key, Path: filepath.Join(is.OutDir, FileName(key))}
	if is.RenderTranscript == nil {
		return res, errors.New("issue học bạ: no học bạ renderer")
	}
	if is.Keys == nil {
		return res, errors.New("issue học bạ: a học bạ has several signers; no key source (Issuer.Keys)")
	}
	if err := is.checkDate("ngay_duyet", t.ApprovalDate); err != nil {
		return res, err
	}
	doc, err := documentOf(&templates.Record{Kind: templates.KindTranscript, Transcript: t},
		func(m templates.IssueMeta) ([]byte, error) { return is.RenderTranscript(t, m) })
	if err != nil {
		return res, err
	}
	return is.issue(ctx, doc)
}
