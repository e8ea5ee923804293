package verify

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/revocation"
	"github.com/digitorus/pdfsign/sign"
	"golang.org/x/crypto/ocsp"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/signer"
)

// TestEmbeddedRevocation checks the revocation status of signer
// certificates from the validation data a học bạ carries: a certificate
// revoked after a timestamped signature leaves it valid, one revoked before
// makes it invalid; without a timestamp nothing proves the signature came
// before the revocation.
func TestEmbeddedRevocation(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name        string
		timestamp   bool
		revokeAt    time.Duration // after ltvNow; 0: not revoked
		dataAt      time.Duration // when the CRL and OCSP response are made
		only        string        // "ocsp", "crl" or "" for both
		at          time.Duration // validation time
		wantInd     Indication
		wantSub     SubIndication
		wantChecked bool
		wantStatus  string
		wantSource  string
	}{
		{"good, OCSP made just after signing", true, 0, 10 * time.Minute, "", time.Hour, TotalPassed, "", true, RevocationGood, SourceDSSOCSP},
		{"good, only the CRL", true, 0, 10 * time.Minute, "crl", time.Hour, TotalPassed, "", true, RevocationGood, SourceDSSCRL},
		{"revoked after the timestamp", true, day, 2 * day, "", 3 * day, TotalPassed, "", true, RevocationGood, SourceDSSOCSP},
		{"revoked before the timestamp", true, -time.Hour, 10 * time.Minute, "", time.Hour, TotalFailed, Revoked, true, RevocationRevoked, SourceDSSOCSP},
		{"revoked before the timestamp, only the CRL", true, -time.Hour, 10 * time.Minute, "crl", time.Hour, TotalFailed, Revoked, true, RevocationRevoked, SourceDSSCRL},
		{"revoked, no timestamp", false, day, 2 * day, "", 3 * day, Indeterminate, RevokedNoPOE, true, RevocationRevoked, SourceDSSOCSP},
		{"good, no timestamp, data still current", false, 0, 10 * time.Minute, "", time.Hour, TotalPassed, "", true, RevocationGood, SourceDSSOCSP},
		{"good, no timestamp, data out of date", false, 0, 10 * time.Minute, "", 365 * day, TotalPassed, "", false, RevocationUnknown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHocBa(t, signer.CertifyFormFilling)
			h.sign(tt.timestamp)
			leaf := h.people[0].chain[0]
			if tt.revokeAt != 0 {
				if err := h.ca.Revoke("", leaf.SerialNumber, devca.ReasonKeyCompromise, ltvNow.Add(tt.revokeAt)); err != nil {
					t.Fatal(err)
				}
			}
			vd := h.validationData(ltvNow.Add(tt.dataAt))
			switch tt.only {
			case "crl":
				vd.OCSPs = nil
			case "ocsp":
				vd.CRLs = nil
			}
			h.addDSS(vd)
			rep := mustVerify(t, h.doc, h.opts(ltvNow.Add(tt.at)))
			wantVerdict(t, rep, tt.wantInd, tt.wantSub)
			ch := rep.Signatures[0].Chain
			if ch.RevocationChecked != tt.wantChecked || len(ch.Revocation) == 0 ||
				ch.Revocation[0].Status != tt.wantStatus || ch.Revocation[0].Source != tt.wantSource {
				t.Fatalf("got checked %v, %+v; want checked %v, %s from %q", ch.RevocationChecked, ch.Revocation, tt.wantChecked, tt.wantStatus, tt.wantSource)
			}
			if tt.wantStatus == RevocationRevoked && !ch.Revocation[0].RevokedAt.Equal(ltvNow.Add(tt.revokeAt)) {
				t.Errorf("got revoked at %s, want %s", ch.Revocation[0].RevokedAt, ltvNow.Add(tt.revokeAt))
			}
			if tt.wantSub != "" {
				c := failedCheck(t, rep, "revocation")
				if c.SubIndication != tt.wantSub {
					t.Errorf("got check %+v", c)
				}
			}
		})
	}
}

