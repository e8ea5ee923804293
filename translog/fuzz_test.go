package translog

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

func FuzzVerifyCheckpoint(f *testing.F) {
	priv, pub := testKeys(f, testOrigin, 1)
	witness, _ := testKeys(f, "witness.example", 9)
	root := sha256.Sum256([]byte("root"))
	for _, size := range []uint64{0, 1, 1234567, 1<<64 - 1} {
		f.Add(testCheckpoint(f, priv, pub, size, root))
	}
	good := testCheckpoint(f, priv, pub, 10, root)
	f.Add(append(bytes.Clone(good), signText(f, witness, "x\n")[2:]...))
	f.Add(signText(f, priv, testOrigin+"\n010\nAAAA\n"))
	f.Add(signText(f, priv, testOrigin+"\n10\n"+strings.Repeat("A", 43)+"=\nextension\n"))
	f.Add([]byte(strings.Replace(string(good), "\n10\n", "\n11\n", 1)))
	f.Add([]byte("kyso.example/log\n10\n\n— kyso.example/log AAAA\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		cp, err := VerifyCheckpoint(data, pub)
		if err != nil {
			if !errors.Is(err, ErrMalformedCheckpoint) && !errors.Is(err, ErrBadSignature) {
				t.Fatalf("error of no known kind: %v", err)
			}
			return
		}
		// Whatever is accepted is a checkpoint this log could have
		// written, followed by signatures.
		text := checkpointText(cp.Origin, cp.Size, cp.Root)
		if cp.Origin != testOrigin || !bytes.HasPrefix(data, []byte(text+"\n— ")) {
			t.Fatalf("accepted %q as %+v", data, cp)
		}
		if !bytes.Equal(cp.Note, data) {
			t.Fatal("Note is not the input")
		}
	})
}

func FuzzParseRecord(f *testing.F) {
	for i := 0; i < 10; i++ {
		rec, err := testEntry("F", i).Record()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(rec.Encode())
	}
	f.Add([]byte("kyso.translog/v1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := ParseRecord(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidEntry) {
				t.Fatalf("error of no known kind: %v", err)
			}
			return
		}
		if !bytes.Equal(rec.Encode(), data) {
			t.Fatalf("accepted a non-canonical encoding %q", data)
		}
		if err := rec.validate(); err != nil {
			t.Fatalf("accepted an invalid record: %v", err)
		}
	})
}

// FuzzParseCheckpointText reaches the checkpoint body parser directly: in
// FuzzVerifyCheckpoint only correctly signed notes get that far.
func FuzzParseCheckpointText(f *testing.F) {
	root := sha256.Sum256([]byte("root"))
	f.Add(checkpointText(testOrigin, 10, root))
	f.Add(checkpointText(testOrigin, 0, root))
	f.Add(checkpointText("a", 1<<64-1, [32]byte{}))
	f.Add(testOrigin + "\n010\n" + strings.Repeat("A", 43) + "=\n")
	f.Add(testOrigin + "\n10\n" + strings.Repeat("A", 43) + "=\next\n")
	f.Add("x\n1\n\n")
	f.Fuzz(func(t *testing.T, text string) {
		origin, size, root, err := parseCheckpointText(text)
		if err != nil {
			if !errors.Is(err, ErrMalformedCheckpoint) {
				t.Fatalf("error of no known kind: %v", err)
			}
			return
		}
		if got := checkpointText(origin, size, root); got != text {
			t.Fatalf("accepted %q, which formats as %q", text, got)
		}
	})
}
