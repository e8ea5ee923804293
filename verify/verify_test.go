package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/pdf"
)

func TestSignedWithPdfsign(t *testing.T) {
	e := newEnv(t)
	rsa2048 := rsaKey(t, 2048)
	rsaCert := issueSigner(t, e.ca, rsa2048.Public(), e.now, 0)
	tests := []struct {
		name      string
		key       crypto.Signer
		cert      *x509.Certificate
		hash      crypto.Hash
		wantInd   Indication
		wantSub   SubIndication
		wantAlg   string
		wantDigst string
	}{
		{"ECDSA P-256, SHA-256", e.key, e.cert, crypto.SHA256, TotalPassed, "", "ECDSA", "SHA-256"},
		{"ECDSA P-256, SHA-384", e.key, e.cert, crypto.SHA384, TotalPassed, "", "ECDSA", "SHA-384"},
		{"ECDSA P-256, SHA-512", e.key, e.cert, crypto.SHA512, TotalPassed, "", "ECDSA", "SHA-512"},
		{"RSA-2048, SHA-256", rsa2048, rsaCert, crypto.SHA256, TotalPassed, "", "RSA-PKCS1-v1_5", "SHA-256"},
		{"RSA-2048, SHA-512", rsa2048, rsaCert, crypto.SHA512, TotalPassed, "", "RSA-PKCS1-v1_5", "SHA-512"},
		{"ECDSA P-256, SHA-1 refused", e.key, e.cert, crypto.SHA1, Indeterminate, CryptoConstraintsFailure, "ECDSA", "SHA-1"},
		{"RSA-2048, SHA-1 refused", rsa2048, rsaCert, crypto.SHA1, Indeterminate, CryptoConstraintsFailure, "RSA-PKCS1-v1_5", "SHA-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := pdfsignSign(t, plainPDF(t), tt.key, tt.cert, e.ca.Chain(), tt.hash)
			rep := mustVerify(t, data, e.opts())
			wantVerdict(t, rep, tt.wantInd, tt.wantSub)
			if len(rep.Signatures) != 1 || rep.Document.Signatures != 1 {
				t.Fatalf("got %d signatures (document says %d), want 1", len(rep.Signatures), rep.Document.Signatures)
			}
			s := rep.Signatures[0]
			if s.SignatureAlgorithm != tt.wantAlg || s.DigestAlgorithm != tt.wantDigst {
				t.Errorf("got algorithms %s/%s, want %s/%s", s.SignatureAlgorithm, s.DigestAlgorithm, tt.wantAlg, tt.wantDigst)
			}
			if s.Signer.CommonName != "Tran Thi Giam Doc" || s.Signer.Title != "Giám đốc" || s.Signer.Organization != "Sở Giáo dục và Đào tạo Bến Tre" {
				t.Errorf("got signer %+v, want the devca subject", s.Signer)
			}
			if want := "T=Giám đốc,SERIALNUMBER=STAFF-0001,CN=Tran Thi Giam Doc,O=Sở Giáo dục và Đào tạo Bến Tre,C=VN"; s.Signer.Subject != want {
				t.Errorf("got subject %q, want %q", s.Signer.Subject, want)
			}
			if s.Signer.Serial != tt.cert.SerialNumber.Text(16) {
				t.Errorf("got serial %s, want %s", s.Signer.Serial, tt.cert.SerialNumber.Text(16))
			}
			if !s.CoversWholeDocument || s.Chain.Status != ChainTrusted || len(s.Chain.Certificates) != 3 {
				t.Errorf("got whole=%v chain=%s (%d certificates), want whole, trusted, 3", s.CoversWholeDocument, s.Chain.Status, len(s.Chain.Certificates))
			}
			if s.SigningTimeSource != SigningTimeClaimed || s.SigningTime.Before(e.now.Add(-time.Minute)) || s.SigningTime.After(time.Now().Add(time.Minute)) {
				t.Errorf("got signing time %s (%s), want the claimed time of signing", s.SigningTime, s.SigningTimeSource)
			}
			if s.Chain.RevocationChecked {
				t.Error("got revocation_checked true, want false: revocation is not checked")
			}
			if rep.Registry.Status != RegistryNotChecked || rep.Credential != nil {
				t.Errorf("got registry %+v credential %v, want not checked and nil", rep.Registry, rep.Credential)
			}
		})
	}
}

// setByteRange rewrites the only /ByteRange of a pdfsign file in place,
// keeping its width (pdfsign pads it with spaces).
func setByteRange(t testing.TB, data []byte, v [4]int64) []byte {
	t.Helper()
	data = bytes.Clone(data)
	i := bytes.Index(data, []byte("/ByteRange ["))
	j := i + bytes.IndexByte(data[i:], ']') + 1
	for data[j] == ' ' {
		j++
	}
	s := fmt.Sprintf("/ByteRange [%d %d %d %d]", v[0], v[1], v[2], v[3])
	if len(s) > j-i {
		t.Fatalf("%q does not fit in %d bytes", s, j-i)
	}
	copy(data[i:j], s+strings.Repeat(" ", j-i-len(s)))
	return data
}

// flipSignatureValue changes one bit of the signature value inside the
// hex /Contents of the only signature.
func flipSignatureValue(t testing.TB, data []byte) []byte {
	t.Helper()
	data = bytes.Clone(data)
	lt, gt := sigGap(t, data)
	contents, err := hex.DecodeString(string(data[lt+1 : gt]))
	if err != nil {
		t.Fatal(err)
	}
	sd, err := parseCMS(contents)
	if err != nil {
		t.Fatal(err)
	}
	sig := sd.signers[0].signature
	idx := bytes.Index(contents, sig) + len(sig)/2
	p := lt + 1 + 2*idx + 1
	data[p] = "0123456789abcdef"[hexVal(data[p])^1]
	return data
}

// appendUpdate appends an incremental update that replaces the page
// content with other text — a change made after signing, in valid PDF.
func appendUpdate(t testing.TB, data []byte) []byte {
	t.Helper()
	rd, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	root := rd.Trailer().Key("Root").GetPtr()
	size := rd.Trailer().Key("Size").Int64()
	content := rd.Page(1).V.Key("Contents").GetPtr()
	prev, err := startXref(data)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.Write(data)
	off := b.Len()
	text := "BT /F1 16 Tf 20 700 Td (Ho va ten: Nguyen Van Bao) Tj ET"
	fmt.Fprintf(&b, "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", content.GetID(), len(text), text)
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
		content.GetID(), off, size, root.GetID(), prev, xref)
	return b.Bytes()
}

