package workflow

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

var phcRE = regexp.MustCompile(`^\$argon2id\$v=19\$m=([0-9]+),t=([0-9]+),p=([0-9]+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$`)

func TestHashPasswordRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		password string
		try      string
		want     bool
	}{
		{"ASCII", "correct horse battery", "correct horse battery", true},
		{"ASCII wrong", "correct horse battery", "correct horse batterY", false},
		{"Vietnamese", "mật khẩu thử nghiệm", "mật khẩu thử nghiệm", true},
		{"Vietnamese typed decomposed", "mật khẩu thử nghiệm", norm.NFD.String("mật khẩu thử nghiệm"), true},
		{"Vietnamese without marks", "mật khẩu thử nghiệm", "mat khau thu nghiem", false},
		{"empty try", "mật khẩu thử nghiệm", "", false},
		{"prefix", "mật khẩu thử nghiệm", "mật khẩu", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := HashPassword([]byte(tt.password), rand.Reader, testParams)
			if err != nil {
				t.Fatalf("HashPassword: %v", err)
			}
			m := phcRE.FindStringSubmatch(h)
			if m == nil || m[1] != "64" || m[2] != "1" || m[3] != "1" {
				t.Fatalf("hash %q: want $argon2id$v=19$m=64,t=1,p=1$salt$hash", h)
			}
			if strings.Contains(h, tt.password) {
				t.Fatalf("hash holds the password")
			}
			ok, err := CheckPassword(h, []byte(tt.try))
			if err != nil || ok != tt.want {
				t.Errorf("CheckPassword: got %v, %v; want %v", ok, err, tt.want)
			}
		})
	}
	a, _ := HashPassword([]byte("same password"), rand.Reader, testParams)
	b, _ := HashPassword([]byte("same password"), rand.Reader, testParams)
	if a == b {
		t.Errorf("two hashes of one password are equal; want different salts")
	}
}

func TestHashPasswordRefusesBadParams(t *testing.T) {
	tests := []struct {
		name string
		p    PasswordParams
	}{
		{"zero", PasswordParams{}},
		{"no time", PasswordParams{Time: 0, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}},
		{"too much time", PasswordParams{Time: 17, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}},
		{"too much memory", PasswordParams{Time: 1, MemoryKiB: 256*1024 + 1, Threads: 1, KeyLen: 32, SaltLen: 16}},
		{"memory below 8 per thread", PasswordParams{Time: 1, MemoryKiB: 15, Threads: 2, KeyLen: 32, SaltLen: 16}},
		{"no threads", PasswordParams{Time: 1, MemoryKiB: 64, Threads: 0, KeyLen: 32, SaltLen: 16}},
		{"short key", PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 8, SaltLen: 16}},
		{"short salt", PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := HashPassword([]byte("password12"), rand.Reader, tt.p); !errors.Is(err, ErrInvalid) {
				t.Errorf("HashPassword: got %v, want ErrInvalid", err)
			}
		})
	}
	if _, err := HashPassword([]byte("password12"), bytes.NewReader(nil), testParams); err == nil {
		t.Errorf("HashPassword with no randomness: got nil error")
	}
}

func TestCheckPasswordRefusesTamperedHash(t *testing.T) {
	const pw = "mật khẩu thử nghiệm"
	h, err := HashPassword([]byte(pw), rand.Reader, testParams)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Split(h, "$") // "", argon2id, v=19, m=64,t=1,p=1, salt, hash
	join := func(params, salt, hash string) string {
		return strings.Join([]string{"", f[1], f[2], params, salt, hash}, "$")
	}
	flip := func(s string) string { // another valid base64 string of the same length
		b := []byte(s)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		return string(b)
	}
	tests := []struct {
		name    string
		encoded string
		wantErr error // nil: parses, and the password does not match
	}{
		{"100 GB of memory", join("m=104857600,t=1,p=1", f[4], f[5]), ErrInvalid},
		{"just over the memory bound", join(fmt.Sprintf("m=%d,t=1,p=1", maxPasswordMemoryKiB+1), f[4], f[5]), ErrInvalid},
		{"many passes", join("m=64,t=1000000,p=1", f[4], f[5]), ErrInvalid},
		{"many threads", join("m=4096,t=1,p=255", f[4], f[5]), ErrInvalid},
		{"threads beyond uint8", join("m=4096,t=1,p=257", f[4], f[5]), ErrInvalid},
		{"no passes", join("m=64,t=0,p=1", f[4], f[5]), ErrInvalid},
		{"memory overflow", join("m=99999999999,t=1,p=1", f[4], f[5]), ErrInvalid},
		{"negative", join("m=-64,t=1,p=1", f[4], f[5]), ErrInvalid},
		{"leading zero", join("m=064,t=1,p=1", f[4], f[5]), ErrInvalid},
		{"parameters reordered", join("t=1,m=64,p=1", f[4], f[5]), ErrInvalid},
		{"extra parameter", join("m=64,t=1,p=1,k=2", f[4], f[5]), ErrInvalid},
		{"argon2i", strings.Replace(h, "$argon2id$", "$argon2i$", 1), ErrInvalid},
		{"version 16", strings.Replace(h, "$v=19$", "$v=16$", 1), ErrInvalid},
		{"no version", strings.Replace(h, "$v=19", "", 1), ErrInvalid},
		{"extra field", h + "$x", ErrInvalid},
		{"salt not base64", join(f[3], "!!!!", f[5]), ErrInvalid},
		{"padded salt", join(f[3], f[4]+"==", f[5]), ErrInvalid},
		{"short salt", join(f[3], "AAAA", f[5]), ErrInvalid},
		{"short hash", join(f[3], f[4], "AAAAAAAA"), ErrInvalid},
		{"long hash", join(f[3], f[4], strings.Repeat("A", 200)), ErrInvalid},
		{"too long", h + strings.Repeat("A", maxEncodedHash), ErrInvalid},
		{"empty", "", ErrInvalid},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", ErrInvalid},
		{"plain text", pw, ErrInvalid},
		{"other salt", join(f[3], flip(f[4]), f[5]), nil},
		{"other hash", join(f[3], f[4], flip(f[5])), nil},
		{"other memory", join("m=128,t=1,p=1", f[4], f[5]), nil},
		{"other passes", join("m=64,t=2,p=1", f[4], f[5]), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			ok, err := CheckPassword(tt.encoded, []byte(pw))
			if ok {
				t.Fatalf("CheckPassword: tampered hash matched")
			}
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("CheckPassword: got %v, want %v", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), pw) {
				t.Errorf("error quotes the password: %v", err)
			}
			if d := time.Since(start); tt.wantErr != nil && d > time.Second {
				t.Errorf("refusal took %v; want no hashing", d)
			}
		})
	}
}

