package verify

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/signer"
)

// TestSignatureTimestamp signs hand-made documents whose CMS carries an
// RFC 3161 signature timestamp built for the case, and checks the verdict
// and where the signing time comes from.
func TestSignatureTimestamp(t *testing.T) {
	e := newEnv(t)
	genTime := e.now.UTC().Truncate(time.Second)
	gen := genTime.Format("20060102150405Z")
	tsaKey := ecKey(t)
	tsaCert, err := e.ca.IssueTimestamping(rand.Reader, tsaKey.Public(), devca.Subject{CommonName: "TSA"}, e.now, 0)
	if err != nil {
		t.Fatal(err)
	}
	tsaCerts := []*x509.Certificate{tsaCert, e.ca.Issuing}

	// Another PKI, made with crypto/x509, for authorities devca does not
	// issue: a non-critical or wrong extended key usage.
	other := newTestCA(t, nameOf("Other Root"), nameOf("Other Issuing"), e.now)
	otherTSA := func(eku []x509.ExtKeyUsage, serial int) (crypto.Signer, *x509.Certificate) {
		k := ecKey(t)
		return k, other.leaf(t, &x509.Certificate{SerialNumber: bigInt(serial), Subject: nameOf("Other TSA"),
			NotBefore: e.now.Add(-time.Hour), NotAfter: e.now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: eku}, k.Public())
	}
	nonCriticalKey, nonCritical := otherTSA([]x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}, 10)
	codeKey, codeCert := otherTSA([]x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping, x509.ExtKeyUsageCodeSigning}, 11)

	tests := []struct {
		name     string
		token    func(sig []byte) []byte // the attribute value, given the signature value
		tsRoots  []*x509.Certificate
		wantInd  Indication
		wantSub  SubIndication
		wantTime time.Time // when the timestamp is valid
	}{
		{"valid", func(sig []byte) []byte {
			return buildToken(t, tokenSpec{key: tsaKey, cert: tsaCert, certs: tsaCerts, genTime: gen, message: sig})
		}, nil, TotalPassed, "", genTime},
		{"valid, genTime with milliseconds", func(sig []byte) []byte {
			return buildToken(t, tokenSpec{key: tsaKey, cert: tsaCert, certs: tsaCerts, genTime: genTime.Format("20060102150405") + ".25Z", message: sig})
		}, nil, TotalPassed, "", genTime.Add(250 * time.Millisecond)},
		{"valid, SHA-512 imprint", func(sig []byte) []byte {
			return buildToken(t, tokenSpec{key: tsaKey, cert: tsaCert, certs: tsaCerts, genTime: gen, message: sig, hash: crypto.SHA512})
		}, nil, TotalPassed, "", genTime},
		{"imprint of something else", func(sig []byte) []byte {
			return buildToken(t, tokenSpec{key: tsaKey, cert: tsaCert, certs: tsaCerts, genTime: gen, message: []byte("another signature")})
		}, nil, TotalFailed, HashFailure, time.Time{}},
		{"token signature corrupted", func(sig []byte) []byte {
			return buildToken(t, tokenSpec{key: tsaKey, cert: tsaCert, certs: tsaCerts, genTime: gen, message: sig, corrupt: true})
		}, nil, TotalFailed, SigCryptoFailure, time.Time{}},
		{"not a token", func(sig []byte) []byte {
			return []byte{0x02, 0x01, 0x05}
		}, nil, TotalFailed, FormatFailure, time.Time{}},
		{"genTime not a GeneralizedTime of RFC 3161", func(sig []byte) []byte {
			return buildToken(t, tokenSpec{key: tsaKey, cert: tsaCert, certs: tsaCerts, genTime: genTime.Format("20060102150405") + ".50Z", message: sig})
		}, nil, TotalFailed, FormatFailure, time.Time{}},
		{"genTime in the future", func(sig []byte) []byte {
			return buildToken(t, tokenSpec{key: tsaKey, cert: tsaCert, certs: tsaCerts, genTime: genTime.Add(48 * time.Hour).Format("20060102150405Z"), message: sig})
		}, nil, Indeterminate, SigConstraintsFailure, time.Time{}},
		{"SHA-1 imprint", func(sig []byte) []byte {
			return buildToken(t, tokenSpec{key: tsaKey, cert: tsaCert, certs: tsaCerts, genTime: gen, message: sig, hash: crypto.SHA1})
		}, nil, Indeterminate, CryptoConstraintsFailure, time.Time{}},
		{"no signing-certificate attribute", func(sig []byte) []byte {
			return buildToken(t, tokenSpec{key: tsaKey, cert: tsaCert, certs: tsaCerts, genTime: gen, message: sig, noESS: true})
		}, nil, Indeterminate, NoSigningCertificateFound, time.Time{}},
		{"authority not trusted for timestamps", func(sig []byte) []byte {
			return buildToken(t, tokenSpec{key: tsaKey, cert: tsaCert, certs: tsaCerts, genTime: gen, message: sig})
		}, []*x509.Certificate{other.root}, Indeterminate, NoCertificateChainFound, time.Time{}},
		{"authority trusted through TimestampRoots", func(sig []byte) []byte {
			k, c := otherTSA([]x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}, 12)
			c = criticalEKU(t, other, c, k)
			return buildToken(t, tokenSpec{key: k, cert: c, certs: []*x509.Certificate{c, other.issuing}, genTime: gen, message: sig})
		}, []*x509.Certificate{other.root}, TotalPassed, "", genTime},
		{"extended key usage not critical", func(sig []byte) []byte {
			return buildToken(t, tokenSpec{key: nonCriticalKey, cert: nonCritical, certs: []*x509.Certificate{nonCritical, other.issuing}, genTime: gen, message: sig})
		}, []*x509.Certificate{other.root}, Indeterminate, ChainConstraintsFailure, time.Time{}},
		{"extended key usage not only timeStamping", func(sig []byte) []byte {
			return buildToken(t, tokenSpec{key: codeKey, cert: codeCert, certs: []*x509.Certificate{codeCert, other.issuing}, genTime: gen, message: sig})
		}, []*x509.Certificate{other.root}, Indeterminate, ChainConstraintsFailure, time.Time{}},
		{"a signer certificate as the authority", func(sig []byte) []byte {
			return buildToken(t, tokenSpec{key: e.key, cert: e.cert, certs: []*x509.Certificate{e.cert, e.ca.Issuing}, genTime: gen, message: sig})
		}, nil, Indeterminate, ChainConstraintsFailure, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := fillSignature(t, handDoc(subFilterCAdES), func(signed []byte) []byte {
				return buildCMS(t, signed, cmsSpec{key: e.key, cert: e.cert, certs: []*x509.Certificate{e.cert, e.ca.Issuing}, essCert: e.cert,
					unsignedFor: func(sig []byte) [][]byte { return [][]byte{timestampAttribute(t, tt.token(sig))} }})
			})
			opts := e.opts()
			opts.TimestampRoots = tt.tsRoots
			rep := mustVerify(t, doc, opts)
			wantVerdict(t, rep, tt.wantInd, tt.wantSub)
			s := rep.Signatures[0]
			if tt.wantInd != TotalPassed {
				c := failedCheck(t, rep, "signature_timestamp")
				if c.Indication != tt.wantInd || c.SubIndication != tt.wantSub {
					t.Errorf("check: got %s/%s, want %s/%s", c.Indication, c.SubIndication, tt.wantInd, tt.wantSub)
				}
				if s.SigningTimeSource != SigningTimeValidation {
					t.Errorf("got signing time source %s, want the validation time", s.SigningTimeSource)
				}
				return
			}
			if s.SigningTimeSource != SigningTimeSignatureTimestamp || !s.SigningTime.Equal(tt.wantTime) || s.Timestamp == nil || !s.Timestamp.GenTime.Equal(tt.wantTime) {
				t.Errorf("got signing time %s (%s), timestamp %+v; want %s from the timestamp", s.SigningTime, s.SigningTimeSource, s.Timestamp, tt.wantTime)
			}
		})
	}
}

