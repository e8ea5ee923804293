package cms

import (
	"context"
	"crypto"
	"crypto/rand"
	"testing"

	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/internal/testenv"
)

// TestSignSoftHSM signs with keys that never leave a SoftHSM2 token,
// through the hsm package, and has OpenSSL verify the results.
func TestSignSoftHSM(t *testing.T) {
	tok := testenv.SoftHSM(t)
	content := []byte("học bạ ký bằng token")
	tests := []struct {
		object string
		alg    hsm.Algorithm
		opts   []Options
	}{
		{"rsa", hsm.RSA2048, []Options{{}, {PSS: true}, {PSS: true, Hash: crypto.SHA384}}},
		{"p256", hsm.ECDSAP256, []Options{{}}},
		{"p384", hsm.ECDSAP384, []Options{{Hash: crypto.SHA384}}},
	}
	for _, tt := range tests {
		t.Run(tt.object, func(t *testing.T) {
			key, err := hsm.GenerateTokenKey(context.Background(), tok.URI("object="+tt.object, "pin-value="+tok.PIN), tt.alg, hsm.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer key.Close()
			chain := chainFor(t, key.Signer.Public(), "Nguyễn Văn Nghĩa")
			for _, opts := range tt.opts {
				counter := &countingSigner{Signer: key.Signer}
				signed, err := Sign(rand.Reader, digestOf(opts.Hash, content), counter, chain, opts)
				if err != nil {
					t.Fatalf("Sign(%+v): %v", opts, err)
				}
				if n := counter.calls.Load(); n != 1 {
					t.Errorf("token key called %d times, want 1", n)
				}
				if max := MaxSize(key.Signer.Public(), chain, opts); len(signed) > max {
					t.Errorf("len %d > MaxSize %d", len(signed), max)
				}
				if err := opensslVerify(t, signed, content, chain[2]); err != nil {
					t.Errorf("%+v: %v", opts, err)
				}
			}
		})
	}
}
