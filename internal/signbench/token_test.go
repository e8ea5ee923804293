package signbench

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/internal/testenv"
	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/verify"
)

// TestTokenAlgorithms signs the sample diploma with keys held in SoftHSM2
// with every algorithm kyso supports (RSA PKCS#1 v1.5, RSA-PSS, ECDSA
// P-256 and P-384), and has kyso's verifier and poppler's pdfsig check each
// signature.
func TestTokenAlgorithms(t *testing.T) {
	f := newFixture(t)
	h := testenv.NewSoftHSM(t)
	type tc struct {
		name string
		alg  hsm.Algorithm
		pss  bool
	}
	cases := []tc{{"RSA2048", hsm.RSA2048, false}, {"RSA2048-PSS", hsm.RSA2048, true}, {"P256", hsm.ECDSAP256, false}, {"P384", hsm.ECDSAP384, false}}
	var toks []*testenv.Token
	for _, c := range cases {
		toks = append(toks, h.InitToken(t, "alg-"+c.name))
	}
	db := testenv.PDFSig(t, f.ca.Root)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := toks[i]
			k, err := hsm.GenerateTokenKey(context.Background(), tok.URI("object=director", "pin-value="+tok.PIN), c.alg, hsm.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			chain := f.chainFor(t, k.Signer.Public())
			opts := f.options()
			opts.PSS = c.pss
			out, err := signer.Sign(context.Background(), f.pdf, k.Signer, chain, opts)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := verify.PDF(out, verify.Options{Roots: []*x509.Certificate{f.ca.Root}, Now: func() time.Time { return benchNow.Add(time.Hour) }})
			if err != nil || rep.Indication != verify.TotalPassed {
				t.Fatalf("kyso verify: %v %+v", err, rep)
			}
			if c.pss && rep.Signatures[0].SignatureAlgorithm != "RSA-PSS" {
				t.Errorf("signature algorithm %q, want RSA-PSS", rep.Signatures[0].SignatureAlgorithm)
			}
			path := filepath.Join(t.TempDir(), "signed.pdf")
			if err := os.WriteFile(path, out, 0o600); err != nil {
				t.Fatal(err)
			}
			res := db.Check(t, path)
			if len(res.Signatures) != 1 || res.Signatures[0].SignatureValidation != testenv.PDFSigSignatureValid ||
				res.Signatures[0].CertificateValidation != testenv.PDFSigCertificateTrusted {
				t.Errorf("pdfsig:\n%s", res.Output)
			}
		})
	}
}