func TestTampering(t *testing.T) {
	e := newEnv(t)
	good := e.signed(t)
	lt, gt := sigGap(t, good)
	size := int64(len(good))
	tests := []struct {
		name      string
		tamper    func([]byte) []byte
		wantSub   SubIndication
		wantCheck string
	}{
		{"a letter of the name changed", func(d []byte) []byte {
			return replaceOnce(t, d, holderName, "Nguyen Van Am")
		}, HashFailure, "message_digest"},
		{"a byte of the page content flipped", func(d []byte) []byte {
			d = bytes.Clone(d)
			d[bytes.Index(d, []byte("BANG TOT"))] ^= 0x20
			return d
		}, HashFailure, "message_digest"},
		{"whitespace appended after the signature", func(d []byte) []byte {
			return append(bytes.Clone(d), "\n\n"...)
		}, HashFailure, "modifications"},
		{"incremental update appended after the signature", func(d []byte) []byte {
			return appendUpdate(t, d)
		}, HashFailure, "modifications"},
		{"garbage appended after %%EOF", func(d []byte) []byte {
			return append(bytes.Clone(d), "% added\n"...)
		}, FormatFailure, "pdf_structure"},
		{"contents zeroed", func(d []byte) []byte {
			d = bytes.Clone(d)
			copy(d[lt+1:gt], strings.Repeat("0", gt-lt-1))
			return d
		}, FormatFailure, "cms_structure"},
		{"contents not hex", func(d []byte) []byte {
			d = bytes.Clone(d)
			d[lt+5] = 'x'
			return d
		}, FormatFailure, "pdf_structure"},
		{"signature value changed", func(d []byte) []byte {
			return flipSignatureValue(t, d)
		}, SigCryptoFailure, "signature_value"},
		{"byte range not starting at 0", func(d []byte) []byte {
			return setByteRange(t, d, [4]int64{1, int64(lt) - 1, int64(gt) + 1, size - int64(gt) - 1})
		}, FormatFailure, "byte_range"},
		{"byte ranges overlapping", func(d []byte) []byte {
			return setByteRange(t, d, [4]int64{0, int64(lt), int64(lt) - 100, size - int64(lt) + 100})
		}, FormatFailure, "byte_range"},
		{"byte range beyond the end of the file", func(d []byte) []byte {
			return setByteRange(t, d, [4]int64{0, int64(lt), int64(gt) + 1, size - int64(gt) + 99})
		}, FormatFailure, "byte_range"},
		{"gap larger than the signature", func(d []byte) []byte {
			return setByteRange(t, d, [4]int64{0, int64(lt) - 2, int64(gt) + 1, size - int64(gt) - 1})
		}, FormatFailure, "byte_range"},
		{"gap inside the signature", func(d []byte) []byte {
			return setByteRange(t, d, [4]int64{0, int64(lt) + 2, int64(gt) - 1, size - int64(gt) + 1})
		}, FormatFailure, "byte_range"},
		{"truncated", func(d []byte) []byte {
			return d[:len(d)-200]
		}, FormatFailure, "pdf_structure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := mustVerify(t, tt.tamper(good), e.opts())
			wantVerdict(t, rep, TotalFailed, tt.wantSub)
			c := failedCheck(t, rep, tt.wantCheck)
			if c.SubIndication != tt.wantSub || c.Indication != TotalFailed {
				t.Errorf("check %s: got %s/%s, want %s/%s", c.Name, c.Indication, c.SubIndication, TotalFailed, tt.wantSub)
			}
			if rep.ExitCode() != 1 {
				t.Errorf("got exit code %d, want 1", rep.ExitCode())
			}
		})
	}
}

func TestUntouchedStillPassesAfterTamperTests(t *testing.T) {
	// The tamper cases above work on copies; the original must verify, or
	// they would prove nothing.
	e := newEnv(t)
	rep := mustVerify(t, e.signed(t), e.opts())
	wantVerdict(t, rep, TotalPassed, "")
	if rep.ExitCode() != 0 {
		t.Errorf("got exit code %d, want 0", rep.ExitCode())
	}
}

func TestUpdateAfterSigningStillHasValidSignature(t *testing.T) {
	// Content replaced by an incremental update: the signature itself still
	// verifies over its revision, and only the analysis of what changed
	// after it catches the update.
	e := newEnv(t)
	rep := mustVerify(t, appendUpdate(t, e.signed(t)), e.opts())
	wantVerdict(t, rep, TotalFailed, HashFailure)
	s := rep.Signatures[0]
	if s.CoversWholeDocument || s.Indication != TotalPassed {
		t.Errorf("got covers_whole_document %v, %s; want false and a valid signature", s.CoversWholeDocument, s.Indication)
	}
	for _, c := range s.Checks {
		if !c.Passed {
			t.Errorf("check %s failed (%s), want the signature's checks to pass", c.Name, c.Detail)
		}
	}
	failedCheck(t, rep, "modifications")
	last := rep.Revisions[len(rep.Revisions)-1]
	if last.Allowed || len(last.ChangedObjects) != 1 || last.ChangedObjects[0].What != "contents of page 1" || last.ChangedObjects[0].Change != ObjectModified {
		t.Errorf("got last revision %+v, want the page content changed", last)
	}
}

func TestUntrustedSignerWithTrustedRootInCMS(t *testing.T) {
	e := newEnv(t)
	other := newCA(t, e.now)
	key := ecKey(t)
	leaf := issueSigner(t, other, key.Public(), e.now, 0)

	// pdfsign checks that each certificate of the chain it is given signs
	// the one before, so it can only make the plain case.
	t.Run("signed with pdfsign by another CA", func(t *testing.T) {
		data := pdfsignSign(t, plainPDF(t), key, leaf, other.Chain(), crypto.SHA256)
		rep := mustVerify(t, data, e.opts())
		wantVerdict(t, rep, Indeterminate, NoCertificateChainFound)
	})
	tests := []struct {
		name  string
		certs []*x509.Certificate
	}{
		{"other CA's chain plus the trusted root", []*x509.Certificate{leaf, other.Issuing, other.Root, e.ca.Root}},
		{"other issuing CA, trusted issuing CA and trusted root", []*x509.Certificate{leaf, other.Issuing, e.ca.Issuing, e.ca.Root}},
		{"only the trusted root", []*x509.Certificate{leaf, e.ca.Root}},
		{"the trusted chain but not the signer's issuer", []*x509.Certificate{leaf, e.ca.Issuing, e.ca.Root}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := fillSignature(t, handDoc(subFilterPKCS7), func(signed []byte) []byte {
				return buildCMS(t, signed, cmsSpec{key: key, cert: leaf, certs: tt.certs, signingTime: e.now, essCert: leaf})
			})
			rep := mustVerify(t, doc, e.opts())
			wantVerdict(t, rep, Indeterminate, NoCertificateChainFound)
			if s := rep.Signatures[0]; s.Chain.Status != ChainUntrusted || s.Chain.Error == "" {
				t.Errorf("got chain %+v, want untrusted with an error", s.Chain)
			}
			if rep.ExitCode() != 2 {
				t.Errorf("got exit code %d, want 2", rep.ExitCode())
			}
			// The same CMS trusting the other CA passes: only the roots
			// decide.
			opts := e.opts()
			opts.Roots = []*x509.Certificate{other.Root}
			if tt.certs[1] == other.Issuing {
				wantVerdict(t, mustVerify(t, doc, opts), TotalPassed, "")
			}
		})
	}
}

