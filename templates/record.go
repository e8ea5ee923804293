package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/kyso-vn/kyso/pdf"
)

// The machine-readable record embedded in every PDF kyso renders: a JSON
// file that holds the typed document the PDF was drawn from, so that the
// signed PDF is the single source of truth. docs/RECORD.md documents the
// schema and its versioning rules.
const (
	// RecordSchemaV1 names version 1 of the record schema. Its members never
	// change meaning; a record with new members is a new version.
	RecordSchemaV1 = "kyso.record/v1"
	// RecordFileName is the name of the embedded file.
	RecordFileName = "kyso-record.json"
	// RecordMIME is its media type.
	RecordMIME = "application/json"
	// MaxRecordSize is the largest record DecodeRecord reads, in bytes.
	MaxRecordSize = 1 << 20
)

// Document kinds, the "kind" member of a record.
const (
	KindDiploma = "diploma"
	// KindGradebook is a subject's gradebook (sổ điểm), layout
	// GradebookLayoutV1.
	KindGradebook = "gradebook"
	// KindTranscript is one school year of a học bạ, layout
	// TranscriptLayoutV1.
	KindTranscript = "hocba"
)

// recordDescription is the embedded file's description, which PDF viewers
// show beside its name.
const recordDescription = "Dữ liệu máy đọc được của văn bản (" + RecordSchemaV1 + ")"

// Errors of EncodeRecord and DecodeRecord.
var (
	// ErrUnknownRecordSchema: the record's "schema" is not one this version
	// of kyso reads (a newer kyso wrote it).
	ErrUnknownRecordSchema = errors.New("unknown record schema")
	// ErrUnknownRecordKind: the record's kind, or its layout for that kind,
	// is not one this version of kyso knows.
	ErrUnknownRecordKind = errors.New("unknown record kind or layout")
	// ErrBadRecord: the record is not valid under its schema: not JSON, a
	// member missing, null, repeated, unknown or of the wrong type, data
	// after the record, or larger than MaxRecordSize.
	ErrBadRecord = errors.New("malformed record")
)

// Record is the machine-readable copy of one document (schema
// kyso.record/v1): what kind of document it is, the layout it was drawn
// with, how to verify it, and the typed document itself.
type Record struct {
	// Schema is RecordSchemaV1. EncodeRecord writes it when empty.
	Schema string
	// Kind is the document kind, e.g. KindDiploma.
	Kind string
	// Layout is the layout the PDF was drawn with, e.g. DiplomaLayoutV1.
	Layout string
	// CredentialID and VerifyURL are the IssueMeta printed on the document.
	CredentialID string
	VerifyURL    string
	// Diploma is the document when Kind is KindDiploma, nil otherwise.
	Diploma *Diploma
	// Gradebook is the document when Kind is KindGradebook, nil otherwise.
	Gradebook *Gradebook
	// Transcript is the document when Kind is KindTranscript, nil
	// otherwise.
	Transcript *Transcript
}

// recordJSON is the JSON form of schema kyso.record/v1.
type recordJSON struct {
	Schema       string          `json:"schema"`
	Kind         string          `json:"kind"`
	Layout       string          `json:"layout"`
	CredentialID string          `json:"credential_id"`
	VerifyURL    string          `json:"verify_url"`
	Record       json.RawMessage `json:"record"`
}

// recordMembers are the members of a kyso.record/v1 object, all required.
func recordMembers() []string {
	return []string{"schema", "kind", "layout", "credential_id", "verify_url", "record"}
}

// layoutsOf lists the layouts a kind may name in schema kyso.record/v1.
func layoutsOf(kind string) []string {
	switch kind {
	case KindDiploma:
		return []string{DiplomaLayoutV1, DiplomaLayoutV2}
	case KindGradebook:
		return []string{GradebookLayoutV1, GradebookLayoutV2}
	case KindTranscript:
		return []string{TranscriptLayoutV1, TranscriptLayoutV2}
	}
	return nil
}

