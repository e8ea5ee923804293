package verify

import (
	"crypto"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/internal/testenv"
	"github.com/kyso-vn/kyso/signer"
)

// TestAgreesWithPdfsig runs the same files through poppler's pdfsig (NSS),
// an independent validator, and checks that both see the same thing.
func TestAgreesWithPdfsig(t *testing.T) {
	e := newEnv(t)
	db := testenv.PDFSig(t, e.ca.Root)
	good := e.signed(t)
	other := newCA(t, e.now)
	k := ecKey(t)
	stranger := issueSigner(t, other, k.Public(), e.now, 0)

	tests := []struct {
		name          string
		data          []byte
		wantInd       Indication
		wantSig       string // pdfsig's signature validation
		wantCert      []string
		wantWhole     bool
		allowCertDiff bool
	}{
		{"untouched", good, TotalPassed, testenv.PDFSigSignatureValid, []string{testenv.PDFSigCertificateTrusted}, true, false},
		{"text changed", replaceOnce(t, good, holderName, "Nguyen Van Am"), TotalFailed, testenv.PDFSigDigestMismatch, nil, true, true},
		{"signature value changed", flipSignatureValue(t, good), TotalFailed, testenv.PDFSigSignatureInvalid, nil, true, true},
		{"update appended", appendUpdate(t, good), TotalFailed, testenv.PDFSigSignatureValid, []string{testenv.PDFSigCertificateTrusted}, false, false},
		{"untrusted signer", pdfsignSign(t, plainPDF(t), k, stranger, other.Chain(), crypto.SHA256), Indeterminate, testenv.PDFSigSignatureValid,
			[]string{testenv.PDFSigIssuerNotTrusted, testenv.PDFSigIssuerUnknown}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "doc.pdf")
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			res := db.Check(t, path)
			if len(res.Signatures) != 1 {
				t.Fatalf("pdfsig found %d signatures, want 1\n%s", len(res.Signatures), res.Output)
			}
			ps := res.Signatures[0]
			if ps.SignatureValidation != tt.wantSig {
				t.Errorf("pdfsig: got %q, want %q\n%s", ps.SignatureValidation, tt.wantSig, res.Output)
			}
			if !tt.allowCertDiff && !slices.Contains(tt.wantCert, ps.CertificateValidation) {
				t.Errorf("pdfsig: got certificate %q, want one of %q", ps.CertificateValidation, tt.wantCert)
			}
			if ps.TotalDocumentSigned != tt.wantWhole {
				t.Errorf("pdfsig: got total document signed %v, want %v", ps.TotalDocumentSigned, tt.wantWhole)
			}

			rep := mustVerify(t, tt.data, e.opts())
			if rep.Indication != tt.wantInd {
				t.Errorf("kyso: got %s/%s, want %s\n%s", rep.Indication, rep.SubIndication, tt.wantInd, describeReport(rep))
			}
			s := rep.Signatures[0]
			if s.CoversWholeDocument != ps.TotalDocumentSigned {
				t.Errorf("coverage: kyso says %v, pdfsig says %v", s.CoversWholeDocument, ps.TotalDocumentSigned)
			}
			if s.Signer.CommonName != ps.SignerCommonName {
				t.Errorf("signer: kyso says %q, pdfsig says %q", s.Signer.CommonName, ps.SignerCommonName)
			}
			if len(ps.SignedRanges) == 2 {
				want := []int64{0, ps.SignedRanges[0][1], ps.SignedRanges[1][0], ps.SignedRanges[1][1] - ps.SignedRanges[1][0]}
				if !slices.Equal(want, s.ByteRange) {
					t.Errorf("byte range: kyso says %v, pdfsig says %v", s.ByteRange, ps.SignedRanges)
				}
			}
		})
	}
}

// TestLongTermAgreesWithPdfsig: on a học bạ with timestamped signatures,
// validation data and a document timestamp, pdfsig and kyso find the same
// signatures, byte ranges and signers, and both accept the signatures.
func TestLongTermAgreesWithPdfsig(t *testing.T) {
	h := newHocBa(t, signer.CertifyFormFilling)
	db := testenv.PDFSig(t, h.ca.Root)
	h.signN(2, true)
	h.addDSS(h.validationData(ltvNow.Add(10 * time.Minute)))
	h.addDTS()
	path := filepath.Join(t.TempDir(), "hocba.pdf")
	if err := os.WriteFile(path, h.doc, 0o600); err != nil {
		t.Fatal(err)
	}
	res := db.Check(t, path)
	rep := mustVerify(t, h.doc, h.opts(ltvNow.Add(time.Hour)))
	wantVerdict(t, rep, TotalPassed, "")
	found := 0
	for _, ps := range res.Signatures {
		if !ps.Signed {
			continue
		}
		i := slices.IndexFunc(rep.Signatures, func(s SignatureReport) bool { return s.Field == ps.FieldName })
		if i < 0 {
			t.Errorf("pdfsig found %q, kyso did not", ps.FieldName)
			continue
		}
		found++
		s := rep.Signatures[i]
		if len(ps.SignedRanges) == 2 {
			want := []int64{0, ps.SignedRanges[0][1], ps.SignedRanges[1][0], ps.SignedRanges[1][1] - ps.SignedRanges[1][0]}
			if !slices.Equal(want, s.ByteRange) {
				t.Errorf("%s: byte range: kyso says %v, pdfsig says %v", s.Field, s.ByteRange, ps.SignedRanges)
			}
		}
		if s.Kind == KindSignature && (ps.SignatureValidation != testenv.PDFSigSignatureValid || ps.SignerCommonName != s.Signer.CommonName) {
			t.Errorf("%s: pdfsig says %q by %q, kyso says valid by %q", s.Field, ps.SignatureValidation, ps.SignerCommonName, s.Signer.CommonName)
		}
	}
	if found < 2 {
		t.Errorf("pdfsig found %d of kyso's %d signatures\n%s", found, len(rep.Signatures), res.Output)
	}
}