func TestTrustedWhenRootGivenOnlyInOptions(t *testing.T) {
	// The CMS without any CA certificate, but the issuing CA is a trust
	// anchor itself.
	e := newEnv(t)
	data := pdfsignSign(t, plainPDF(t), e.key, e.cert, nil, crypto.SHA256)
	opts := e.opts()
	rep := mustVerify(t, data, opts)
	wantVerdict(t, rep, Indeterminate, NoCertificateChainFound)
	opts.Roots = []*x509.Certificate{e.ca.Issuing}
	rep = mustVerify(t, data, opts)
	wantVerdict(t, rep, TotalPassed, "")
}

func TestCertificateOutsideValidityAtSigningTime(t *testing.T) {
	wall := time.Now()
	past := wall.AddDate(-5, 0, 0)
	ca := newCA(t, past)
	key := ecKey(t)
	expired := issueSigner(t, ca, key.Public(), past, 365*24*time.Hour)
	opts := Options{Roots: []*x509.Certificate{ca.Root}, Now: func() time.Time { return wall.Add(time.Hour) }}

	data := pdfsignSign(t, plainPDF(t), key, expired, ca.Chain(), crypto.SHA256)
	rep := mustVerify(t, data, opts)
	wantVerdict(t, rep, Indeterminate, OutOfBoundsNoPOE)
	if s := rep.Signatures[0]; s.Chain.Status != ChainInvalid || len(s.Chain.Certificates) != 3 {
		t.Errorf("got chain %+v, want invalid with the 3 certificates found", s.Chain)
	}

	// Not yet valid: a claimed signing time before the certificate's
	// notBefore.
	e := newEnv(t)
	doc := fillSignature(t, handDoc(subFilterPKCS7), func(signed []byte) []byte {
		return buildCMS(t, signed, cmsSpec{key: e.key, cert: e.cert, certs: []*x509.Certificate{e.cert, e.ca.Issuing},
			signingTime: e.now.Add(-48 * time.Hour), essCert: e.cert})
	})
	rep = mustVerify(t, doc, e.opts())
	wantVerdict(t, rep, Indeterminate, NotYetValid)

	// Expired and from an unknown CA: the missing chain is what matters.
	other := newCA(t, past)
	oldLeaf := issueSigner(t, other, key.Public(), past, 365*24*time.Hour)
	data = pdfsignSign(t, plainPDF(t), key, oldLeaf, other.Chain(), crypto.SHA256)
	rep = mustVerify(t, data, opts)
	wantVerdict(t, rep, Indeterminate, NoCertificateChainFound)
}

func TestLookAlikeSignerCertificate(t *testing.T) {
	e := newEnv(t)
	// A forged CA with the same names as the trusted ones, and a look-alike
	// of the signer certificate: same subject, issuer name and serial
	// number, another key.
	forgedRootKey, forgedIssKey := ecKey(t), ecKey(t)
	forgedRoot := issueCustom(t, &x509.Certificate{
		SerialNumber: e.ca.Root.SerialNumber, RawSubject: e.ca.Root.RawSubject,
		NotBefore: e.now.Add(-time.Hour), NotAfter: e.now.AddDate(5, 0, 0),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}, nil, forgedRootKey.Public(), forgedRootKey)
	forgedIssuing := issueCustom(t, &x509.Certificate{
		SerialNumber: e.ca.Issuing.SerialNumber, RawSubject: e.ca.Issuing.RawSubject,
		NotBefore: e.now.Add(-time.Hour), NotAfter: e.now.AddDate(5, 0, 0),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}, forgedRoot, forgedIssKey.Public(), forgedRootKey)
	attackerKey := ecKey(t)
	lookAlike := issueCustom(t, &x509.Certificate{
		SerialNumber: e.cert.SerialNumber, RawSubject: e.cert.RawSubject,
		NotBefore: e.cert.NotBefore, NotAfter: e.cert.NotAfter,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}, forgedIssuing, attackerKey.Public(), forgedIssKey)
	if !bytes.Equal(lookAlike.RawIssuer, e.cert.RawIssuer) || lookAlike.SerialNumber.Cmp(e.cert.SerialNumber) != 0 {
		t.Fatal("the look-alike does not share the issuer and serial number")
	}
	// A second certificate the trusted CA really issued for the same
	// subject, with another key.
	sameSubject := issueSigner(t, e.ca, attackerKey.Public(), e.now, 0)

	tests := []struct {
		name    string
		spec    cmsSpec
		wantInd Indication
		wantSub SubIndication
	}{
		{"genuine signature, signer certificate swapped for the look-alike",
			cmsSpec{key: e.key, cert: e.cert, certs: []*x509.Certificate{lookAlike, e.ca.Issuing, e.ca.Root}, essCert: e.cert},
			TotalFailed, SigCryptoFailure},
		{"genuine signature, sid and certificate swapped for another trusted certificate",
			cmsSpec{key: e.key, cert: sameSubject, certs: []*x509.Certificate{sameSubject, e.ca.Issuing}},
			TotalFailed, SigCryptoFailure},
		{"forged signature by the look-alike, forged chain and the trusted root in the CMS",
			cmsSpec{key: attackerKey, cert: lookAlike, certs: []*x509.Certificate{lookAlike, forgedIssuing, e.ca.Issuing, e.ca.Root}, essCert: lookAlike},
			Indeterminate, NoCertificateChainFound},
		{"genuine and look-alike certificates both present, picked by the signing-certificate attribute",
			cmsSpec{key: e.key, cert: e.cert, certs: []*x509.Certificate{lookAlike, e.cert, e.ca.Issuing}, essCert: e.cert},
			TotalPassed, ""},
		{"genuine and look-alike certificates both present, nothing to pick one",
			cmsSpec{key: e.key, cert: e.cert, certs: []*x509.Certificate{lookAlike, e.cert, e.ca.Issuing}},
			Indeterminate, NoSigningCertificateFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.signingTime = e.now
			doc := fillSignature(t, handDoc(subFilterPKCS7), func(signed []byte) []byte {
				return buildCMS(t, signed, tt.spec)
			})
			rep := mustVerify(t, doc, e.opts())
			wantVerdict(t, rep, tt.wantInd, tt.wantSub)
		})
	}
}

