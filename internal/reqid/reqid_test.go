package reqid

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

func TestWithFrom(t *testing.T) {
	ctx := context.Background()
	if got := From(ctx); got != "" {
		t.Errorf("From(empty context) = %q, want \"\"", got)
	}
	ctx = With(ctx, "abc")
	if got := From(ctx); got != "abc" {
		t.Errorf("From = %q, want %q", got, "abc")
	}
	ctx = With(ctx, "def")
	if got := From(ctx); got != "def" {
		t.Errorf("From after a second With = %q, want %q", got, "def")
	}
	// A string key with the same spelling does not collide.
	type otherKey string
	ctx = context.WithValue(context.Background(), otherKey("reqid"), "x")
	if got := From(ctx); got != "" {
		t.Errorf("From with a foreign key = %q, want \"\"", got)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		r    func() *bytes.Reader
		want string
	}{
		{"counting bytes", func() *bytes.Reader {
			b := make([]byte, 32)
			for i := range b {
				b[i] = byte(i)
			}
			return bytes.NewReader(b)
		}, "000102030405060708090a0b0c0d0e0f"},
		{"short reader", func() *bytes.Reader { return bytes.NewReader([]byte{0xff, 0xee}) }, "ffee" + strings.Repeat("0", 28)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := New(tt.r())
			if got != tt.want {
				t.Errorf("New = %q, want %q", got, tt.want)
			}
			if !Valid(got) {
				t.Errorf("New made %q, which Valid refuses", got)
			}
		})
	}
	if got := New(iotest.ErrReader(errors.New("broken"))); got != strings.Repeat("0", 32) || !Valid(got) {
		t.Errorf("New(failing reader) = %q, want 32 zeros", got)
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"a", true},
		{"0123456789abcdef0123456789abcdef", true},
		{"1-67891233-abcdef012345678912345678", true},
		{"req_1.2-3", true},
		{strings.Repeat("x", MaxLen), true},
		{"", false},
		{strings.Repeat("x", MaxLen+1), false},
		{"has space", false},
		{"new\nline", false},
		{"quote\"", false},
		{"tab\t", false},
		{"ngườidùng", false},
		{"a/b", false},
		{"a=b", false},
		{"a\x00", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.id); got != tt.want {
			t.Errorf("Valid(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func FuzzValid(f *testing.F) {
	for _, s := range []string{"", "abc", "0123456789abcdef0123456789abcdef", "a b", "x\r\nSet-Cookie: y", strings.Repeat("z", 65)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if !Valid(id) {
			return
		}
		if len(id) == 0 || len(id) > MaxLen {
			t.Fatalf("Valid(%q) with length %d", id, len(id))
		}
		if strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r > '~' || r == '"' || r == '\\' }) {
			t.Fatalf("Valid(%q) accepts a character unsafe in logs or headers", id)
		}
	})
}
