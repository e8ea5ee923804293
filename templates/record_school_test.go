package templates_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/templates"
)

// TestSchoolRecordsEmbedded: the gradebook and học bạ renderers embed their
// record, which reads back as the normalised document.
func TestSchoolRecordsEmbedded(t *testing.T) {
	p, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	opts := templates.RenderOptions{Now: time.Date(2024, 7, 15, 9, 0, 0, 0, time.UTC), Deterministic: true}
	g, err := templates.SampleGradebook(templates.SampleClassSize, templates.TermI, "Toán")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := templates.SampleTranscript(0)
	if err != nil {
		t.Fatal(err)
	}
	gr, err := templates.NewGradebookRenderer(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	hr, err := templates.NewTranscriptRenderer(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	gpdf, err := gr.Render(&g, recordMeta)
	if err != nil {
		t.Fatal(err)
	}
	hpdf, err := hr.Render(&tr, recordMeta)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		pdf          []byte
		kind, layout string
		check        func(*templates.Record) bool
	}{
		{"gradebook", gpdf, templates.KindGradebook, templates.GradebookLayoutV2,
			func(r *templates.Record) bool {
				return r.Gradebook != nil && reflect.DeepEqual(*r.Gradebook, g) && r.Transcript == nil
			}},
		{"hocba", hpdf, templates.KindTranscript, templates.TranscriptLayoutV2,
			func(r *templates.Record) bool {
				return r.Transcript != nil && reflect.DeepEqual(*r.Transcript, tr) && r.Gradebook == nil
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := extractRecord(t, tc.pdf)
			r, err := templates.DecodeRecord(f.Data)
			if err != nil {
				t.Fatalf("DecodeRecord: %v\n%s", err, f.Data)
			}
			if r.Kind != tc.kind || r.Layout != tc.layout || r.CredentialID != recordMeta.CredentialID || r.VerifyURL != recordMeta.VerifyURL {
				t.Errorf("got kind %q layout %q id %q url %q, want %q %q and the meta", r.Kind, r.Layout, r.CredentialID, r.VerifyURL, tc.kind, tc.layout)
			}
			if !tc.check(r) {
				t.Errorf("the record's document differs from the rendered one")
			}
			again, err := templates.EncodeRecord(r)
			if err != nil || !bytes.Equal(again, f.Data) {
				t.Errorf("re-encoding the record: %v; bytes equal %v, want equal", err, bytes.Equal(again, f.Data))
			}
		})
	}
}

// TestDecodeSchoolRecordStrict: a gradebook or học bạ record with a member
// missing, unknown, or a date not written yyyy-mm-dd is malformed; a
// gradebook record under the học bạ layout is of an unknown kind.
func TestDecodeSchoolRecordStrict(t *testing.T) {
	g, err := templates.SampleGradebook(3, templates.TermI, "Toán")
	if err != nil {
		t.Fatal(err)
	}
	good, err := templates.EncodeRecord(&templates.Record{Kind: templates.KindGradebook, Layout: templates.GradebookLayoutV2,
		CredentialID: recordMeta.CredentialID, VerifyURL: recordMeta.VerifyURL, Gradebook: &g})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := templates.DecodeRecord(good); err != nil {
		t.Fatalf("DecodeRecord of a good record: %v", err)
	}
	tests := []struct {
		name     string
		old, new string
		want     error
	}{
		{"member missing", `"giao_vien": `, `"x_giao_vien": `, templates.ErrBadRecord},
		{"student member unknown", `"ma_hs": `, `"ma_hoc_sinh": `, templates.ErrBadRecord},
		{"sign date not ISO", `"ngay_ky": "2025-01-10"`, `"ngay_ky": "10/01/2025"`, templates.ErrBadRecord},
		{"birth date not ISO", `"ngay_sinh": "20`, `"ngay_sinh": "x20`, templates.ErrBadRecord},
		{"wrong layout", `"layout": "gradebook/v2"`, `"layout": "hocba/v2"`, templates.ErrUnknownRecordKind},
		{"no gradebook", `"kind": "gradebook"`, `"kind": "hocba"`, templates.ErrUnknownRecordKind},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !bytes.Contains(good, []byte(tc.old)) {
				t.Fatalf("the record has no %q", tc.old)
			}
			bad := bytes.Replace(good, []byte(tc.old), []byte(tc.new), 1)
			if _, err := templates.DecodeRecord(bad); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := templates.EncodeRecord(&templates.Record{Kind: templates.KindGradebook, Layout: templates.GradebookLayoutV2,
		CredentialID: recordMeta.CredentialID, VerifyURL: recordMeta.VerifyURL}); !errors.Is(err, templates.ErrBadRecord) {
		t.Errorf("EncodeRecord without a gradebook: got %v, want ErrBadRecord", err)
	}
	if !strings.Contains(string(good), `"kind": "gradebook"`) {
		t.Errorf("the record does not name its kind:\n%s", good)
	}
}