func TestHandmadeCMS(t *testing.T) {
	e := newEnv(t)
	chain := []*x509.Certificate{e.cert, e.ca.Issuing}
	rsaK := rsaKey(t, 2048)
	rsaCert := issueSigner(t, e.ca, rsaK.Public(), e.now, 0)
	weakK := rsaKey(t, 1024)
	weakCert := issueSigner(t, e.ca, weakK.Public(), e.now, 0)
	base := func() cmsSpec {
		return cmsSpec{key: e.key, cert: e.cert, certs: chain, signingTime: e.now, essCert: e.cert}
	}
	with := func(f func(*cmsSpec)) cmsSpec {
		s := base()
		f(&s)
		return s
	}
	tests := []struct {
		name      string
		subFilter string
		spec      cmsSpec
		extra     []byte // appended to the DER inside /Contents
		wantInd   Indication
		wantSub   SubIndication
		wantCheck string // a check that must have failed
	}{
		{"ECDSA, issuer and serial", subFilterPKCS7, base(), nil, TotalPassed, "", ""},
		{"subject key identifier", subFilterPKCS7, with(func(s *cmsSpec) { s.sidSKI = true }), nil, TotalPassed, "", ""},
		{"ETSI.CAdES.detached", subFilterCAdES, base(), nil, TotalPassed, "", ""},
		{"RSA PKCS#1 v1.5", subFilterPKCS7, with(func(s *cmsSpec) {
			s.key, s.cert, s.certs, s.essCert = rsaK, rsaCert, []*x509.Certificate{rsaCert, e.ca.Issuing}, rsaCert
		}), nil, TotalPassed, "", ""},
		{"RSA-PSS", subFilterPKCS7, with(func(s *cmsSpec) {
			s.key, s.cert, s.certs, s.essCert, s.pss = rsaK, rsaCert, []*x509.Certificate{rsaCert, e.ca.Issuing}, rsaCert, true
		}), nil, TotalPassed, "", ""},
		{"RSA-PSS with SHA-384", subFilterPKCS7, with(func(s *cmsSpec) {
			s.key, s.cert, s.certs, s.essCert, s.pss, s.hash = rsaK, rsaCert, []*x509.Certificate{rsaCert, e.ca.Issuing}, rsaCert, true, crypto.SHA384
		}), nil, TotalPassed, "", ""},
		{"no signingTime: validated at the validation time", subFilterPKCS7, with(func(s *cmsSpec) { s.signingTime = time.Time{} }), nil, TotalPassed, "", ""},
		{"no signing-certificate attribute", subFilterPKCS7, with(func(s *cmsSpec) { s.essCert = nil }), nil, TotalPassed, "", ""},

		{"RSA-1024", subFilterPKCS7, with(func(s *cmsSpec) {
			s.key, s.cert, s.certs, s.essCert = weakK, weakCert, []*x509.Certificate{weakCert, e.ca.Issuing}, weakCert
		}), nil, Indeterminate, CryptoConstraintsFailure, "key_strength"},
		{"signing time in the future", subFilterPKCS7, with(func(s *cmsSpec) { s.signingTime = e.now.Add(3 * time.Hour) }), nil,
			Indeterminate, SigConstraintsFailure, "signing_time"},
		{"signer certificate not in the CMS", subFilterPKCS7, with(func(s *cmsSpec) { s.certs = []*x509.Certificate{e.ca.Issuing} }), nil,
			Indeterminate, NoSigningCertificateFound, "signer_certificate"},
		{"signing-certificate attribute names another certificate", subFilterPKCS7, with(func(s *cmsSpec) { s.essCert = e.ca.Issuing }), nil,
			Indeterminate, NoSigningCertificateFound, "signing_certificate_attribute"},
		{"ETSI.CAdES.detached without signing-certificate attribute", subFilterCAdES, with(func(s *cmsSpec) { s.essCert = nil }), nil,
			TotalFailed, FormatFailure, "signing_certificate_attribute"},
		{"SHA-1 digest", subFilterPKCS7, with(func(s *cmsSpec) { s.hash = crypto.SHA1 }), nil,
			Indeterminate, CryptoConstraintsFailure, "digest_algorithm"},
		{"signature algorithm hash differs from the digest algorithm", subFilterPKCS7, with(func(s *cmsSpec) {
			s.hash, s.sigAlg = crypto.SHA384, oidECDSAWithSHA256
		}), nil, TotalFailed, FormatFailure, "signature_value"},

		{"messageDigest of other content", subFilterPKCS7, with(func(s *cmsSpec) { s.digestOverride = make([]byte, 32) }), nil,
			TotalFailed, HashFailure, "message_digest"},
		{"signature value corrupted", subFilterPKCS7, with(func(s *cmsSpec) { s.corruptSig = true }), nil,
			TotalFailed, SigCryptoFailure, "signature_value"},
		{"two SignerInfos", subFilterPKCS7, with(func(s *cmsSpec) { s.signerInfo = 2 }), nil,
			TotalFailed, FormatFailure, "cms_structure"},
		{"no SignerInfo", subFilterPKCS7, with(func(s *cmsSpec) { s.signerInfo = -1 }), nil,
			TotalFailed, FormatFailure, "cms_structure"},
		{"content not detached", subFilterPKCS7, with(func(s *cmsSpec) { s.withContent = true }), nil,
			TotalFailed, FormatFailure, "cms_structure"},
		{"no signed attributes", subFilterPKCS7, with(func(s *cmsSpec) { s.noSignedAttrs = true }), nil,
			TotalFailed, FormatFailure, "signed_attributes"},
		{"no contentType attribute", subFilterPKCS7, with(func(s *cmsSpec) { s.noContentType = true }), nil,
			TotalFailed, FormatFailure, "signed_attributes"},
		{"contentType other than id-data", subFilterPKCS7, with(func(s *cmsSpec) { s.contentType = oidSignedData }), nil,
			TotalFailed, FormatFailure, "signed_attributes"},
		{"messageDigest twice", subFilterPKCS7, with(func(s *cmsSpec) { s.duplicateDigest = true }), nil,
			TotalFailed, FormatFailure, "signed_attributes"},
		{"data after the CMS", subFilterPKCS7, base(), []byte{0x01}, TotalFailed, FormatFailure, "cms_structure"},
		{"unsupported SubFilter", "adbe.pkcs7.sha1", base(), nil, TotalFailed, FormatFailure, "sub_filter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := fillSignature(t, handDoc(tt.subFilter), func(signed []byte) []byte {
				return append(buildCMS(t, signed, tt.spec), tt.extra...)
			})
			rep := mustVerify(t, doc, e.opts())
			wantVerdict(t, rep, tt.wantInd, tt.wantSub)
			if tt.wantCheck != "" {
				if c := failedCheck(t, rep, tt.wantCheck); c.SubIndication != tt.wantSub {
					t.Errorf("check %s: got %s, want %s", c.Name, c.SubIndication, tt.wantSub)
				}
			}
		})
	}
}

func TestSigningTimeSource(t *testing.T) {
	e := newEnv(t)
	doc := fillSignature(t, handDoc(subFilterPKCS7), func(signed []byte) []byte {
		return buildCMS(t, signed, cmsSpec{key: e.key, cert: e.cert, certs: []*x509.Certificate{e.cert, e.ca.Issuing}})
	})
	at := e.now.Add(2 * time.Hour)
	opts := e.opts()
	opts.Now = func() time.Time { return at }
	rep := mustVerify(t, doc, opts)
	wantVerdict(t, rep, TotalPassed, "")
	s := rep.Signatures[0]
	if s.SigningTimeSource != SigningTimeValidation || !s.SigningTime.Equal(at) {
		t.Errorf("got signing time %s from %s, want %s from %s", s.SigningTime, s.SigningTimeSource, at, SigningTimeValidation)
	}
	// Without a claimed time, a chain expired at the validation time does
	// not verify.
	opts.Now = func() time.Time { return e.cert.NotAfter.Add(time.Hour) }
	rep = mustVerify(t, doc, opts)
	wantVerdict(t, rep, Indeterminate, OutOfBoundsNoPOE)
}