// criticalEKU reissues c with its extended key usage extension marked
// critical, as RFC 3161 requires (crypto/x509 writes it non-critical).
func criticalEKU(t testing.TB, ca *testCA, c *x509.Certificate, k crypto.Signer) *x509.Certificate {
	t.Helper()
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{oidEKUTimeStamping})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: c.SerialNumber, Subject: c.Subject, NotBefore: c.NotBefore, NotAfter: c.NotAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtraExtensions: []pkix.Extension{{Id: oidExtKeyUsage, Critical: true, Value: eku}}}
	return ca.leaf(t, tmpl, k.Public())
}

// TestSignatureTimestampProvesTime: five years on, the signer's certificate
// has expired. A signature with a timestamp still verifies, validated at
// the timestamp's genTime; one without cannot be confirmed.
func TestSignatureTimestampProvesTime(t *testing.T) {
	later := ltvNow.AddDate(5, 0, 0)
	for _, ts := range []bool{true, false} {
		h := newHocBa(t, signer.CertifyFormFilling)
		h.sign(ts)
		rep := mustVerify(t, h.doc, h.opts(later))
		if ts {
			wantVerdict(t, rep, TotalPassed, "")
			continue
		}
		wantVerdict(t, rep, Indeterminate, OutOfBoundsNoPOE)
		if s := rep.Signatures[0]; s.SigningTimeSource != SigningTimeValidation || s.Timestamp != nil {
			t.Errorf("without a timestamp: got source %s, timestamp %+v", s.SigningTimeSource, s.Timestamp)
		}
	}
}