// TestRevocationDataNotTrusted: OCSP responses that do not come from the
// certificate's issuer, or from a responder it delegated, prove nothing.
func TestRevocationDataNotTrusted(t *testing.T) {
	h := newHocBa(t, signer.CertifyFormFilling)
	h.sign(true)
	leaf := h.people[0].chain[0]
	stranger := newHocBa(t, signer.NotCertified)

	// A "revoked" answer signed by another CA (its own issuing CA, about
	// our serial number).
	foreign := func() []byte {
		req, err := ocsp.CreateRequest(leaf, stranger.ca.Issuing, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := stranger.ca.OCSP(req, ltvNow)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	// A "revoked" answer by a certificate the issuer gave to a signer, not
	// to an OCSP responder.
	undelegated := func() []byte {
		p := h.people[1]
		resp, err := ocsp.CreateResponse(h.ca.Issuing, p.chain[0], ocsp.Response{
			Status: ocsp.Revoked, SerialNumber: new(big.Int).Set(leaf.SerialNumber), RevokedAt: ltvNow.Add(-time.Hour),
			ThisUpdate: ltvNow, NextUpdate: ltvNow.Add(time.Hour), Certificate: p.chain[0],
		}, p.key)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for name, der := range map[string][]byte{"another CA": foreign(), "a signer's certificate as responder": undelegated()} {
		t.Run(name, func(t *testing.T) {
			hh := *h
			hh.addDSS(signer.ValidationData{OCSPs: [][]byte{der}})
			rep := mustVerify(t, hh.doc, hh.opts(ltvNow.Add(time.Hour)))
			wantVerdict(t, rep, TotalPassed, "")
			if ch := rep.Signatures[0].Chain; ch.RevocationChecked || ch.Revocation[0].Status != RevocationUnknown {
				t.Errorf("got %+v, want the status unknown", ch)
			}
		})
	}
}

// TestRevocationInSignature reads revocation data from the signature
// itself: the adbe-revocationInfoArchival attribute pdfsign writes, and the
// CMS crls field.
func TestRevocationInSignature(t *testing.T) {
	e := newEnv(t)
	crl := func(t *testing.T, revoked bool) []byte {
		ca := e.ca
		if revoked {
			if err := ca.Revoke("", e.cert.SerialNumber, devca.ReasonKeyCompromise, e.now.Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		der, err := ca.CRL(rand.Reader, e.now)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	t.Run("adbe attribute, good", func(t *testing.T) {
		var ria revocation.InfoArchival
		if err := ria.AddCRL(crl(t, false)); err != nil {
			t.Fatal(err)
		}
		rep := mustVerify(t, pdfsignWithRevocation(t, e, ria), e.opts())
		wantVerdict(t, rep, TotalPassed, "")
		if ch := rep.Signatures[0].Chain; !ch.RevocationChecked || ch.Revocation[0].Source != SourceAdbeCRL {
			t.Errorf("got %+v", ch)
		}
	})
	t.Run("CMS crls field, good", func(t *testing.T) {
		der := crl(t, false)
		doc := fillSignature(t, handDoc(subFilterPKCS7), func(signed []byte) []byte {
			return buildCMS(t, signed, cmsSpec{key: e.key, cert: e.cert, certs: []*x509.Certificate{e.cert, e.ca.Issuing}, signingTime: e.now, essCert: e.cert, crls: [][]byte{der}})
		})
		rep := mustVerify(t, doc, e.opts())
		wantVerdict(t, rep, TotalPassed, "")
		if ch := rep.Signatures[0].Chain; !ch.RevocationChecked || ch.Revocation[0].Source != SourceCMSCRL {
			t.Errorf("got %+v", ch)
		}
	})
	t.Run("adbe attribute, revoked", func(t *testing.T) {
		var ria revocation.InfoArchival
		if err := ria.AddCRL(crl(t, true)); err != nil {
			t.Fatal(err)
		}
		rep := mustVerify(t, pdfsignWithRevocation(t, e, ria), e.opts())
		wantVerdict(t, rep, Indeterminate, RevokedNoPOE)
		if s := rep.Summary("vi"); !bytes.Contains([]byte(s), []byte("đã bị thu hồi")) {
			t.Errorf("summary %q", s)
		}
	})
}

// pdfsignWithRevocation signs the test document with pdfsign, embedding
// ria as the adbe-revocationInfoArchival attribute.
func pdfsignWithRevocation(t testing.TB, e *env, ria revocation.InfoArchival) []byte {
	t.Helper()
	in := plainPDF(t)
	rdr, err := pdf.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = sign.Sign(bytes.NewReader(in), &out, rdr, int64(len(in)), sign.SignData{
		Signature: sign.SignDataSignature{
			CertType: sign.ApprovalSignature,
			Info:     sign.SignDataSignatureInfo{Name: "Tran Thi Giam Doc", Date: fixedDate},
		},
		Signer:            e.key.(crypto.Signer),
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       e.cert,
		CertificateChains: [][]*x509.Certificate{append([]*x509.Certificate{e.cert}, e.ca.Chain()...)},
		RevocationData:    ria,
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestOCSPNamesIssuer: a response signed by the issuer about the right
// serial number but whose CertID names another issuer is refused, which
// golang.org/x/crypto/ocsp alone would accept.
func TestOCSPNamesIssuer(t *testing.T) {
	now := ltvNow
	ca := newTestCA(t, nameOf("Root"), nameOf("Issuing"), now)
	k := ecKey(t)
	leaf := ca.leaf(t, &x509.Certificate{SerialNumber: bigInt(77), Subject: nameOf("Signer"), NotBefore: now.Add(-time.Hour),
		NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}, k.Public())
	respond := func(certIDIssuer *x509.Certificate, serial int) []byte {
		der, err := ocsp.CreateResponse(certIDIssuer, ca.issuing, ocsp.Response{Status: ocsp.Good, SerialNumber: bigInt(serial),
			ThisUpdate: now, NextUpdate: now.Add(time.Hour)}, ca.issuingKey)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	tests := []struct {
		name string
		der  []byte
		want bool
	}{
		{"names the issuer", respond(ca.issuing, 77), true},
		{"names the root", respond(ca.root, 77), false},
		{"another serial number", respond(ca.issuing, 78), false},
		{"not an OCSP response", []byte{0x30, 0x00}, false},
	}
	for _, tt := range tests {
		if got := ocspNamesIssuer(tt.der, leaf, ca.issuing); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	if _, err := ocsp.ParseResponseForCert(tests[1].der, leaf, ca.issuing); err != nil {
		t.Errorf("x/crypto/ocsp refuses the response naming the root (%v): this test no longer shows why ocspNamesIssuer exists", err)
	}
	v := &validator{now: now}
	st := v.certStatus(leaf, ca.issuing, now, revocationData{ocsps: []revItem{{der: tests[1].der, source: SourceDSSOCSP}}})
	if st.Status != RevocationUnknown {
		t.Errorf("got %+v from a response naming another issuer, want unknown", st)
	}
	st = v.certStatus(leaf, ca.issuing, now, revocationData{ocsps: []revItem{{der: tests[0].der, source: SourceDSSOCSP}}})
	if st.Status != RevocationGood {
		t.Errorf("got %+v, want good", st)
	}
}