// EncodeRecord writes r as JSON in schema kyso.record/v1: UTF-8, members in
// the documented order, indented by two spaces, ending with a newline. The
// same record always gives the same bytes. It checks that the kind and
// layout are known and match the document given, and that the credential ID
// and verification URL are well formed; it does not validate the document
// (Render does, before it encodes).
func EncodeRecord(r *Record) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil record", ErrBadRecord)
	}
	if r.Schema != "" && r.Schema != RecordSchemaV1 {
		return nil, fmt.Errorf("%w: %q", ErrUnknownRecordSchema, r.Schema)
	}
	if !slices.Contains(layoutsOf(r.Kind), r.Layout) {
		return nil, fmt.Errorf("%w: kind %q, layout %q", ErrUnknownRecordKind, r.Kind, r.Layout)
	}
	if err := (IssueMeta{CredentialID: r.CredentialID, VerifyURL: r.VerifyURL}).validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRecord, err)
	}
	var doc any
	switch r.Kind {
	case KindDiploma:
		if r.Diploma == nil {
			return nil, fmt.Errorf("%w: kind %q without a diploma", ErrBadRecord, r.Kind)
		}
		doc = r.Diploma
	case KindGradebook:
		if r.Gradebook == nil {
			return nil, fmt.Errorf("%w: kind %q without a gradebook", ErrBadRecord, r.Kind)
		}
		doc = r.Gradebook
	case KindTranscript:
		if r.Transcript == nil {
			return nil, fmt.Errorf("%w: kind %q without a transcript", ErrBadRecord, r.Kind)
		}
		doc = r.Transcript
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRecord, err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err = enc.Encode(recordJSON{
		Schema:       RecordSchemaV1,
		Kind:         r.Kind,
		Layout:       r.Layout,
		CredentialID: r.CredentialID,
		VerifyURL:    r.VerifyURL,
		Record:       body,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRecord, err)
	}
	return buf.Bytes(), nil
}

// DecodeRecord reads a record written by EncodeRecord, strictly: the schema
// must be kyso.record/v1 (else ErrUnknownRecordSchema), the kind and layout
// known (else ErrUnknownRecordKind), and every member of the record and of
// the document present, not null, of the right type, not repeated and not
// unknown, with nothing after the object (else ErrBadRecord).
//
// DecodeRecord checks the form of the record, not the rules a document must
// meet when it is issued: a record keeps reading under the rules of its own
// date even after validation rules change.
func DecodeRecord(data []byte) (*Record, error) {
	if len(data) > MaxRecordSize {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrBadRecord, len(data), MaxRecordSize)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrBadRecord)
	}
	if err := checkJSONMembers(data); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRecord, err)
	}
	// The schema first: a newer record has members this version does not
	// know, and must be reported as newer, not as malformed.
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRecord, err)
	}
	if head.Schema == nil {
		return nil, fmt.Errorf("%w: no \"schema\" member", ErrBadRecord)
	}
	if *head.Schema != RecordSchemaV1 {
		return nil, fmt.Errorf("%w: %q", ErrUnknownRecordSchema, *head.Schema)
	}
	var raw recordJSON
	if err := decodeStrict(data, &raw, recordMembers()); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRecord, err)
	}
	if !slices.Contains(layoutsOf(raw.Kind), raw.Layout) {
		return nil, fmt.Errorf("%w: kind %q, layout %q", ErrUnknownRecordKind, raw.Kind, raw.Layout)
	}
	if raw.CredentialID == "" || raw.VerifyURL == "" {
		return nil, fmt.Errorf("%w: empty credential_id or verify_url", ErrBadRecord)
	}
	r := &Record{Schema: raw.Schema, Kind: raw.Kind, Layout: raw.Layout, CredentialID: raw.CredentialID, VerifyURL: raw.VerifyURL}
	switch raw.Kind {
	case KindDiploma:
		var d Diploma
		if err := decodeStrict(raw.Record, &d, DiplomaCSVColumns()); err != nil {
			return nil, fmt.Errorf("%w: record: %w", ErrBadRecord, err)
		}
		if err := checkISODates(raw.Record, map[string]Date{FieldDateOfBirth: d.DateOfBirth, FieldIssueDate: d.IssueDate}); err != nil {
			return nil, fmt.Errorf("%w: record: %w", ErrBadRecord, err)
		}
		r.Diploma = &d
	case KindGradebook:
		g, err := decodeGradebookRecord(raw.Record)
		if err != nil {
			return nil, fmt.Errorf("%w: record: %w", ErrBadRecord, err)
		}
		r.Gradebook = g
	case KindTranscript:
		t, err := decodeTranscriptRecord(raw.Record)
		if err != nil {
			return nil, fmt.Errorf("%w: record: %w", ErrBadRecord, err)
		}
		r.Transcript = t
	}
	return r, nil
}

// gradebookRecordMembers are the members every gradebook record has;
// so_ddgtx and the marks are present as docs/RECORD.md says.
func gradebookRecordMembers() []string {
	return []string{"so_gddt", "truong", "nam_hoc", "hoc_ky", "lop", "mon_hoc", "loai_mon", "giao_vien", "dia_danh", "ngay_ky", "hoc_sinh"}
}

