package translog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

const testOrigin = "kyso.example/log"

// testKeys returns a key pair for origin from a fixed seed.
func testKeys(t testing.TB, origin string, seed byte) (privateKey, publicKey string) {
	t.Helper()
	priv, pub, err := GenerateKey(rand.NewChaCha8([32]byte{seed}), origin)
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	return priv, pub
}

// signText signs arbitrary note text with a private key, for checkpoints
// this package would never write.
func signText(t testing.TB, privateKey, text string) []byte {
	t.Helper()
	s, err := note.NewSigner(privateKey)
	if err != nil {
		t.Fatal(err)
	}
	b, err := note.Sign(&note.Note{Text: text}, s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testCheckpoint(t testing.TB, privateKey, publicKey string, size uint64, root [32]byte) []byte {
	t.Helper()
	v, err := newVerifier(publicKey)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSigner(privateKey, v)
	if err != nil {
		t.Fatal(err)
	}
	b, err := signCheckpoint(s, size, root)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGenerateKeyFormat(t *testing.T) {
	priv, pub := testKeys(t, testOrigin, 1)
	if !strings.HasPrefix(priv, "PRIVATE+KEY+"+testOrigin+"+") {
		t.Errorf("private key %q... does not start with PRIVATE+KEY+origin+", priv[:20])
	}
	// The base64 may itself hold '+'.
	parts := strings.SplitN(pub, "+", 3)
	if len(parts) != 3 || parts[0] != testOrigin || len(parts[1]) != 8 {
		t.Fatalf("public key %q: want origin+hash+key", pub)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 1 {
		t.Fatalf("public key %q: want base64 of 0x01 and 32 bytes", pub)
	}
	// The key hash, computed here: SHA-256(origin || "\n" || 0x01 || key).
	sum := sha256.Sum256(append([]byte(testOrigin+"\n"), raw...))
	if parts[1] != hexPrefix(sum[:4]) {
		t.Errorf("key hash: got %s, want %s", parts[1], hexPrefix(sum[:4]))
	}
	// Same seed, same keys; another seed, other keys.
	if p2, v2 := testKeys(t, testOrigin, 1); p2 != priv || v2 != pub {
		t.Error("same seed gave other keys")
	}
	if _, v3 := testKeys(t, testOrigin, 2); v3 == pub {
		t.Error("other seed gave the same key")
	}
}

func hexPrefix(b []byte) string {
	const digits = "0123456789abcdef"
	var s strings.Builder
	for _, c := range b {
		s.WriteByte(digits[c>>4])
		s.WriteByte(digits[c&15])
	}
	return s.String()
}

func TestGenerateKeyRefusesBadOrigin(t *testing.T) {
	for _, origin := range []string{"", "kyso example", "kyso+log", "kyso\nlog", strings.Repeat("a", 256), "\xff"} {
		if _, _, err := GenerateKey(rand.NewChaCha8([32]byte{}), origin); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("origin %q: got %v, want ErrInvalidKey", origin, err)
		}
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	priv, pub := testKeys(t, testOrigin, 1)
	root := sha256.Sum256([]byte("root"))
	b := testCheckpoint(t, priv, pub, 1234567, root)

	// The format, checked by hand: three lines, a blank line, and one
	// signature line whose Ed25519 signature covers the text.
	text, sigs, ok := strings.Cut(string(b), "\n\n")
	if !ok {
		t.Fatalf("no blank line in %q", b)
	}
	wantText := testOrigin + "\n1234567\n" + base64.StdEncoding.EncodeToString(root[:])
	if text != wantText {
		t.Errorf("text: got %q, want %q", text, wantText)
	}
	prefix := "— " + testOrigin + " "
	if !strings.HasPrefix(sigs, prefix) || !strings.HasSuffix(sigs, "\n") || strings.Count(sigs, "\n") != 1 {
		t.Fatalf("signature line: got %q", sigs)
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(sigs, prefix), "\n"))
	if err != nil || len(sig) != 4+ed25519.SignatureSize {
		t.Fatalf("signature: %v, %d bytes", err, len(sig))
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.SplitN(pub, "+", 3)[2])
	keyHash := sha256.Sum256(append([]byte(testOrigin+"\n"), raw...))
	if binary.BigEndian.Uint32(sig[:4]) != binary.BigEndian.Uint32(keyHash[:4]) {
		t.Errorf("key hash in signature: got %x, want %x", sig[:4], keyHash[:4])
	}
	if !ed25519.Verify(ed25519.PublicKey(raw[1:]), []byte(text+"\n"), sig[4:]) {
		t.Error("Ed25519 signature does not verify over the text")
	}

	cp, err := VerifyCheckpoint(b, pub)
	if err != nil {
		t.Fatalf("VerifyCheckpoint: %v", err)
	}
	if cp.Origin != testOrigin || cp.Size != 1234567 || cp.Root != root || !bytes.Equal(cp.Note, b) {
		t.Errorf("got %+v", cp)
	}
}

func TestVerifyCheckpointAcceptsCosignatures(t *testing.T) {
	priv, pub := testKeys(t, testOrigin, 1)
	witness, _ := testKeys(t, "witness.example", 9)
	b := testCheckpoint(t, priv, pub, 5, sha256.Sum256(nil))
	n, err := note.Open(b, note.VerifierList(mustVerifier(t, pub)))
	if err != nil {
		t.Fatal(err)
	}
	ws, err := note.NewSigner(witness)
	if err != nil {
		t.Fatal(err)
	}
	both, err := note.Sign(n, ws)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyCheckpoint(both, pub); err != nil {
		t.Errorf("got %v, want nil", err)
	}
}

func mustVerifier(t testing.TB, pub string) note.Verifier {
	t.Helper()
	v, err := newVerifier(pub)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifyCheckpointRejects(t *testing.T) {
	priv, pub := testKeys(t, testOrigin, 1)
	otherPriv, otherPub := testKeys(t, testOrigin, 2)
	foreignPriv, _ := testKeys(t, "other.example/log", 3)
	root := sha256.Sum256([]byte("root"))
	rootB64 := base64.StdEncoding.EncodeToString(root[:])
	good := string(testCheckpoint(t, priv, pub, 10, root))
	text, sigLine, _ := strings.Cut(good, "\n\n")
	tests := []struct {
		name string
		note []byte
		key  string
		want error
	}{
		{"other key of the same origin", []byte(good), otherPub, ErrBadSignature},
		{"signed by the other key", testCheckpoint(t, otherPriv, otherPub, 10, root), pub, ErrBadSignature},
		{"size changed", []byte(strings.Replace(good, "\n10\n", "\n11\n", 1)), pub, ErrBadSignature},
		{"root changed", []byte(strings.Replace(good, rootB64[:4], "AAAA", 1)), pub, ErrBadSignature},
		{"signature changed", []byte(text + "\n\n" + strings.Replace(sigLine, sigLine[len(sigLine)-6:len(sigLine)-3], "AAA", 1)), pub, ErrBadSignature},
		{"signed by another log", signText(t, foreignPriv, "other.example/log\n10\n"+rootB64+"\n"), pub, ErrBadSignature},
		{"origin of another log", signText(t, priv, "other.example/log\n10\n"+rootB64+"\n"), pub, ErrBadSignature},
		{"no signature", []byte(text + "\n"), pub, ErrMalformedCheckpoint},
		{"no blank line", []byte(text + "\n" + sigLine), pub, ErrMalformedCheckpoint},
		{"empty", nil, pub, ErrMalformedCheckpoint},
		{"control character", []byte(strings.Replace(good, "kyso", "k\x01so", 1)), pub, ErrMalformedCheckpoint},
		{"too large", append([]byte(good), bytes.Repeat([]byte("— x AAAA\n"), maxNoteSize/8)...), pub, ErrMalformedCheckpoint},
		{"extension line", signText(t, priv, testOrigin+"\n10\n"+rootB64+"\nextension\n"), pub, ErrMalformedCheckpoint},
		{"two lines", signText(t, priv, testOrigin+"\n10\n"), pub, ErrMalformedCheckpoint},
		{"size with leading zero", signText(t, priv, testOrigin+"\n010\n"+rootB64+"\n"), pub, ErrMalformedCheckpoint},
		{"negative size", signText(t, priv, testOrigin+"\n-1\n"+rootB64+"\n"), pub, ErrMalformedCheckpoint},
		{"size beyond 64 bits", signText(t, priv, testOrigin+"\n18446744073709551616\n"+rootB64+"\n"), pub, ErrMalformedCheckpoint},
		{"root of 31 bytes", signText(t, priv, testOrigin+"\n10\n"+base64.StdEncoding.EncodeToString(root[:31])+"\n"), pub, ErrMalformedCheckpoint},
		{"root in URL base64", signText(t, priv, testOrigin+"\n10\n"+base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32))+"\n"), pub, ErrMalformedCheckpoint},
		{"root without padding", signText(t, priv, testOrigin+"\n10\n"+strings.TrimRight(rootB64, "=")+"\n"), pub, ErrMalformedCheckpoint},
		{"malformed key", []byte(good), "kyso.example/log+zz+AAAA", ErrInvalidKey},
		{"private key as public key", []byte(good), priv, ErrInvalidKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := VerifyCheckpoint(tc.note, tc.key); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestNewSignerRefusesOtherKey(t *testing.T) {
	priv, pub := testKeys(t, testOrigin, 1)
	otherPriv, _ := testKeys(t, testOrigin, 2)
	v := mustVerifier(t, pub)
	if _, err := newSigner(priv, v); err != nil {
		t.Fatalf("matching keys: %v", err)
	}
	for name, key := range map[string]string{
		"other key":     otherPriv,
		"public key":    pub,
		"empty":         "",
		"truncated key": priv[:len(priv)-4],
	} {
		if _, err := newSigner(key, v); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s: got %v, want ErrInvalidKey", name, err)
		}
	}
}

func TestVerifyProofArguments(t *testing.T) {
	priv, pub := testKeys(t, testOrigin, 1)
	leaves := syntheticLeaves(3)
	roots := referenceRoots(t, leaves)
	cp3, err := VerifyCheckpoint(testCheckpoint(t, priv, pub, 3, roots[3]), pub)
	if err != nil {
		t.Fatal(err)
	}
	cp2, err := VerifyCheckpoint(testCheckpoint(t, priv, pub, 2, roots[2]), pub)
	if err != nil {
		t.Fatal(err)
	}
	h := leaves[0]
	for name, err := range map[string]error{
		"index not below size":  VerifyLeafInclusion(h, 3, [][]byte{h[:]}, cp3),
		"hash of 31 bytes":      VerifyLeafInclusion(h, 0, [][]byte{h[:31], h[:]}, cp3),
		"too many hashes":       VerifyLeafInclusion(h, 0, bytes.Split(bytes.Repeat([]byte{1}, 200), nil), cp3),
		"consistency backwards": VerifyConsistency(cp3, cp2, nil),
		"consistency of logs":   VerifyConsistency(Checkpoint{Origin: "a", Size: 1}, Checkpoint{Origin: "b", Size: 2}, nil),
	} {
		if !errors.Is(err, ErrInvalidProof) {
			t.Errorf("%s: got %v, want ErrInvalidProof", name, err)
		}
	}
}
