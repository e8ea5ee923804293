package templates_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/internal/testenv"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/templates"
	"github.com/kyso-vn/kyso/verify"
	"golang.org/x/text/unicode/norm"
)

// These tests use only the public API of templates, and run the whole path
// a record takes: render, sign, extract, verify.

var recordMeta = templates.IssueMeta{
	CredentialID: "7KQ2M9P-X4R8T1B-HC0WZ3D",
	VerifyURL:    "https://xacthuc.sogddt-bentre.example/v/7KQ2M9P-X4R8T1B-HC0WZ3D",
}

func sampleRecord() *templates.Record {
	d := templates.SampleGraduates(1)[0]
	return &templates.Record{
		Kind: templates.KindDiploma, Layout: templates.DiplomaLayoutV2,
		CredentialID: recordMeta.CredentialID, VerifyURL: recordMeta.VerifyURL, Diploma: &d,
	}
}

func mustEncode(t testing.TB, r *templates.Record) []byte {
	t.Helper()
	data, err := templates.EncodeRecord(r)
	if err != nil {
		t.Fatalf("EncodeRecord: %v", err)
	}
	return data
}

func TestRecordRoundTrip(t *testing.T) {
	r := sampleRecord()
	data := mustEncode(t, r)
	if again := mustEncode(t, sampleRecord()); !bytes.Equal(data, again) {
		t.Fatal("two encodings of the same record differ")
	}
	got, err := templates.DecodeRecord(data)
	if err != nil {
		t.Fatalf("DecodeRecord: %v", err)
	}
	want := *r
	want.Schema = templates.RecordSchemaV1
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("got %+v, want %+v", got, &want)
	}
	// The documented member order, and the diploma's members by their
	// CSV column names.
	text := string(data)
	last := -1
	for _, m := range append([]string{"schema", "kind", "layout", "credential_id", "verify_url", "record"}, templates.DiplomaCSVColumns()...) {
		i := strings.Index(text, `"`+m+`": `)
		if i < last {
			t.Errorf("member %q at %d, before the previous member at %d", m, i, last)
		}
		last = i
	}
	if !strings.HasPrefix(text, "{\n  \"schema\": \"kyso.record/v1\",\n") || !strings.HasSuffix(text, "}\n") {
		t.Errorf("record does not start with the schema or end with a newline:\n%s", text)
	}
	if !strings.Contains(text, `"ho_ten": "Nguyễn Văn Nghĩa"`) || !strings.Contains(text, `"ngay_sinh": "2006-01-01"`) {
		t.Errorf("the record does not hold the diploma as UTF-8 text:\n%s", text)
	}
}

func TestEncodeRecordErrors(t *testing.T) {
	tests := []struct {
		name string
		mod  func(r *templates.Record)
		want error
	}{
		{"newer schema", func(r *templates.Record) { r.Schema = "kyso.record/v2" }, templates.ErrUnknownRecordSchema},
		{"unknown kind", func(r *templates.Record) { r.Kind = "certificate" }, templates.ErrUnknownRecordKind},
		{"unknown layout", func(r *templates.Record) { r.Layout = "diploma/v9" }, templates.ErrUnknownRecordKind},
		{"no diploma", func(r *templates.Record) { r.Diploma = nil }, templates.ErrBadRecord},
		{"no credential ID", func(r *templates.Record) { r.CredentialID = "" }, templates.ErrBadRecord},
		{"relative verify URL", func(r *templates.Record) { r.VerifyURL = "/v/7KQ2M9P" }, templates.ErrBadRecord},
		{"impossible date", func(r *templates.Record) { r.Diploma.IssueDate = templates.Date{Year: 2024, Month: 2, Day: 30} }, templates.ErrBadRecord},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleRecord()
			tt.mod(r)
			if data, err := templates.EncodeRecord(r); !errors.Is(err, tt.want) || data != nil {
				t.Fatalf("got (%d bytes, %v), want %v", len(data), err, tt.want)
			}
		})
	}
	if _, err := templates.EncodeRecord(nil); !errors.Is(err, templates.ErrBadRecord) {
		t.Errorf("nil record: got %v, want ErrBadRecord", err)
	}
}

