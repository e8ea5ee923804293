package verify

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/signer"
)

// FuzzPDF feeds arbitrary bytes to PDF, seeded from the signed fixtures and
// hand-made documents. PDF must never panic or hang, and its report must be
// consistent with itself.
//
//	go test ./verify/ -run '^$' -fuzz FuzzPDF -fuzztime 5m
func FuzzPDF(f *testing.F) {
	roots := fixtureRoots(f)
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.pdf"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	e := newEnv(f)
	roots = append(roots, e.ca.Root)
	f.Add(fillSignature(f, handDoc(subFilterPKCS7), func(signed []byte) []byte {
		return buildCMS(f, signed, cmsSpec{key: e.key, cert: e.cert, certs: []*x509.Certificate{e.cert, e.ca.Issuing}, signingTime: e.now, essCert: e.cert})
	}))
	// A học bạ signed by kyso's signer with a timestamped certification
	// (no appearance, to keep the seed small), validation data and a
	// document timestamp; and a forbidden change after it.
	h := newHocBa(f, signer.CertifyFormFilling)
	p := h.people[0]
	doc, err := signer.Sign(context.Background(), h.doc, p.key, p.chain, signer.Options{Field: p.field, Time: ltvNow,
		Certify: signer.CertifyFormFilling, Timestamper: h.tsa.client})
	if err != nil {
		f.Fatal(err)
	}
	h.doc, h.signed = doc, 1
	h.addDSS(h.validationData(ltvNow.Add(10 * time.Minute)))
	h.addDTS()
	roots = append(roots, h.ca.Root)
	f.Add(h.doc)
	f.Add(appendUpdate(f, h.doc))
	// A hand-made signature with a signature timestamp.
	tsaKey := ecKey(f)
	tsaCert, err := e.ca.IssueTimestamping(rand.Reader, tsaKey.Public(), devca.Subject{CommonName: "TSA"}, e.now, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fillSignature(f, handDoc(subFilterCAdES), func(signed []byte) []byte {
		return buildCMS(f, signed, cmsSpec{key: e.key, cert: e.cert, certs: []*x509.Certificate{e.cert, e.ca.Issuing}, essCert: e.cert,
			unsignedFor: func(sig []byte) [][]byte {
				return [][]byte{timestampAttribute(f, buildToken(f, tokenSpec{key: tsaKey, cert: tsaCert, certs: []*x509.Certificate{tsaCert, e.ca.Issuing},
					genTime: e.now.UTC().Format("20060102150405Z"), message: sig}))}
			}})
	}))
	f.Add(xrefStreamPDF())
	f.Add(deepPDF(64))
	f.Add([]byte("%PDF-1.7\n%%EOF\n"))

	now := time.Now().Add(time.Hour)
	opts := Options{Roots: roots, Now: func() time.Time { return now }, MaxSize: 4 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := PDF(data, opts)
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return
			}
			t.Fatalf("PDF: %v", err)
		}
		checkReportInvariants(t, rep, data)
	})
}