func TestDefaultPasswordParams(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes with 64 MiB")
	}
	start := time.Now()
	h, err := HashPassword([]byte("mật khẩu thử nghiệm"), rand.Reader, DefaultPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one hash with DefaultPasswordParams took %v", time.Since(start))
	if m := phcRE.FindStringSubmatch(h); m == nil || m[1] != "65536" || m[2] != "3" || m[3] != "1" {
		t.Fatalf("hash %q: want m=65536,t=3,p=1", h)
	}
	for _, tc := range []struct {
		try  string
		want bool
	}{{"mật khẩu thử nghiệm", true}, {"mật khẩu thử nghiệm!", false}} {
		if ok, err := CheckPassword(h, []byte(tc.try)); err != nil || ok != tc.want {
			t.Errorf("CheckPassword(%q): got %v, %v; want %v", tc.try, ok, err, tc.want)
		}
	}
}

func TestCheckPasswordPolicy(t *testing.T) {
	tests := []struct {
		name     string
		password string
		ok       bool
	}{
		{"ten ASCII", "abcdefghij", true},
		{"Vietnamese", "mật khẩu thử nghiệm", true},
		{"ten Vietnamese letters", "ầầầầầầầầầb", true},
		{"ten letters decomposed", norm.NFD.String("ầầầầầầầầầb"), true},
		{"256 bytes", strings.Repeat("ab", 128), true},
		{"nine", "abcdefghi", false},
		{"nine Vietnamese letters in more than ten bytes", "ầầầầầầầầb", false},
		{"nine letters decomposed into many runes", norm.NFD.String("ầầầầầầầầb"), false},
		{"empty", "", false},
		{"257 bytes", strings.Repeat("ab", 128) + "c", false},
		{"one character repeated", "aaaaaaaaaaaa", false},
		{"one Vietnamese character repeated", strings.Repeat("đ", 12), false},
		{"not UTF-8", "abcdefghij\xff", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPasswordPolicy([]byte(tt.password))
			if tt.ok && err != nil {
				t.Errorf("CheckPasswordPolicy: got %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalid) {
				t.Errorf("CheckPasswordPolicy: got %v, want ErrInvalid", err)
			}
			if err != nil && tt.password != "" && strings.Contains(err.Error(), tt.password) {
				t.Errorf("error quotes the password: %v", err)
			}
		})
	}
}

// FuzzCheckPassword feeds the PHC parser arbitrary strings: it must not
// panic, must keep parameters within bounds, and what it accepts must be
// exactly what HashPassword writes for those parameters.
func FuzzCheckPassword(f *testing.F) {
	real, err := HashPassword([]byte("mật khẩu thử nghiệm"), rand.Reader, testParams)
	if err != nil {
		f.Fatal(err)
	}
	def := encodePHC(DefaultPasswordParams, make([]byte, 16), make([]byte, 32))
	for _, seed := range []string{
		real, def, "",
		strings.Replace(real, "m=64", "m=104857600", 1),
		strings.Replace(real, "t=1", "t=4294967295", 1),
		strings.Replace(real, "p=1", "p=256", 1),
		strings.Replace(real, "argon2id", "argon2i", 1),
		real + "$",
		"$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
		// Go's base64 skips newlines: found by this fuzz test in CI.
		"$argon2id$v=19$m=10,t=1,p=1$00000000000$00000000000000000000000\n",
		real + "\r\n",
	} {
		f.Add(seed, []byte("mật khẩu thử nghiệm"))
	}
	f.Fuzz(func(t *testing.T, encoded string, password []byte) {
		p, salt, key, err := decodePHC(encoded)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("decodePHC: error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if err := p.check(); err != nil {
			t.Fatalf("decodePHC accepted out-of-bounds parameters %+v", p)
		}
		if got := encodePHC(p, salt, key); got != encoded {
			t.Fatalf("decodePHC accepted %q, which encodes back as %q", encoded, got)
		}
		if p.MemoryKiB <= 1024 && p.Time <= 2 {
			if _, err := CheckPassword(encoded, password); err != nil {
				t.Fatalf("CheckPassword of a parsed hash: %v", err)
			}
		}
	})
}

func BenchmarkHashPasswordDefault(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword([]byte("mật khẩu thử nghiệm"), rand.Reader, DefaultPasswordParams); err != nil {
			b.Fatal(err)
		}
	}
}