// gradebookStudentMembers are the members every student of a gradebook
// record has.
func gradebookStudentMembers() []string { return []string{"stt", "ma_hs", "ho_ten", "ngay_sinh"} }

// transcriptRecordMembers are the members every học bạ record has.
func transcriptRecordMembers() []string {
	return []string{"so_gddt", "truong", "dia_danh", "nam_hoc", "lop", "hoc_sinh", "mon_hoc", "hk1", "hk2", "ca_nam",
		"so_buoi_nghi", "xet_len_lop", "nhan_xet_gvcn", "gvcn", "so_cho_sua", "hieu_truong", "ngay_duyet"}
}

// decodeGradebookRecord reads the record member of a gradebook record.
func decodeGradebookRecord(data []byte) (*Gradebook, error) {
	var g Gradebook
	if err := decodeStrict(data, &g, gradebookRecordMembers()); err != nil {
		return nil, err
	}
	if err := checkISODates(data, map[string]Date{"ngay_ky": g.SignDate}); err != nil {
		return nil, err
	}
	var students struct {
		List []json.RawMessage `json:"hoc_sinh"`
	}
	if err := json.Unmarshal(data, &students); err != nil {
		return nil, err
	}
	for i, s := range students.List {
		if err := decodeStrict(s, new(GradebookStudent), gradebookStudentMembers()); err != nil {
			return nil, fmt.Errorf("hoc_sinh[%d]: %w", i+1, err)
		}
		if err := checkISODates(s, map[string]Date{"ngay_sinh": g.Students[i].DateOfBirth}); err != nil {
			return nil, fmt.Errorf("hoc_sinh[%d]: %w", i+1, err)
		}
	}
	return &g, nil
}

// decodeTranscriptRecord reads the record member of a học bạ record.
func decodeTranscriptRecord(data []byte) (*Transcript, error) {
	var t Transcript
	if err := decodeStrict(data, &t, transcriptRecordMembers()); err != nil {
		return nil, err
	}
	if err := checkISODates(data, map[string]Date{"ngay_duyet": t.ApprovalDate}); err != nil {
		return nil, err
	}
	var student struct {
		S json.RawMessage `json:"hoc_sinh"`
	}
	if err := json.Unmarshal(data, &student); err != nil {
		return nil, err
	}
	if err := checkISODates(student.S, map[string]Date{"ngay_sinh": t.Student.DateOfBirth}); err != nil {
		return nil, fmt.Errorf("hoc_sinh: %w", err)
	}
	return &t, nil
}

// decodeStrict decodes the JSON object data into v, refusing unknown
// members, a missing or null member of required, and anything after the
// object.
func decodeStrict(data []byte, v any, required []string) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return err
	}
	if members == nil {
		return errors.New("null instead of an object")
	}
	for _, k := range required {
		m, ok := members[k]
		if !ok {
			return fmt.Errorf("member %q is missing", k)
		}
		if string(m) == "null" {
			return fmt.Errorf("member %q is null", k)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the object")
	}
	return nil
}

// checkISODates checks that each named member of the JSON object data is
// written exactly as the ISO date "yyyy-mm-dd" of its decoded value: Date
// also reads forms such as "15/07/2024", which a record may not use.
func checkISODates(data []byte, dates map[string]Date) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return err
	}
	for name, d := range dates {
		if string(members[name]) != `"`+d.ISO()+`"` {
			return fmt.Errorf("member %q: want a date written yyyy-mm-dd", name)
		}
	}
	return nil
}

// checkJSONMembers walks the JSON text data and refuses an object that
// names a member twice: encoding/json would keep the last one silently, and
// another reader might keep the first.
func checkJSONMembers(data []byte) error {
	type level struct {
		object  bool
		keyNext bool // inside an object, the next string is a member name
		seen    map[string]bool
	}
	var stack []*level
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
			stack = append(stack, &level{object: d == '{', keyNext: d == '{', seen: map[string]bool{}})
			continue
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
		} else if s, ok := tok.(string); ok && len(stack) > 0 && stack[len(stack)-1].keyNext {
			top := stack[len(stack)-1]
			if top.seen[s] {
				return fmt.Errorf("member %q appears twice", s)
			}
			top.seen[s] = true
			top.keyNext = false
			continue
		}
		// A value ended: in an object, a member name comes next.
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].keyNext = true
		}
	}
}

// attachRecord embeds r in doc as RecordFileName.
func attachRecord(doc *pdf.Document, r *Record, modTime time.Time) error {
	data, err := EncodeRecord(r)
	if err != nil {
		return fmt.Errorf("machine-readable record: %w", err)
	}
	doc.Attach(RecordFileName, RecordMIME, recordDescription, data, modTime)
	return nil
}