func TestDecodeRecordStrict(t *testing.T) {
	r := sampleRecord()
	r.Layout = templates.DiplomaLayoutV1
	good := string(mustEncode(t, r))
	replace := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("the record lacks %q", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	tests := []struct {
		name string
		data string
		want error
	}{
		{"newer schema", replace(`"kyso.record/v1"`, `"kyso.record/v2"`), templates.ErrUnknownRecordSchema},
		{"newer schema with new members", replace(`"kyso.record/v1",`, `"kyso.record/v2", "signers": [],`), templates.ErrUnknownRecordSchema},
		{"another schema family", replace(`"kyso.record/v1"`, `"kyso.verify/v1"`), templates.ErrUnknownRecordSchema},
		{"unknown kind", replace(`"kind": "diploma"`, `"kind": "certificate"`), templates.ErrUnknownRecordKind},
		{"unknown layout", replace(`"diploma/v1"`, `"diploma/v9"`), templates.ErrUnknownRecordKind},
		{"no schema", replace(`"schema": "kyso.record/v1",`, ``), templates.ErrBadRecord},
		{"schema not a string", replace(`"kyso.record/v1"`, `1`), templates.ErrBadRecord},
		{"unknown member", replace(`"kind":`, `"extra": 1, "kind":`), templates.ErrBadRecord},
		{"unknown diploma member", replace(`"ho_ten":`, `"diem": 9, "ho_ten":`), templates.ErrBadRecord},
		{"missing member", replace(`"verify_url": "`+recordMeta.VerifyURL+`",`, ``), templates.ErrBadRecord},
		{"missing diploma member", replace(`"so_vao_so": "BT-2024/01201",`, ``), templates.ErrBadRecord},
		{"null member", replace(`"credential_id": "`+recordMeta.CredentialID+`"`, `"credential_id": null`), templates.ErrBadRecord},
		{"null diploma member", replace(`"ho_ten": "Nguyễn Văn Nghĩa"`, `"ho_ten": null`), templates.ErrBadRecord},
		{"null record", good[:strings.Index(good, `"record": {`)] + `"record": null}`, templates.ErrBadRecord},
		{"record not an object", good[:strings.Index(good, `"record": {`)] + `"record": []}`, templates.ErrBadRecord},
		{"repeated member", replace(`"kind": "diploma",`, `"kind": "diploma", "kind": "diploma",`), templates.ErrBadRecord},
		{"repeated diploma member", replace(`"ho_ten": "Nguyễn Văn Nghĩa",`, `"ho_ten": "Nguyễn Văn Nghĩa", "ho_ten": "Trần Văn Giả",`), templates.ErrBadRecord},
		{"wrong type", replace(`"nam_tot_nghiep": 2024`, `"nam_tot_nghiep": "2024"`), templates.ErrBadRecord},
		{"date not in ISO form", replace(`"ngay_sinh": "2006-01-01"`, `"ngay_sinh": "01/01/2006"`), templates.ErrBadRecord},
		{"date with spaces", replace(`"ngay_cap": "2024-07-15"`, `"ngay_cap": " 2024-07-15"`), templates.ErrBadRecord},
		{"not a date", replace(`"ngay_sinh": "2006-01-01"`, `"ngay_sinh": "2006-02-30"`), templates.ErrBadRecord},
		{"empty credential ID", replace(`"credential_id": "`+recordMeta.CredentialID+`"`, `"credential_id": ""`), templates.ErrBadRecord},
		{"data after the record", good + "{}", templates.ErrBadRecord},
		{"two records", good + good, templates.ErrBadRecord},
		{"array", "[" + good + "]", templates.ErrBadRecord},
		{"not JSON", "schema: kyso.record/v1", templates.ErrBadRecord},
		{"not UTF-8", replace("Nghĩa", "Ngh\xeda"), templates.ErrBadRecord},
		{"too large", good + strings.Repeat(" ", templates.MaxRecordSize), templates.ErrBadRecord},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r, err := templates.DecodeRecord([]byte(tt.data)); !errors.Is(err, tt.want) || r != nil {
				t.Fatalf("got (%v, %v), want %v", r, err, tt.want)
			}
		})
	}
	// White space and member order are free.
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(good)); err != nil {
		t.Fatal(err)
	}
	reordered := `{"record":` + good[strings.Index(good, `"record": `)+len(`"record": `):strings.LastIndex(good, "}")] +
		`,"verify_url":"` + recordMeta.VerifyURL + `","credential_id":"` + recordMeta.CredentialID +
		`","layout":"diploma/v1","kind":"diploma","schema":"kyso.record/v1"}`
	for name, data := range map[string]string{"compact": compact.String(), "reordered": reordered} {
		if _, err := templates.DecodeRecord([]byte(data)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// testSigner is a development CA and an ECDSA signing key certified by it,
// valid from now.
type testSigner struct {
	ca    *devca.CA
	key   *ecdsa.PrivateKey
	chain []*x509.Certificate
	now   time.Time
}

func newTestSigner(t testing.TB) *testSigner {
	t.Helper()
	now := time.Now()
	ca, err := devca.New(rand.Reader, now, devca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueSigner(rand.Reader, key.Public(), devca.Subject{CommonName: "Lê Hoàng Phúc", Title: "Giám đốc", Organization: "Sở Giáo dục và Đào tạo Bến Tre"}, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	return &testSigner{ca: ca, key: key, chain: append([]*x509.Certificate{leaf}, ca.Chain()...), now: now}
}

func (s *testSigner) sign(t testing.TB, in []byte) []byte {
	t.Helper()
	out, err := signer.Sign(context.Background(), in, s.key, s.chain, signer.Options{Field: "thu_truong", Name: "Lê Hoàng Phúc", Reason: "Cấp bằng tốt nghiệp", Location: "Vĩnh Long", Time: s.now})
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return out
}

func (s *testSigner) verify(t testing.TB, data []byte) *verify.Report {
	t.Helper()
	rep, err := verify.PDF(data, verify.Options{Roots: []*x509.Certificate{s.ca.Root}, Now: func() time.Time { return s.now.Add(time.Hour) }})
	if err != nil {
		t.Fatalf("verify.PDF: %v", err)
	}
	return rep
}

func renderDiploma(t testing.TB, d templates.Diploma) []byte {
	t.Helper()
	p, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	r, err := templates.NewDiplomaRenderer(p, templates.RenderOptions{Now: time.Date(2024, 7, 15, 9, 0, 0, 0, time.UTC), Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(&d, recordMeta)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return out
}

// extractRecord returns the one embedded file of data, which must be the
// record.
func extractRecord(t testing.TB, data []byte) verify.EmbeddedFile {
	t.Helper()
	files, err := verify.EmbeddedFiles(data, 0)
	if err != nil {
		t.Fatalf("EmbeddedFiles: %v", err)
	}
	if len(files) != 1 {
		t.Fatalf("got %d embedded files, want 1", len(files))
	}
	f := files[0]
	if f.Name != templates.RecordFileName || f.Key != templates.RecordFileName || f.MIME != templates.RecordMIME ||
		f.Relationship != "Source" || !f.Associated || f.Description == "" {
		t.Errorf("embedded file %q (key %q, %s, relationship %q, associated %v, description %q); want %s, %s, Source, associated, described",
			f.Name, f.Key, f.MIME, f.Relationship, f.Associated, f.Description, templates.RecordFileName, templates.RecordMIME)
	}
	if want := time.Date(2024, 7, 15, 9, 0, 0, 0, time.UTC); !f.ModTime.Equal(want) {
		t.Errorf("ModTime: got %v, want the render time %v", f.ModTime, want)
	}
	return f
}

// TestRecordSignExtractVerify: the record embedded by Render is exactly
// EncodeRecord's output, survives signing inside the signed range, is read
// back by an independent tool, and a change to it after signing fails the
// signature.
func TestRecordSignExtractVerify(t *testing.T) {
	d := templates.SampleGraduates(1)[0]
	unsigned := renderDiploma(t, d)
	want := mustEncode(t, sampleRecord())

	f := extractRecord(t, unsigned)
	if !bytes.Equal(f.Data, want) || f.InSignedRange {
		t.Fatalf("unsigned: got %q (in signed range %v), want EncodeRecord's output, not signed", f.Data, f.InSignedRange)
	}

	s := newTestSigner(t)
	signed := s.sign(t, unsigned)
	if rep := s.verify(t, signed); rep.Indication != verify.TotalPassed {
		t.Fatalf("verify signed: got %s/%s, want TOTAL_PASSED", rep.Indication, rep.SubIndication)
	}
	f = extractRecord(t, signed)
	if !bytes.Equal(f.Data, want) || !f.InSignedRange {
		t.Fatalf("signed: got %q (in signed range %v), want EncodeRecord's output inside the signed range", f.Data, f.InSignedRange)
	}
	got, err := templates.DecodeRecord(f.Data)
	if err != nil {
		t.Fatalf("DecodeRecord: %v", err)
	}
	if !reflect.DeepEqual(*got.Diploma, d) || got.CredentialID != recordMeta.CredentialID || got.VerifyURL != recordMeta.VerifyURL {
		t.Errorf("decoded record %+v, want the rendered diploma and its meta", got)
	}

	// The signature filled the pre-placed field: its update rewrote the
	// field and the interactive form, never the catalog, so the name tree
	// and /AF are the original revision's, untouched.
	if bytes.Contains(signed[len(unsigned):], []byte("/Catalog")) {
		t.Error("the signature's update rewrote the catalog")
	}
	// Every byte of the embedded file's objects precedes the signature's
	// gap: the record is covered by the signature's digest.
	br := regexp.MustCompile(`/ByteRange\s*\[\s*0 (\d+) `).FindSubmatch(signed)
	ef := bytes.Index(signed, []byte("/Type /EmbeddedFile"))
	end := bytes.Index(signed[ef:], []byte("endobj")) + ef
	if br == nil || ef < 0 || end >= mustAtoi(t, br[1]) {
		t.Errorf("embedded file object ends at %d, want before the signature's gap at %s", end, br[1])
	}

	// An independent reader, poppler, extracts the same bytes.
	pdfdetach := needTool(t, "pdfdetach")
	dir := t.TempDir()
	path := filepath.Join(dir, "signed.pdf")
	if err := os.WriteFile(path, signed, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdfdetach, "-save", "1", "-o", filepath.Join(dir, "r.json"), path).CombinedOutput(); err != nil {
		t.Fatalf("pdfdetach: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "r.json")); err != nil || !bytes.Equal(b, want) {
		t.Errorf("pdfdetach extracted %q (%v), want the record", b, err)
	}

	// poppler's pdfsig still finds the signature valid and covering the
	// whole file.
	nss := testenv.PDFSig(t, s.ca.Root)
	res := nss.Check(t, path)
	if len(res.Signatures) != 1 || res.Signatures[0].FieldName != "thu_truong" || res.Signatures[0].SignatureValidation != testenv.PDFSigSignatureValid || !res.Signatures[0].TotalDocumentSigned {
		t.Errorf("pdfsig: want one valid signature of the whole document\n%s", res.Output)
	}

	// A byte of the compressed record changed after signing fails the
	// signature.
	streamStart := bytes.Index(signed[ef:], []byte("stream\n")) + ef + len("stream\n")
	tampered := bytes.Clone(signed)
	tampered[streamStart+10] ^= 0x01
	if rep := s.verify(t, tampered); rep.Indication != verify.TotalFailed || rep.SubIndication != verify.HashFailure {
		t.Errorf("record changed after signing: got %s/%s, want TOTAL_FAILED/HASH_FAILURE", rep.Indication, rep.SubIndication)
	}
	tpath := filepath.Join(dir, "tampered.pdf")
	if err := os.WriteFile(tpath, tampered, 0o600); err != nil {
		t.Fatal(err)
	}
	if res := nss.Check(t, tpath); len(res.Signatures) != 1 || res.Signatures[0].SignatureValidation == testenv.PDFSigSignatureValid {
		t.Errorf("pdfsig on the tampered file: want an invalid signature\n%s", res.Output)
	}
}

// TestRecordHoldsNormalizedDiploma: the record is the diploma as drawn,
// after normalisation, not the raw input.
func TestRecordHoldsNormalizedDiploma(t *testing.T) {
	d := templates.SampleGraduates(1)[0]
	raw := d
	raw.FullName = "  " + norm.NFD.String(d.FullName) + "  "
	raw.Serial = "t00516292"
	got, err := templates.DecodeRecord(extractRecord(t, renderDiploma(t, raw)).Data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Diploma.FullName != d.FullName || got.Diploma.Serial != "T 00516292" {
		t.Errorf("record holds %q, %q; want the normalised %q, %q", got.Diploma.FullName, got.Diploma.Serial, d.FullName, "T 00516292")
	}
}

func mustAtoi(t testing.TB, b []byte) int {
	t.Helper()
	n, err := strconv.Atoi(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// needTool returns the path of an external program; it fails the test when
// the program is missing and CI=true, and skips it otherwise.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI but not installed (apt-get install poppler-utils)", name)
		}
		t.Skipf("%s not installed; install poppler-utils to run this test", name)
	}
	return p
}

// FuzzDecodeRecord feeds arbitrary bytes to DecodeRecord, which reads
// records extracted from untrusted PDFs. It must never panic, and a record
// it accepts must encode again and decode to the same value.
//
//	go test ./templates/ -run '^$' -fuzz FuzzDecodeRecord -fuzztime 2m
func FuzzDecodeRecord(f *testing.F) {
	good := mustEncode(f, sampleRecord())
	f.Add(good)
	var compact bytes.Buffer
	if err := json.Compact(&compact, good); err != nil {
		f.Fatal(err)
	}
	f.Add(compact.Bytes())
	f.Add([]byte(`{"schema":"kyso.record/v2"}`))
	f.Add([]byte(`{"schema":"kyso.record/v1","schema":"kyso.record/v1"}`))
	f.Add([]byte(`[[[[{}]]]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := templates.DecodeRecord(data)
		if err != nil {
			if r != nil {
				t.Fatalf("a record and an error: %v", err)
			}
			if !errors.Is(err, templates.ErrBadRecord) && !errors.Is(err, templates.ErrUnknownRecordSchema) && !errors.Is(err, templates.ErrUnknownRecordKind) {
				t.Fatalf("error outside the documented ones: %v", err)
			}
			return
		}
		again, err := templates.EncodeRecord(r)
		if err != nil {
			// Decoding checks the form only; the meta may not be what
			// EncodeRecord accepts (e.g. a non-http URL).
			if !errors.Is(err, templates.ErrBadRecord) {
				t.Fatalf("EncodeRecord of a decoded record: %v", err)
			}
			return
		}
		r2, err := templates.DecodeRecord(again)
		if err != nil || !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip: got (%+v, %v), want %+v", r2, err, r)
		}
	})
}
