package tsa

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/kyso-vn/kyso/internal/cms"
)

func TestClientAgainstAuthority(t *testing.T) {
	message := []byte("chữ ký của Nguyễn Văn Nghĩa")
	tests := []struct {
		key  string
		hash crypto.Hash
	}{
		{"p256", 0},
		{"p256", crypto.SHA384},
		{"p384", crypto.SHA512},
		{"p521", crypto.SHA256},
		{"rsa", crypto.SHA256},
	}
	for _, tt := range tests {
		t.Run(tt.key+" "+tt.hash.String(), func(t *testing.T) {
			pki := newPKI(t, tt.key)
			srv := serve(t, pki.authority(t))
			c := &Client{URL: srv.URL, Hash: tt.hash, Roots: pki.roots()}
			token, err := c.Timestamp(context.Background(), message)
			if err != nil {
				t.Fatalf("Timestamp: %v", err)
			}
			info, err := ParseToken(token)
			if err != nil {
				t.Fatalf("ParseToken: %v", err)
			}
			h := tt.hash
			if h == 0 {
				h = crypto.SHA256
			}
			d := h.New()
			d.Write(message)
			if info.Hash != h || !bytes.Equal(info.HashedMessage, d.Sum(nil)) {
				t.Errorf("imprint %v %x, want %v of the message", info.Hash, info.HashedMessage, h)
			}
			if !info.GenTime.Equal(testNow) || !info.Policy.Equal(testPolicy) || info.Nonce == nil || info.Nonce.BitLen() != 127 {
				t.Errorf("genTime %v, policy %v, nonce %v", info.GenTime, info.Policy, info.Nonce)
			}
			if !info.Certificate.Equal(pki.chain[0]) {
				t.Errorf("signer %q, want the TSA certificate", info.Certificate.Subject)
			}
			// The token is a valid CMS for internal/cms too (the PAdES
			// signer embeds it as an unsigned attribute).
			sd, err := cms.Parse(token)
			if err != nil || sd.VerifySignature() != nil {
				t.Errorf("cms: %v", err)
			}
		})
	}
}

// rewrite is a proxy to an authority that changes requests and responses.
type rewrite struct {
	a    *Authority
	req  func(r *request) // changes the parsed request before it is re-encoded
	resp func(b []byte) []byte
}

func (p rewrite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if p.req != nil {
		req, _, err := parseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		p.req(req)
		body = reencode(req)
	}
	out := p.a.Respond(body)
	if p.resp != nil {
		out = p.resp(out)
	}
	w.Header().Set("Content-Type", ContentTypeReply)
	w.Write(out)
}

// reencode writes a parsed request back.
func reencode(r *request) []byte {
	t := testReq{version: 1, hashOID: r.hashOID, params: r.hashAlgP, hashed: r.hashed, policy: r.policy, certReq: r.certReq, ext: r.hasExts}
	if r.nonce != nil {
		t.nonce = new(big.Int)
		if s := cryptobyte.String(r.nonce); !s.ReadASN1Integer(t.nonce) {
			panic("bad nonce")
		}
	}
	b, err := t.bytes()
	if err != nil {
		panic(err)
	}
	return b
}

// forged answers with a token made here, signed by key for chain and
// dated genTime, bypassing the Authority's own checks.
func forged(key crypto.Signer, chain []*x509.Certificate, genTime time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, _, err := parseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		hash, _ := hashFromOID(req.hashOID)
		tst, err := encodeTSTInfo(&tstInfo{policy: testPolicy, hash: hash, hashed: req.hashed, serial: big.NewInt(1), genTime: genTime, nonce: req.nonce})
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		sum := sha256.Sum256(tst)
		token, err := cms.Sign(rand.Reader, sum[:], key, chain, cms.Options{ContentType: cms.OIDTSTInfo, Content: tst})
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", ContentTypeReply)
		w.Write(encodeResponse(StatusGranted, "", 0, token))
	})
}

// handler answers every request the same way.
func handler(status int, ctype string, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		w.Write(body)
	})
}

