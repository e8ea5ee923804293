package verify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/signer"
)

// TestOnlineRevocation: with Options.Fetch, a signature whose document
// carries no revocation data is checked against the certificate's OCSP
// responder (the development CA's, served over HTTP): good, then revoked
// after the CA revokes it, and TRY_LATER when the responder does not answer
// in time.
func TestOnlineRevocation(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	dir := t.TempDir()
	now := time.Now().Truncate(time.Second)
	ca, _, err := devca.Init(dir, rand.Reader, now.Add(-time.Hour), devca.Options{URL: base})
	if err != nil {
		t.Fatal(err)
	}
	slow := make(chan struct{})
	handler := ca.Handler(dir, time.Now)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-slow:
			time.Sleep(2 * time.Second)
		default:
		}
		handler.ServeHTTP(w, r)
	})
	srv.Start()
	defer srv.Close()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueSigner(rand.Reader, key.Public(), devca.Subject{CommonName: "Lê Hoàng Phúc"}, now.Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := signer.Sign(context.Background(), plainPDF(t), key, append([]*x509.Certificate{leaf}, ca.Chain()...), signer.Options{Time: now.Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Roots: []*x509.Certificate{ca.Root}, Fetch: HTTPFetch(nil, 500*time.Millisecond)}

	// Offline: nothing to check.
	rep := mustVerify(t, signed, Options{Roots: opts.Roots})
	if rep.Signatures[0].Chain.RevocationChecked {
		t.Fatal("offline verification claims a revocation check")
	}
	// Online, good.
	rep = mustVerify(t, signed, opts)
	s := rep.Signatures[0]
	if rep.Indication != TotalPassed || !s.Chain.RevocationChecked || len(s.Chain.Revocation) == 0 ||
		s.Chain.Revocation[0].Source != SourceOnlineOCSP || s.Chain.Revocation[0].Status != RevocationGood {
		t.Fatalf("online, good: %s/%s, %+v", rep.Indication, rep.SubIndication, s.Chain)
	}
	// Revoked now, after the claimed signing time: without a timestamp
	// nothing proves the signature came first.
	if err := ca.Revoke(dir, leaf.SerialNumber, 1, now); err != nil {
		t.Fatal(err)
	}
	rep = mustVerify(t, signed, opts)
	if rep.Indication != Indeterminate || rep.SubIndication != RevokedNoPOE {
		t.Fatalf("online, revoked: %s/%s, want INDETERMINATE/REVOKED_NO_POE", rep.Indication, rep.SubIndication)
	}
	// A responder that does not answer in time.
	close(slow)
	rep = mustVerify(t, signed, opts)
	if rep.Indication != Indeterminate || rep.SubIndication != TryLater {
		t.Fatalf("online, unreachable: %s/%s, want INDETERMINATE/TRY_LATER", rep.Indication, rep.SubIndication)
	}
}

// TestTimeLimit: a verification whose context has ended stops with
// INDETERMINATE / TRY_LATER and a time_limit check, never a verdict.
func TestTimeLimit(t *testing.T) {
	e := newEnv(t)
	data := e.signed(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := PDFContext(ctx, data, e.opts())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range rep.Checks {
		found = found || c.Name == "time_limit" && !c.Passed
	}
	if rep.Indication != Indeterminate || rep.SubIndication != TryLater || !found {
		t.Fatalf("got %s/%s, want INDETERMINATE/TRY_LATER with a failed time_limit check", rep.Indication, rep.SubIndication)
	}
}