func TestKeyUsage(t *testing.T) {
	now := time.Now()
	ca := newTestCA(t, nameOf("Test Root"), nameOf("Test Issuing"), now)
	key := ecKey(t)
	tests := []struct {
		name    string
		usage   x509.KeyUsage
		eku     []x509.ExtKeyUsage
		unknown []asn1.ObjectIdentifier
		wantInd Indication
		wantSub SubIndication
	}{
		{"digitalSignature", x509.KeyUsageDigitalSignature, nil, nil, TotalPassed, ""},
		{"nonRepudiation", x509.KeyUsageContentCommitment, nil, nil, TotalPassed, ""},
		{"keyEncipherment only", x509.KeyUsageKeyEncipherment, nil, nil, Indeterminate, ChainConstraintsFailure},
		{"no key usage", 0, nil, nil, Indeterminate, ChainConstraintsFailure},
		{"EKU emailProtection", x509.KeyUsageDigitalSignature, []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}, nil, TotalPassed, ""},
		{"EKU documentSigning", x509.KeyUsageDigitalSignature, nil, []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 36}}, TotalPassed, ""},
		{"EKU serverAuth only", x509.KeyUsageDigitalSignature, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, nil, Indeterminate, ChainConstraintsFailure},
		{"EKU codeSigning only", x509.KeyUsageDigitalSignature, []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}, nil, Indeterminate, ChainConstraintsFailure},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf := ca.leaf(t, &x509.Certificate{
				SerialNumber: bigInt(100 + i), Subject: nameOf("Signer"),
				NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyUsage: tt.usage,
				ExtKeyUsage: tt.eku, UnknownExtKeyUsage: tt.unknown,
			}, key.Public())
			doc := fillSignature(t, handDoc(subFilterPKCS7), func(signed []byte) []byte {
				return buildCMS(t, signed, cmsSpec{key: key, cert: leaf, certs: []*x509.Certificate{leaf, ca.issuing}, signingTime: now})
			})
			rep := mustVerify(t, doc, Options{Roots: []*x509.Certificate{ca.root}, Now: func() time.Time { return now.Add(time.Hour) }})
			wantVerdict(t, rep, tt.wantInd, tt.wantSub)
		})
	}
}

func TestRegistry(t *testing.T) {
	e := newEnv(t)
	data := e.signed(t)
	sum := sha256.Sum256(data)
	changed := e.now.Add(30 * time.Minute)
	cred := func(status CredentialStatus, reason string) map[[32]byte]*Credential {
		return map[[32]byte]*Credential{sum: {ID: "7KQ2M9P-X4R8T1B-HC0WZ3D", Kind: "diploma", Status: status, StatusReason: reason, StatusChangedAt: changed, IssuedAt: e.now}}
	}
	other := newCA(t, e.now)
	tests := []struct {
		name       string
		lookup     CredentialLookup
		roots      []*x509.Certificate
		wantInd    Indication
		wantSub    SubIndication
		wantStatus string
		wantCred   bool
	}{
		{"valid", &fakeLookup{creds: cred(CredentialValid, "")}, nil, TotalPassed, "", RegistryRegistered, true},
		{"revoked", &fakeLookup{creds: cred(CredentialRevoked, "cấp nhầm")}, nil, TotalFailed, Revoked, RegistryRegistered, true},
		{"revoked, signer not trusted", &fakeLookup{creds: cred(CredentialRevoked, "cấp nhầm")}, []*x509.Certificate{other.Root}, TotalFailed, Revoked, RegistryRegistered, true},
		{"superseded", &fakeLookup{creds: cred(CredentialSuperseded, "đính chính")}, nil, Indeterminate, Superseded, RegistryRegistered, true},
		{"unknown status", &fakeLookup{creds: cred("archived", "")}, nil, Indeterminate, TryLater, RegistryRegistered, true},
		{"not registered", &fakeLookup{}, nil, Indeterminate, NotRegistered, RegistryNotRegistered, false},
		{"not registered, signer not trusted", &fakeLookup{}, []*x509.Certificate{other.Root}, Indeterminate, NoCertificateChainFound, RegistryNotRegistered, false},
		{"registry down", &fakeLookup{err: errors.New("database is locked")}, nil, Indeterminate, TryLater, RegistryUnavailable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := e.opts()
			opts.Credentials = tt.lookup
			if tt.roots != nil {
				opts.Roots = tt.roots
			}
			rep := mustVerify(t, data, opts)
			wantVerdict(t, rep, tt.wantInd, tt.wantSub)
			if rep.Registry.Status != tt.wantStatus {
				t.Errorf("got registry status %q, want %q", rep.Registry.Status, tt.wantStatus)
			}
			if (rep.Credential != nil) != tt.wantCred {
				t.Errorf("got credential %+v, want present=%v", rep.Credential, tt.wantCred)
			}
		})
	}

	t.Run("tampered copy of a registered file", func(t *testing.T) {
		opts := e.opts()
		opts.Credentials = &fakeLookup{creds: cred(CredentialValid, "")}
		rep := mustVerify(t, replaceOnce(t, data, holderName, "Nguyen Van Am"), opts)
		wantVerdict(t, rep, TotalFailed, HashFailure)
		if rep.Registry.Status != RegistryNotRegistered {
			t.Errorf("got registry status %q, want %q", rep.Registry.Status, RegistryNotRegistered)
		}
	})
	// The /Contents gap is not signed: a copy with its hex in capitals has
	// another file hash but the same signed content, and must still find its
	// credential, so a revocation cannot be dodged by rewriting the gap.
	t.Run("signed content match", func(t *testing.T) {
		plain := mustVerify(t, data, e.opts())
		signed := signedDigest(data, plain)
		if signed == ([32]byte{}) {
			t.Fatal("no signed-content digest for a valid signed file")
		}
		upper := upperContentsHex(t, data)
		if sha256.Sum256(upper) == sum {
			t.Fatal("the altered copy has the same file hash")
		}
		opts := e.opts()
		opts.Credentials = &fakeLookup{creds: map[[32]byte]*Credential{signed: {ID: "X", Status: CredentialRevoked}}}
		rep := mustVerify(t, upper, opts)
		wantVerdict(t, rep, TotalFailed, Revoked)
		if rep.Credential == nil || rep.Credential.Match != MatchSigned {
			t.Errorf("got credential %+v, want a signed-content match", rep.Credential)
		}
	})
	t.Run("context cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		opts := e.opts()
		opts.Credentials = &fakeLookup{err: context.Canceled}
		if _, err := PDFContext(ctx, data, opts); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})
}

