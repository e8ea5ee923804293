package signbench

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/internal/testenv"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/templates"
)

var benchNow = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)

// fixture is an unsigned diploma and what signs it.
type fixture struct {
	pdf   []byte
	fonts *pdf.Renderer
	ca    *devca.CA
	d     templates.Diploma
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	fonts, err := pdf.NewRenderer()
	if err != nil {
		tb.Fatal(err)
	}
	r, err := templates.NewDiplomaRenderer(fonts, templates.RenderOptions{Now: benchNow, Deterministic: true})
	if err != nil {
		tb.Fatal(err)
	}
	d := templates.SampleGraduates(1)[0]
	out, err := r.Render(&d, templates.IssueMeta{CredentialID: "7KQ2M9P-X4R8T1B-HC0WZ3D", VerifyURL: "https://xacthuc.example/v/7KQ2M9P-X4R8T1B-HC0WZ3D"})
	if err != nil {
		tb.Fatal(err)
	}
	ca, err := devca.New(rand.Reader, benchNow, devca.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return &fixture{pdf: out, fonts: fonts, ca: ca, d: d}
}

// chainFor certifies pub for the diploma's signer.
func (f *fixture) chainFor(tb testing.TB, pub crypto.PublicKey) []*x509.Certificate {
	tb.Helper()
	leaf, err := f.ca.IssueSigner(rand.Reader, pub, devca.Subject{CommonName: f.d.SignerName, Title: f.d.SignerTitle, Organization: f.d.IssuingAuthority}, benchNow, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return append([]*x509.Certificate{leaf}, f.ca.Chain()...)
}

func (f *fixture) options() signer.Options {
	return signer.Options{Field: "thu_truong", Reason: "Cấp bằng tốt nghiệp THPT", Location: f.d.IssuePlace, Time: benchNow,
		Appearance: &signer.Appearance{Renderer: f.fonts, Title: f.d.SignerTitle}}
}

// benchKey is a key under test.
type benchKey struct {
	name string
	key  crypto.Signer
}

func softwareKeys(tb testing.TB) []benchKey {
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	r2048, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return []benchKey{{"software-P256", p256}, {"software-RSA2048", r2048}}
}

// tokenKeys generates a P-256 and an RSA-2048 key in SoftHSM2, each on its
// own token (kyso's hsm package logs in once per token and process).
func tokenKeys(tb testing.TB) ([]benchKey, func()) {
	h := testenv.NewSoftHSM(tb)
	algs := []hsm.Algorithm{hsm.ECDSAP256, hsm.RSA2048}
	var toks []*testenv.Token
	for _, alg := range algs {
		toks = append(toks, h.InitToken(tb, "bench-"+alg.String()))
	}
	var keys []benchKey
	var open []*hsm.Key
	for i, alg := range algs {
		tok := toks[i]
		k, err := hsm.GenerateTokenKey(context.Background(), tok.URI("object=bench-"+alg.String(), "pin-value="+tok.PIN), alg, hsm.Options{})
		if err != nil {
			tb.Fatal(err)
		}
		open = append(open, k)
		keys = append(keys, benchKey{"softhsm-" + map[hsm.Algorithm]string{hsm.ECDSAP256: "P256", hsm.RSA2048: "RSA2048"}[alg], k.Signer})
	}
	return keys, func() {
		for _, k := range open {
			k.Close()
		}
	}
}

// rawRate measures n signatures of a SHA-256 digest by key, as the
// reference for the signing benchmark of the same key.
func rawRate(tb testing.TB, key crypto.Signer, n int) time.Duration {
	digest := sha256.Sum256([]byte("kyso"))
	start := time.Now()
	for range n {
		if _, err := key.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
			tb.Fatal(err)
		}
	}
	return time.Since(start) / time.Duration(n)
}

// BenchmarkSigning runs every signing benchmark over one SoftHSM2
// installation (the PKCS#11 module is initialised once per process).
//
// diploma/KEY signs the sample diploma into its field, with its appearance,
// and reports beside ns/op the raw signing time of the same key (raw-ns/op)
// and the ratio of the two (x-raw): what the PDF work costs on top of the
// key.
//
// batch1000/KEY signs 1,000 diplomas with one P-256 key on every CPU, PDF
// in to PDF out, and reports documents per second (the issue's target: at
// least 400).
func BenchmarkSigning(b *testing.B) {
	f := newFixture(b)
	keys := softwareKeys(b)
	tk, closeKeys := tokenKeys(b)
	defer closeKeys()
	keys = append(keys, tk...)
	for _, k := range keys {
		chain := f.chainFor(b, k.key.Public())
		b.Run("diploma/"+k.name, func(b *testing.B) {
			b.ReportAllocs()
			opts := f.options()
			for b.Loop() {
				if _, err := signer.Sign(context.Background(), f.pdf, k.key, chain, opts); err != nil {
					b.Fatal(err)
				}
			}
			per := b.Elapsed() / time.Duration(b.N)
			raw := rawRate(b, k.key, max(b.N, 50))
			b.ReportMetric(float64(raw.Nanoseconds()), "raw-ns/op")
			b.ReportMetric(float64(per)/float64(raw), "x-raw")
		})
	}
	for _, k := range []benchKey{keys[0], tk[0]} {
		chain := f.chainFor(b, k.key.Public())
		b.Run("batch1000/"+k.name, func(b *testing.B) {
			const docs = 1000
			opts := f.options()
			// A batch: one session, the key and chain checked once.
			sess, err := signer.NewSession(k.key, chain)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				var next atomic.Int64
				var wg sync.WaitGroup
				errs := make(chan error, runtime.NumCPU())
				for range runtime.NumCPU() {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for next.Add(1) <= docs {
							if _, err := sess.Sign(context.Background(), f.pdf, opts); err != nil {
								errs <- err
								return
							}
						}
					}()
				}
				wg.Wait()
				close(errs)
				if err := <-errs; err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(docs*b.N)/b.Elapsed().Seconds(), "docs/s")
		})
	}
}

// TestFixtureSigns keeps the benchmarks honest: the fixture signs and the
// signature lands in the diploma's field.
func TestFixtureSigns(t *testing.T) {
	f := newFixture(t)
	key := softwareKeys(t)[0]
	out, err := signer.Sign(context.Background(), f.pdf, key.key, f.chainFor(t, key.key.Public()), f.options())
	if err != nil {
		t.Fatal(err)
	}
	fields, err := signer.Fields(out)
	if err != nil || len(fields) != 1 || !fields[0].Signed || fields[0].Name != "thu_truong" {
		t.Fatalf("fields %+v, %v", fields, err)
	}
}
