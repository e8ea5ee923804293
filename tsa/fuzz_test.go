package tsa

import (
	"bytes"
	"errors"
	"os/exec"
	"testing"
)

// seedRequests returns real requests: made by openssl ts -query when
// OpenSSL is installed, and by this package's encoder.
func seedRequests(f *testing.F) [][]byte {
	var reqs [][]byte
	for _, r := range []testReq{validReq(), func() testReq { r := validReq(); r.policy = testPolicy; r.certReq = false; return r }()} {
		reqs = append(reqs, r.der(f))
	}
	if openssl, err := exec.LookPath("openssl"); err == nil {
		dir := f.TempDir()
		data := writeFile(f, dir, "data", []byte("seed"))
		for _, args := range [][]string{{"-sha256", "-cert"}, {"-sha512", "-no_nonce"}, {"-sha1"}, {"-sha384", "-tspolicy", "1.2.3.4"}} {
			reqs = append(reqs, opensslQuery(f, openssl, dir, data, args...))
		}
	}
	return reqs
}

// FuzzRespond feeds the authority's request parser. Every input gets a
// well-formed response; a granted one holds a token that verifies and
// echoes the request's imprint and nonce.
func FuzzRespond(f *testing.F) {
	pki := newPKI(f, "p256")
	a := pki.authority(f)
	for _, r := range seedRequests(f) {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, req []byte) {
		resp, err := ParseResponse(a.Respond(req))
		if err != nil {
			t.Fatalf("the authority wrote an unreadable response: %v", err)
		}
		if resp.Status != StatusGranted {
			if resp.Status != StatusRejection || resp.FailInfo == 0 || resp.Token != nil {
				t.Fatalf("response %+v: want granted, or a rejection with a failure and no token", resp)
			}
			return
		}
		parsed, _, err := parseRequest(req)
		if err != nil {
			t.Fatalf("granted a request parseRequest refuses: %v", err)
		}
		if !parsed.certReq {
			return // no certificate in the token to verify it with
		}
		info, err := ParseToken(resp.Token)
		if err != nil {
			t.Fatalf("granted token does not parse: %v", err)
		}
		if !bytes.Equal(info.HashedMessage, parsed.hashed) || !bytes.Equal(info.nonceDER, parsed.nonce) {
			t.Fatalf("token imprint/nonce differ from the request's")
		}
	})
}

// seedTokens returns real tokens from the authority (ECDSA and RSA) and,
// when OpenSSL is installed, from openssl ts -reply.
func seedTokens(f *testing.F) (tokens, responses [][]byte) {
	for _, kind := range []string{"p256", "rsa"} {
		a := newPKI(f, kind).authority(f)
		for _, req := range seedRequests(f) {
			resp := a.Respond(req)
			responses = append(responses, resp)
			if r, err := ParseResponse(resp); err == nil && r.Token != nil {
				tokens = append(tokens, r.Token)
			}
		}
	}
	if openssl, err := exec.LookPath("openssl"); err == nil {
		pki := newPKI(f, "p256")
		o := newOpenSSLTSA(f, openssl, pki, "sha1")
		dir := f.TempDir()
		data := writeFile(f, dir, "data", []byte("seed"))
		q := writeFile(f, dir, "q.tsq", opensslQuery(f, openssl, dir, data, "-sha256", "-cert"))
		out := writeFile(f, dir, "r.tsr", nil)
		if b, err := exec.Command(openssl, "ts", "-reply", "-config", o.config, "-queryfile", q, "-inkey", o.key,
			"-signer", o.cert, "-chain", o.chain, "-out", out).CombinedOutput(); err != nil {
			f.Fatalf("openssl ts -reply: %v\n%s", err, b)
		}
		resp := readFile(f, out)
		responses = append(responses, resp)
		if r, err := ParseResponse(resp); err == nil && r.Token != nil {
			tokens = append(tokens, r.Token)
		}
	}
	return tokens, responses
}

// FuzzParseToken feeds ParseToken mutations of real tokens: no panic, and
// every error wraps ErrBadToken.
func FuzzParseToken(f *testing.F) {
	tokens, _ := seedTokens(f)
	for _, tok := range tokens {
		f.Add(tok)
	}
	f.Fuzz(func(t *testing.T, token []byte) {
		info, err := ParseToken(token)
		if err != nil {
			if !errors.Is(err, ErrBadToken) {
				t.Fatalf("error %v does not wrap ErrBadToken", err)
			}
			return
		}
		if info.Certificate == nil || info.Serial == nil || info.GenTime.IsZero() || len(info.HashedMessage) != info.Hash.Size() {
			t.Fatalf("incomplete Info %+v", info)
		}
		_ = checkTSACertificate(info.Certificate)
	})
}

// FuzzParseResponse feeds the client's response parser mutations of real
// responses (granted and rejected).
func FuzzParseResponse(f *testing.F) {
	_, responses := seedTokens(f)
	for _, r := range responses {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		resp, err := ParseResponse(der)
		if err != nil {
			return
		}
		if resp.Token != nil {
			_, _ = ParseToken(resp.Token)
		}
		_ = (&RejectedError{Status: resp.Status, StatusText: resp.StatusText, FailInfo: resp.FailInfo}).Error()
	})
}