// upperContentsHex returns data with the hex digits of its (first) signature
// container in capitals.
func upperContentsHex(t *testing.T, data []byte) []byte {
	t.Helper()
	out := bytes.Clone(data)
	i := bytes.Index(out, []byte("/Contents<"))
	if i < 0 {
		t.Fatal("no /Contents< in the file")
	}
	for j := i + len("/Contents<"); j < len(out) && out[j] != '>'; j++ {
		if out[j] >= 'a' && out[j] <= 'f' {
			out[j] -= 'a' - 'A'
		}
	}
	return out
}

func TestTwoSignatures(t *testing.T) {
	e := newEnv(t)
	rsaK := rsaKey(t, 2048)
	rsaCert := issueSigner(t, e.ca, rsaK.Public(), e.now, 0)
	first := e.signed(t)
	both := pdfsignSign(t, first, rsaK, rsaCert, e.ca.Chain(), crypto.SHA256)
	rep := mustVerify(t, both, e.opts())
	wantVerdict(t, rep, TotalPassed, "")
	if len(rep.Signatures) != 2 {
		t.Fatalf("got %d signatures, want 2", len(rep.Signatures))
	}
	if rep.Signatures[0].CoversWholeDocument || !rep.Signatures[1].CoversWholeDocument {
		t.Errorf("got coverage %v, %v; want false, true", rep.Signatures[0].CoversWholeDocument, rep.Signatures[1].CoversWholeDocument)
	}
	if rep.Signatures[0].SignatureAlgorithm != "ECDSA" || rep.Signatures[1].SignatureAlgorithm != "RSA-PKCS1-v1_5" {
		t.Errorf("got %s then %s, want ECDSA then RSA", rep.Signatures[0].SignatureAlgorithm, rep.Signatures[1].SignatureAlgorithm)
	}

	// The first signer is untrusted: the document is indeterminate even
	// though the last signature is fine.
	other := newCA(t, e.now)
	k := ecKey(t)
	stranger := issueSigner(t, other, k.Public(), e.now, 0)
	mixed := pdfsignSign(t, pdfsignSign(t, plainPDF(t), k, stranger, other.Chain(), crypto.SHA256), e.key, e.cert, e.ca.Chain(), crypto.SHA256)
	rep = mustVerify(t, mixed, e.opts())
	wantVerdict(t, rep, Indeterminate, NoCertificateChainFound)

	// Tampering inside the first revision breaks both signatures.
	rep = mustVerify(t, replaceOnce(t, both, holderName, "Nguyen Van Am"), e.opts())
	wantVerdict(t, rep, TotalFailed, HashFailure)
}

func TestSignatureDiscovery(t *testing.T) {
	e := newEnv(t)
	sign := func(doc []byte) []byte {
		return fillSignature(t, doc, func(signed []byte) []byte {
			return buildCMS(t, signed, cmsSpec{key: e.key, cert: e.cert, certs: []*x509.Certificate{e.cert, e.ca.Issuing}, signingTime: e.now, essCert: e.cert})
		})
	}
	// docWith builds a document from the hand-made pieces: the signature
	// dictionary is object sig; fields() returns the form's /Fields and any
	// extra objects.
	type piece struct {
		fields string   // the /Fields array, with %d for the field object
		extra  []string // more objects, after the field; %[1]d is the signature, %[2]d the page
		field  string   // the field object; %[1]d signature, %[2]d page, %[3]d itself, %[4]d the next object
		sig    string   // the signature dictionary; empty: sigDict(adbe.pkcs7.detached)
		stray  string   // added to the page content
	}
	build := func(p piece) []byte {
		var d handPDF
		catalog := d.add("")
		pages := d.add("")
		page := d.add("")
		text := "BT /F1 12 Tf 20 100 Td (" + holderName + ") Tj ET" + p.stray
		content := d.add(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(text), text))
		dict := p.sig
		if dict == "" {
			dict = sigDict(subFilterPKCS7)
		}
		sig := d.add(dict)
		field := d.add(fmt.Sprintf(p.field, sig, page, sig+1, sig+2))
		for _, x := range p.extra {
			d.add(fmt.Sprintf(x, sig, page, field))
		}
		d.objs[catalog-1] = fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R /AcroForm << /Fields "+p.fields+" /SigFlags 3 >> >>", pages, field)
		d.objs[pages-1] = fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page)
		d.objs[page-1] = fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 300 200] /Contents %d 0 R >>", pages, content)
		return d.bytes(catalog, "")
	}
	const plainField = "<< /FT /Sig /T (Signature1) /V %[1]d 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P %[2]d 0 R >>"
	tests := []struct {
		name      string
		doc       []byte
		wantInd   Indication
		wantSub   SubIndication
		wantCheck string
		wantField string
	}{
		{"one field", build(piece{fields: "[%d 0 R]", field: plainField}), TotalPassed, "", "", "Signature1"},
		{"field inside a parent field, /FT inherited", build(piece{
			fields: "[%d 0 R]",
			field:  "<< /FT /Sig /T (Parent) /Kids [%[4]d 0 R] >>",
			extra:  []string{"<< /T (Child) /V %[1]d 0 R /Parent %[3]d 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] >>"},
		}), TotalPassed, "", "", "Parent.Child"},
		{"a stray /ByteRange in the page content", build(piece{fields: "[%d 0 R]", field: plainField, stray: " % /ByteRange [0 1 2 3]"}),
			TotalFailed, FormatFailure, "signatures_consistent", ""},
		{"signature dictionary missing from the form", build(piece{fields: "[]", field: plainField}),
			TotalFailed, FormatFailure, "signatures_consistent", ""},
		{"the same signature listed twice", build(piece{fields: "[%[1]d 0 R %[1]d 0 R]", field: plainField}),
			TotalFailed, FormatFailure, "signatures_consistent", ""},
		{"a field whose /Kids loop", build(piece{fields: "[%d 0 R]", field: "<< /FT /Sig /T (Loop) /Kids [%[3]d 0 R] >>"}),
			TotalFailed, FormatFailure, "signature_fields", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := mustVerify(t, sign(tt.doc), e.opts())
			wantVerdict(t, rep, tt.wantInd, tt.wantSub)
			if tt.wantCheck != "" {
				failedCheck(t, rep, tt.wantCheck)
			}
			if tt.wantField != "" && rep.Signatures[0].Field != tt.wantField {
				t.Errorf("got field %q, want %q", rep.Signatures[0].Field, tt.wantField)
			}
		})
	}

	t.Run("no signature at all", func(t *testing.T) {
		rep := mustVerify(t, plainPDF(t), e.opts())
		wantVerdict(t, rep, TotalFailed, FormatFailure)
		failedCheck(t, rep, "has_signature")
		if got := rep.Summary("en"); !strings.Contains(got, "no digital signature") {
			t.Errorf("got summary %q, want it to say there is no signature", got)
		}
	})
	t.Run("unsigned signature field", func(t *testing.T) {
		doc := build(piece{fields: "[%d 0 R]", field: "<< /FT /Sig /T (Empty) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] >>"})
		// The signature dictionary is still in the file; without a field
		// pointing at it the two views disagree.
		rep := mustVerify(t, sign(doc), e.opts())
		wantVerdict(t, rep, TotalFailed, FormatFailure)
	})
	t.Run("only a document timestamp", func(t *testing.T) {
		doc := build(piece{fields: "[%d 0 R]", field: plainField,
			sig: strings.Replace(sigDict("ETSI.RFC3161"), "/Type /Sig", "/Type /DocTimeStamp", 1)})
		rep := mustVerify(t, sign(doc), e.opts())
		wantVerdict(t, rep, TotalFailed, FormatFailure)
		failedCheck(t, rep, "has_signature")
	})
	for _, tt := range []struct{ name, typ, subFilter string }{
		{"document timestamp with a CMS signature's sub-filter", "DocTimeStamp", subFilterCAdES},
		{"signature with a document timestamp's sub-filter", "Sig", subFilterRFC3161},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// A valid signature first, so that the document has one.
			first := sign(build(piece{fields: "[%d 0 R]", field: plainField}))
			u := newRevUpdate(t, first)
			sig := u.add("<< /Type /" + tt.typ + " /SubFilter /" + tt.subFilter + " /ByteRange [0 1 2 3] /Contents <00> >>")
			field := u.add("<< /FT /Sig /T (Second) /V " + ref(sig) + " /Type /Annot /Subtype /Widget /Rect [0 0 0 0] >>")
			cat := u.obj(u.rootNum())
			form := cat.key("AcroForm")
			form.d["Fields"] = pdfObj{kind: objArray, a: append(form.key("Fields").a, pdfObj{kind: objRef, n: field})}
			u.set(u.rootNum(), pdfString(with(t, cat, "AcroForm", pdfString(form))))
			rep := mustVerify(t, u.bytes(), e.opts())
			wantVerdict(t, rep, TotalFailed, FormatFailure)
			failedCheck(t, rep, "signature_dictionary")
		})
	}
}