// checkReportInvariants checks what every report must satisfy.
func checkReportInvariants(t *testing.T, rep *Report, data []byte) {
	t.Helper()
	sum := sha256.Sum256(data)
	if rep.Document.SHA256 != hex.EncodeToString(sum[:]) || rep.Document.Size != int64(len(data)) {
		t.Fatalf("got document %+v, want the file's hash and size", rep.Document)
	}
	switch rep.Indication {
	case TotalPassed:
		if rep.SubIndication != "" {
			t.Fatalf("TOTAL_PASSED with sub-indication %s", rep.SubIndication)
		}
		if len(rep.Signatures) == 0 {
			t.Fatal("TOTAL_PASSED without signatures")
		}
		for _, c := range rep.Checks {
			if !c.Passed {
				t.Fatalf("TOTAL_PASSED with failed document check %s", c.Name)
			}
		}
		for _, s := range rep.Signatures {
			if s.Indication != TotalPassed || s.Chain.Status != ChainTrusted {
				t.Fatalf("TOTAL_PASSED with signature %q %s, chain %s", s.Field, s.Indication, s.Chain.Status)
			}
		}
		if !checkPassed(rep.Checks, "modifications") || len(rep.Revisions) == 0 {
			t.Fatal("TOTAL_PASSED without an analysis of the revisions")
		}
		for _, r := range rep.Revisions {
			if !r.Allowed {
				t.Fatalf("TOTAL_PASSED with revision %d not allowed", r.Index)
			}
		}
		if rep.Revisions[len(rep.Revisions)-1].EndOffset != int64(len(data)) {
			t.Fatal("TOTAL_PASSED but the revisions do not reach the end of the file")
		}
	case TotalFailed, Indeterminate:
		if rep.SubIndication == "" {
			t.Fatalf("%s without a sub-indication", rep.Indication)
		}
	default:
		t.Fatalf("unknown indication %q", rep.Indication)
	}
	if rep.Summary("vi") == "" || rep.Summary("en") == "" {
		t.Fatal("empty summary")
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Fatalf("encode report: %v", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	e := newEnv(b)
	data := e.signed(b)
	opts := e.opts()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rep, err := PDF(data, opts)
		if err != nil || rep.Indication != TotalPassed {
			b.Fatalf("got %v, %v; want TOTAL_PASSED", rep, err)
		}
	}
}

// FuzzTimestampToken feeds arbitrary bytes to the RFC 3161 token check,
// seeded with tokens from package tsa's authority and hand-made ones. It
// must never panic, and a token it accepts must have been read whole.
func FuzzTimestampToken(f *testing.F) {
	h := newHocBa(f, signer.NotCertified)
	msg := []byte("signature value")
	tok, err := h.tsa.client.Timestamp(context.Background(), msg)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tok)
	key := ecKey(f)
	cert, err := h.ca.IssueTimestamping(rand.Reader, key.Public(), devca.Subject{CommonName: "TSA"}, ltvNow, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(buildToken(f, tokenSpec{key: key, cert: cert, certs: []*x509.Certificate{cert, h.ca.Issuing}, message: msg, genTime: "20260701080000.5Z"}))
	roots := x509.NewCertPool()
	roots.AddCert(h.ca.Root)
	v := &validator{roots: roots, tsRoots: roots, now: ltvNow.Add(time.Hour)}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := v.checkToken(data, func(hash crypto.Hash) []byte {
			d := hash.New()
			d.Write(msg)
			return d.Sum(nil)
		})
		if res.passed() && (res.info == nil || res.tsa == nil || res.chain.Status != ChainTrusted) {
			t.Fatalf("accepted a token without TSTInfo, authority or trusted chain: %+v", res)
		}
		_ = res.report()
	})
}

// FuzzRevocationData feeds arbitrary bytes to the readers of revocation
// data: as an adbe-revocationInfoArchival value, and as an OCSP response
// and a CRL about a certificate. Seeded with the development CA's.
func FuzzRevocationData(f *testing.F) {
	h := newHocBa(f, signer.NotCertified)
	leaf := h.people[0].chain[0]
	resp := h.ocsp(leaf, ltvNow)
	crl, err := h.ca.CRL(rand.Reader, ltvNow)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(resp)
	f.Add(crl)
	v := &validator{now: ltvNow.Add(time.Hour)}
	f.Fuzz(func(t *testing.T, data []byte) {
		attrs := signedAttributes{adbeRevocation: data}
		got := cmsRevocation(&signedData{crls: [][]byte{data}}, attrs)
		data2 := revocationData{ocsps: []revItem{{der: data, source: SourceDSSOCSP}}, crls: []revItem{{der: data, source: SourceDSSCRL}}}
		for _, d := range []revocationData{got, data2} {
			st := v.certStatus(leaf, h.ca.Issuing, ltvNow, d)
			switch st.Status {
			case RevocationGood, RevocationRevoked, RevocationUnknown:
			default:
				t.Fatalf("status %q", st.Status)
			}
		}
		ocspNamesIssuer(data, leaf, h.ca.Issuing)
	})
}

// BenchmarkVerifyFiles verifies, in process, the attack corpus's signed
// diploma (one signature) and five-signer học bạ (certified, locked), as
// the public verification endpoint does for an upload.
func BenchmarkVerifyFiles(b *testing.B) {
	dir := filepath.Join("testdata", "attacks")
	rootPEM, err := os.ReadFile(filepath.Join(dir, "root.pem"))
	if err != nil {
		b.Fatal(err)
	}
	blk, _ := pem.Decode(rootPEM)
	root, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"genuine-single", "genuine-hocba-5", "genuine-hocba-5-lta"} {
		data, err := os.ReadFile(filepath.Join(dir, name+".pdf"))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				rep, err := PDF(data, Options{Roots: []*x509.Certificate{root}, Now: func() time.Time { return atkNow.Add(time.Hour) }})
				if err != nil || rep.Indication != TotalPassed {
					b.Fatalf("%s: %v %v", name, rep.Indication, err)
				}
			}
		})
	}
}