func TestClientErrors(t *testing.T) {
	pki := newPKI(t, "p256")
	a := pki.authority(t)
	otherPKI := newPKI(t, "p256")

	// A closed port: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	slow := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Once the body is read, the server notices the client leaving.
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))

	// A token whose signature is broken: flip the last byte of the
	// signature value.
	tampered := func(b []byte) []byte {
		resp, err := ParseResponse(b)
		if err != nil || resp.Token == nil {
			return b
		}
		sv, _ := cms.SignatureValue(resp.Token)
		i := bytes.Index(b, sv)
		b = bytes.Clone(b)
		b[i+len(sv)-1] ^= 1
		return b
	}
	// Tokens from certificates the Authority would refuse, made by hand.
	nonCritical := certWith(t, pki, pki.key, pki.key.Public(), func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}
	})
	nonCriticalTSA := forged(pki.key, []*x509.Certificate{nonCritical}, testNow)
	lateTSA := forged(pki.key, pki.chain, pki.chain[0].NotAfter.Add(time.Second))
	earlyTSA := forged(pki.key, pki.chain, pki.chain[0].NotBefore.Add(-time.Second))
	forgedOK := forged(pki.key, pki.chain, testNow)

	rejection := encodeResponse(StatusRejection, "đang bảo trì", FailSystemFailure, nil)
	waiting := encodeResponse(StatusWaiting, "", 0, nil)
	grantedNoToken := encodeResponse(StatusGranted, "", 0, nil)

	tests := []struct {
		name    string
		url     string
		client  func(c *Client)
		want    error
		wantToo error // a second error the result must also match
	}{
		{"unreachable", closed, nil, ErrUnreachable, nil},
		{"timeout", slow.URL, func(c *Client) { c.Timeout = 100 * time.Millisecond }, ErrUnreachable, context.DeadlineExceeded},
		{"bad URL", "http://[::1", nil, nil, nil},
		{"HTTP 503", serve(t, handler(503, "text/plain", nil)).URL, nil, ErrUnreachable, nil},
		{"HTTP 500", serve(t, handler(500, "text/plain", nil)).URL, nil, ErrBadResponse, nil},
		{"HTTP 404", serve(t, handler(404, ContentTypeReply, nil)).URL, nil, ErrBadResponse, nil},
		{"wrong content type", serve(t, handler(200, "text/html", grantedNoToken)).URL, nil, ErrBadResponse, nil},
		{"garbage body", serve(t, handler(200, ContentTypeReply, []byte("<html>garbage</html>"))).URL, nil, ErrBadResponse, nil},
		{"empty body", serve(t, handler(200, ContentTypeReply, nil)).URL, nil, ErrBadResponse, nil},
		{"oversized body", serve(t, handler(200, ContentTypeReply, make([]byte, DefaultMaxResponse+1))).URL, nil, ErrBadResponse, nil},
		{"response over a small limit", serve(t, a).URL, func(c *Client) { c.MaxResponse = 100 }, ErrBadResponse, nil},
		{"rejection", serve(t, handler(200, ContentTypeReply, rejection)).URL, nil, ErrRejected, nil},
		{"waiting", serve(t, handler(200, ContentTypeReply, waiting)).URL, nil, ErrRejected, nil},
		{"real rejection (extension)", serve(t, rewrite{a: a, req: func(r *request) { r.hasExts = true }}).URL, nil, ErrRejected, nil},
		{"granted without token", serve(t, handler(200, ContentTypeReply, grantedNoToken)).URL, nil, ErrBadResponse, nil},
		{"wrong nonce", serve(t, rewrite{a: a, req: func(r *request) { r.nonce = []byte{0x02, 0x01, 0x07} }}).URL, nil, ErrBadResponse, nil},
		{"nonce dropped", serve(t, rewrite{a: a, req: func(r *request) { r.nonce = nil }}).URL, nil, ErrBadResponse, nil},
		{"wrong imprint", serve(t, rewrite{a: a, req: func(r *request) { r.hashed = bytes.Clone(r.hashed); r.hashed[0] ^= 1 }}).URL, nil, ErrBadResponse, nil},
		{"other hash", serve(t, rewrite{a: a, req: func(r *request) { r.hashOID, r.hashed = oidSHA512, make([]byte, 64) }}).URL, nil, ErrBadResponse, nil},
		{"no certificates", serve(t, rewrite{a: a, req: func(r *request) { r.certReq = false }}).URL, nil, ErrBadResponse, ErrBadToken},
		{"tampered signature", serve(t, rewrite{a: a, resp: tampered}).URL, nil, ErrBadResponse, ErrBadToken},
		{"non-critical EKU", serve(t, nonCriticalTSA).URL, nil, ErrBadResponse, ErrBadTSACertificate},
		{"genTime after the certificate", serve(t, lateTSA).URL, nil, ErrBadResponse, ErrBadTSACertificate},
		{"genTime before the certificate", serve(t, earlyTSA).URL, nil, ErrBadResponse, ErrBadTSACertificate},
		{"untrusted root", serve(t, a).URL, func(c *Client) { c.Roots = otherPKI.roots() }, ErrBadResponse, ErrBadTSACertificate},
		{"SHA-1", serve(t, a).URL, func(c *Client) { c.Hash = crypto.SHA1 }, ErrUnsupportedHash, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{URL: tt.url, Roots: pki.roots()}
			if tt.client != nil {
				tt.client(c)
			}
			start := time.Now()
			token, err := c.Timestamp(context.Background(), []byte("message"))
			if err == nil || token != nil {
				t.Fatalf("Timestamp: token %d bytes, err %v; want an error", len(token), err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
			if tt.wantToo != nil && !errors.Is(err, tt.wantToo) {
				t.Errorf("got %v, want it to match %v too", err, tt.wantToo)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}

	// The hand-made tokens are sound otherwise: a correct one is accepted.
	if _, err := (&Client{URL: serve(t, forgedOK).URL, Roots: pki.roots()}).Timestamp(context.Background(), []byte("m")); err != nil {
		t.Errorf("hand-made sound token: %v", err)
	}

	// A rejection carries its details.
	c := &Client{URL: serve(t, handler(200, ContentTypeReply, rejection)).URL}
	_, err = c.Timestamp(context.Background(), []byte("m"))
	var rej *RejectedError
	if !errors.As(err, &rej) || rej.Status != StatusRejection || rej.FailInfo != FailSystemFailure || len(rej.StatusText) != 1 || rej.StatusText[0] != "đang bảo trì" {
		t.Errorf("rejection error %#v", err)
	}
	// A cancelled context is unreachable too, and says so.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c = &Client{URL: serve(t, a).URL}
	if _, err := c.Timestamp(ctx, []byte("m")); !errors.Is(err, ErrUnreachable) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	// Without Roots, an otherwise sound token from any CA is accepted.
	c = &Client{URL: serve(t, otherPKI.authority(t)).URL}
	if _, err := c.Timestamp(context.Background(), []byte("m")); err != nil {
		t.Errorf("no Roots: %v", err)
	}
}

// TestClientNonceFromRand: the nonce comes from Client.Rand.
func TestClientNonceFromRand(t *testing.T) {
	pki := newPKI(t, "p256")
	srv := serve(t, pki.authority(t))
	c := &Client{URL: srv.URL, Rand: bytes.NewReader(bytes.Repeat([]byte{0xff}, 16))}
	token, err := c.Timestamp(context.Background(), []byte("m"))
	if err != nil {
		t.Fatal(err)
	}
	info, _ := ParseToken(token)
	want := new(big.Int).SetBytes(append([]byte{0x7f}, bytes.Repeat([]byte{0xff}, 15)...))
	if info.Nonce.Cmp(want) != 0 {
		t.Errorf("nonce %x, want %x", info.Nonce, want)
	}
	c.Rand = bytes.NewReader(nil)
	if _, err := c.Timestamp(context.Background(), []byte("m")); err == nil {
		t.Error("no error from an exhausted random source")
	}
	sum := sha256.Sum256([]byte("m"))
	if !bytes.Equal(info.HashedMessage, sum[:]) {
		t.Error("imprint")
	}
}

// TestConcurrentClients: one authority and one client serve many requests
// at once (run with -race).
func TestConcurrentClients(t *testing.T) {
	pki := newPKI(t, "p256")
	c := &Client{URL: serve(t, pki.authority(t)).URL, Roots: pki.roots()}
	errs := make(chan error, 16)
	for i := 0; i < cap(errs); i++ {
		go func() {
			_, err := c.Timestamp(context.Background(), []byte{byte(i)})
			errs <- err
		}()
	}
	for i := 0; i < cap(errs); i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