func TestStructure(t *testing.T) {
	e := newEnv(t)
	good := e.signed(t)
	tests := []struct {
		name        string
		data        []byte
		wantCheck   string
		wantErr     error // from checkStructure or readSignatureFields
		unsupported bool  // INDETERMINATE/UNSUPPORTED_FORMAT rather than TOTAL_FAILED/FORMAT_FAILURE
	}{
		{"not a PDF", []byte("hello, this is not a PDF at all\n%%EOF\n"), "pdf_structure", errNotPDF, false},
		{"empty", nil, "pdf_structure", errNotPDF, false},
		{"unsupported version", bytes.Replace(good, []byte("%PDF-1.3"), []byte("%PDF-3.0"), 1), "pdf_structure", errNotPDF, false},
		{"no %%EOF", bytes.TrimSuffix(good, []byte("%%EOF\n")), "pdf_structure", errBadTail, false},
		{"startxref beyond the file", bytes.Replace(good, []byte("startxref\n\n"), []byte("startxref\n\n9"), 1), "pdf_structure", errBadTail, false},
		{"cross-reference stream", xrefStreamPDF(), "pdf_structure", errXrefStream, true},
		{"encrypted", encryptedPDF(), "pdf_structure", errEncrypted, true},
		{"startxref pointing at garbage", bytes.Replace(good, []byte("\nxref\n"), []byte("\nxxxx\n"), 1), "pdf_structure", errMalformedXref, false},
		{"huge subsection", hugeSubsection(good), "pdf_structure", errTooManyObjects, false},
		{"/Prev loop", prevLoopPDF(t, good), "pdf_structure", errXrefLoop, false},
		{"malformed entry", bytes.Replace(good, []byte(" 00000 n\r\n"), []byte(" 00000 x\r\n"), 1), "pdf_structure", errMalformedXref, false},
		{"objects nested to exhaust the stack", deepPDF(4 << 20), "pdf_structure", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := mustVerify(t, tt.data, e.opts())
			if tt.unsupported {
				wantVerdict(t, rep, Indeterminate, UnsupportedFormat)
			} else {
				wantVerdict(t, rep, TotalFailed, FormatFailure)
			}
			failedCheck(t, rep, tt.wantCheck)
			if len(rep.Signatures) != 0 {
				t.Errorf("got %d signatures, want none listed", len(rep.Signatures))
			}
			var err error
			switch {
			case tt.wantErr == nil:
				// Refused by checkObjects before any parser runs; the
				// parser's own guard is tested below.
				err = checkObjects(tt.data)
				if err == nil {
					t.Error("checkObjects accepted the file")
				}
				_, err = readSignatureFields(tt.data)
				tt.wantErr = errNestingTooDeep
			case tt.wantCheck == "pdf_structure":
				_, err = checkStructure(tt.data)
			default:
				_, err = readSignatureFields(tt.data)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// hugeSubsection renumbers the first subsection of the last
// cross-reference table to start at object 400000000.
func hugeSubsection(data []byte) []byte {
	p := bytes.LastIndex(data, []byte("\nxref\n")) + len("\nxref\n")
	sp := p + bytes.IndexByte(data[p:], ' ')
	out := append(bytes.Clone(data[:p]), "400000000"...)
	return append(out, data[sp:]...)
}

// xrefStreamPDF is a minimal PDF 1.5 file with a cross-reference stream.
func xrefStreamPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n")
	off1 := b.Len()
	b.WriteString("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	off2 := b.Len()
	b.WriteString("2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")
	off3 := b.Len()
	entries := []byte{0, 0, 0, 1, byte(off1 >> 8), byte(off1), 1, byte(off2 >> 8), byte(off2), 1, byte(off3 >> 8), byte(off3)}
	fmt.Fprintf(&b, "3 0 obj\n<< /Type /XRef /Size 4 /W [1 2 0] /Root 1 0 R /Length %d >>\nstream\n", len(entries))
	b.Write(entries)
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", off3)
	return b.Bytes()
}

func encryptedPDF() []byte {
	var d handPDF
	d.add("<< /Type /Catalog /Pages 2 0 R >>")
	d.add("<< /Type /Pages /Kids [] /Count 0 >>")
	d.add("<< /Filter /Standard /V 2 /R 3 /Length 128 /O <00> /U <00> /P -4 >>")
	return d.bytes(1, "/Encrypt 3 0 R /ID [<00> <00>] ")
}

// prevLoopPDF appends a second cross-reference section whose /Prev points
// at itself.
func prevLoopPDF(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	b.Write(data)
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", xref, xref)
	return b.Bytes()
}

// deepPDF is a PDF whose form /Fields is an array nested depth times.
func deepPDF(depth int) []byte {
	var d handPDF
	d.add("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields 3 0 R >> >>")
	d.add("<< /Type /Pages /Kids [] /Count 0 >>")
	d.add(strings.Repeat("[", depth) + strings.Repeat("]", depth))
	return d.bytes(1, "")
}

func TestOptions(t *testing.T) {
	e := newEnv(t)
	data := e.signed(t)
	if _, err := PDF(data, Options{}); !errors.Is(err, ErrNoRoots) {
		t.Errorf("no roots: got %v, want ErrNoRoots", err)
	}
	if _, err := PDF(data, Options{Roots: []*x509.Certificate{nil}}); err == nil {
		t.Error("nil root: got no error, want one")
	}
	opts := e.opts()
	opts.MaxSize = int64(len(data)) - 1
	if _, err := PDF(data, opts); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over MaxSize: got %v, want ErrTooLarge", err)
	}
	opts.MaxSize = int64(len(data))
	wantVerdict(t, mustVerify(t, data, opts), TotalPassed, "")
	if _, err := PDF(make([]byte, DefaultMaxSize+1), Options{Roots: opts.Roots}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over DefaultMaxSize: got %v, want ErrTooLarge", err)
	}
	// Now defaults to the wall clock.
	opts.Now = nil
	wantVerdict(t, mustVerify(t, data, opts), TotalPassed, "")
}

func TestExitCode(t *testing.T) {
	for _, tt := range []struct {
		ind  Indication
		want int
	}{{TotalPassed, 0}, {TotalFailed, 1}, {Indeterminate, 2}, {"", 2}} {
		if got := (&Report{Indication: tt.ind}).ExitCode(); got != tt.want {
			t.Errorf("%q: got %d, want %d", tt.ind, got, tt.want)
		}
	}
}

func TestSummary(t *testing.T) {
	e := newEnv(t)
	good := e.signed(t)
	sum := sha256.Sum256(good)
	revoked := &fakeLookup{creds: map[[32]byte]*Credential{sum: {ID: "X", Status: CredentialRevoked}}}
	other := newCA(t, e.now)
	tests := []struct {
		name   string
		data   []byte
		opts   func(*Options)
		wantVI []string
		wantEN []string
	}{
		{"valid", good, nil,
			[]string{"Tài liệu hợp lệ", "Tran Thi Giam Doc"},
			[]string{"The document is valid", "Tran Thi Giam Doc"}},
		{"changed", replaceOnce(t, good, holderName, "Nguyen Van Am"), nil,
			[]string{"Tài liệu không hợp lệ.", "Nội dung đã bị thay đổi sau khi ký."},
			[]string{"The document is not valid.", "The content was changed after signing."}},
		{"appended", append(bytes.Clone(good), '\n'), nil,
			[]string{"Tài liệu đã bị thêm nội dung sau khi ký."},
			[]string{"Content was added to the document after it was signed."}},
		{"untrusted", good, func(o *Options) { o.Roots = []*x509.Certificate{other.Root} },
			[]string{"Chưa xác nhận được", "không do tổ chức chứng thực tin cậy cấp"},
			[]string{"could not be confirmed", "not issued by a trusted certification authority"}},
		{"revoked", good, func(o *Options) { o.Credentials = revoked },
			[]string{"Tài liệu không hợp lệ.", "đã bị cơ quan cấp thu hồi"},
			[]string{"The document is not valid.", "The issuer has revoked this document."}},
		{"not registered", good, func(o *Options) { o.Credentials = &fakeLookup{} },
			[]string{"Chưa xác nhận được", "không có trong sổ đăng ký"},
			[]string{"could not be confirmed", "not in the registry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := e.opts()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			rep := mustVerify(t, tt.data, opts)
			for lang, wants := range map[string][]string{"vi": tt.wantVI, "en": tt.wantEN} {
				got := rep.Summary(lang)
				for _, w := range wants {
					if !strings.Contains(got, w) {
						t.Errorf("Summary(%q) = %q, want it to contain %q", lang, got, w)
					}
				}
			}
		})
	}
}

func TestReportJSON(t *testing.T) {
	e := newEnv(t)
	rep := mustVerify(t, e.signed(t), e.opts())
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["schema"] != SchemaVersion || m["indication"] != "TOTAL_PASSED" || m["sub_indication"] != "" {
		t.Errorf("got schema %v indication %v/%v, want %s TOTAL_PASSED/\"\"", m["schema"], m["indication"], m["sub_indication"], SchemaVersion)
	}
	if c, ok := m["credential"]; !ok || c != nil {
		t.Errorf("got credential %v (present %v), want null", c, ok)
	}
	doc := m["document"].(map[string]any)
	if doc["sha256"] != rep.Document.SHA256 || doc["signatures"] != float64(1) {
		t.Errorf("got document %v, want sha256 and 1 signature", doc)
	}
	sig := m["signatures"].([]any)[0].(map[string]any)
	for _, key := range []string{"field", "kind", "indication", "sub_indication", "signer", "signing_time", "covers_whole_document", "byte_range", "digest_algorithm", "chain", "checks"} {
		if _, ok := sig[key]; !ok {
			t.Errorf("signature has no %q key: %v", key, sig)
		}
	}
	chain := sig["chain"].(map[string]any)
	if chain["status"] != "trusted" || len(chain["certificates"].([]any)) != 3 {
		t.Errorf("got chain %v, want trusted with 3 certificates", chain)
	}
	if revs, ok := m["revisions"].([]any); !ok || len(revs) != 1 || revs[0].(map[string]any)["kind"] != "signature" {
		t.Errorf("got revisions %v, want the one signed revision", m["revisions"])
	}

	// A failed document still encodes empty lists, not nulls.
	rep = mustVerify(t, []byte("not a pdf"), e.opts())
	b, _ = json.Marshal(rep)
	if !bytes.Contains(b, []byte(`"signatures":[]`)) || !bytes.Contains(b, []byte(`"revisions":[]`)) {
		t.Errorf("got %s, want empty signatures and revisions lists", b)
	}
}

// TestDeepCaller checks that the parser's stack guard counts from the
// caller's depth: a valid document verifies from deep inside a call stack.
func TestDeepCaller(t *testing.T) {
	e := newEnv(t)
	data := e.signed(t)
	var deep func(n int) *Report
	deep = func(n int) *Report {
		if n == 0 {
			return mustVerify(t, data, e.opts())
		}
		return deep(n - 1)
	}
	for _, depth := range []int{100, 1000, 20000} {
		wantVerdict(t, deep(depth), TotalPassed, "")
	}
}

// TestUnterminatedArrayDoesNotHang: github.com/digitorus/pdf loops forever
// on an array cut short by endobj; verify must refuse the file, quickly.
func TestUnterminatedArrayDoesNotHang(t *testing.T) {
	var d handPDF
	d.add("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [")
	d.add("<< /Type /Pages /Kids [] /Count 0 >>")
	data := d.bytes(1, "")
	done := make(chan *Report, 1)
	go func() {
		rep, err := PDF(data, Options{Roots: []*x509.Certificate{newCA(t, time.Now()).Root}})
		if err != nil {
			t.Error(err)
		}
		done <- rep
	}()
	select {
	case rep := <-done:
		if rep != nil {
			wantVerdict(t, rep, TotalFailed, FormatFailure)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("verify.PDF did not return within 20 s on an unterminated array")
	}
}