// TestDocumentTimestamp checks document timestamps made by the signer:
// valid, and broken by a change to what only it covers.
func TestDocumentTimestamp(t *testing.T) {
	h := newHocBa(t, signer.CertifyFormFilling)
	h.signN(2, true)
	h.addDSS(h.validationData(ltvNow.Add(10 * time.Minute)))
	h.addDTS()
	at := ltvNow.Add(time.Hour)
	rep := mustVerify(t, h.doc, h.opts(at))
	wantVerdict(t, rep, TotalPassed, "")
	dts := rep.Signatures[len(rep.Signatures)-1]
	if dts.Kind != KindDocumentTimestamp || dts.SubFilter != "ETSI.RFC3161" || dts.DigestAlgorithm != "SHA-256" || dts.SignatureAlgorithm != "ECDSA" {
		t.Errorf("got %+v", dts)
	}
	for _, name := range []string{"timestamp_token", "timestamp_signature", "tsa_certificate", "timestamp_chain", "message_imprint", "timestamp_time"} {
		if !checkPassed(dts.Checks, name) {
			t.Errorf("document timestamp check %s did not pass", name)
		}
	}

	t.Run("validation data changed under the timestamp", func(t *testing.T) {
		// One letter of a VRI key: the DSS revision, which only the
		// document timestamp covers.
		i := bytes.Index(h.doc, []byte("/VRI << /")) + len("/VRI << /")
		doc := bytes.Clone(h.doc)
		doc[i] = map[bool]byte{true: 'B', false: 'A'}[doc[i] == 'A']
		rep := mustVerify(t, doc, h.opts(at))
		wantVerdict(t, rep, TotalFailed, HashFailure)
		c := failedCheck(t, rep, "message_imprint")
		if c.Indication != TotalFailed {
			t.Errorf("got %+v", c)
		}
		if !strings.Contains(rep.Summary("en"), "document timestamp is not valid") {
			t.Errorf("summary %q", rep.Summary("en"))
		}
	})
	t.Run("authority not trusted", func(t *testing.T) {
		opts := h.opts(at)
		opts.TimestampRoots = []*x509.Certificate{newCA(t, ltvNow).Root}
		rep := mustVerify(t, h.doc, opts)
		wantVerdict(t, rep, Indeterminate, NoCertificateChainFound)
		failedCheck(t, rep, "timestamp_chain")
	})
}

func TestParseGenTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"20260701080000Z", time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC), true},
		{"20260701080000.5Z", time.Date(2026, 7, 1, 8, 0, 0, 5e8, time.UTC), true},
		{"20260701080000.123456789Z", time.Date(2026, 7, 1, 8, 0, 0, 123456789, time.UTC), true},
		{"20260701080000.50Z", time.Time{}, false},
		{"20260701080000.Z", time.Time{}, false},
		{"20260701080000", time.Time{}, false},
		{"20260701080000+0700", time.Time{}, false},
		{"202607010800Z", time.Time{}, false},
		{"20261301080000Z", time.Time{}, false},
		{"2026070108000aZ", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := parseGenTime(tt.in)
		if (err == nil) != tt.ok || tt.ok && !got.Equal(tt.want) {
			t.Errorf("parseGenTime(%q) = %s, %v; want %s, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, errTSTInfo) {
			t.Errorf("parseGenTime(%q): error %v does not wrap errTSTInfo", tt.in, err)
		}
	}
}
