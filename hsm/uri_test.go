package hsm

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func uintPtr(v uint) *uint { return &v }

func TestParseURIValid(t *testing.T) {
	tests := []struct {
		in      string
		want    URI
		wantPIN string
	}{
		{
			in: "pkcs11:token=Tr%C6%B0%E1%BB%9Dng;object=k1?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234",
			want: URI{Scheme: SchemePKCS11, Token: "Trường", Object: "k1",
				ModulePath: "/usr/lib/softhsm/libsofthsm2.so"},
			wantPIN: "1234",
		},
		{
			in:   "pkcs11:serial=8e8ae3ef245d8dbd;id=%01%02%FF;type=private",
			want: URI{Scheme: SchemePKCS11, Serial: "8e8ae3ef245d8dbd", ID: []byte{1, 2, 0xff}, Type: "private"},
		},
		{
			in:   "PKCS11:type=PRIVATE;id=ab",
			want: URI{Scheme: SchemePKCS11, Type: "private", ID: []byte("ab")},
		},
		{
			in: "pkcs11:manufacturer=SoftHSM%20project;model=SoftHSM%20v2;slot-id=610110909;library-version=2.6;" +
				"library-manufacturer=SoftHSM;library-description=Implementation%20of%20PKCS11;slot-manufacturer=SoftHSM%20project;slot-description=x",
			want: URI{Scheme: SchemePKCS11, Manufacturer: "SoftHSM project", Model: "SoftHSM v2", SlotID: uintPtr(610110909),
				LibraryVersion: "2.6", LibraryManufacturer: "SoftHSM", LibraryDescription: "Implementation of PKCS11",
				SlotManufacturer: "SoftHSM project", SlotDescription: "x"},
		},
		{
			in:   "pkcs11:object=a&b;token=(x)",
			want: URI{Scheme: SchemePKCS11, Object: "a&b", Token: "(x)"},
		},
		{
			in:   "pkcs11:token=x?pin-source=file:/run/secrets/pin&module-name=softhsm2",
			want: URI{Scheme: SchemePKCS11, Token: "x", PINSource: "file:/run/secrets/pin", ModuleName: "softhsm2"},
		},
		{
			in:   "pkcs11:token=x?pin-source=env:KYSO_PIN",
			want: URI{Scheme: SchemePKCS11, Token: "x", PINSource: "env:KYSO_PIN"},
		},
		{
			in:      "pkcs11:token=x?pin-value=a%26b;c?d",
			want:    URI{Scheme: SchemePKCS11, Token: "x"},
			wantPIN: "a&b;c?d",
		},
		{in: "pkcs11:", want: URI{Scheme: SchemePKCS11}},
		{in: "pkcs11:token=x?", want: URI{Scheme: SchemePKCS11, Token: "x"}},
		{in: "file:/etc/kyso/dev.pem", want: URI{Scheme: SchemeFile, Path: "/etc/kyso/dev.pem"}},
		{
			in:   "file:///etc/kyso/dev.pem?pin-source=env:PASS",
			want: URI{Scheme: SchemeFile, Path: "/etc/kyso/dev.pem", PINSource: "env:PASS"},
		},
		{in: "file://localhost/k.pem", want: URI{Scheme: SchemeFile, Path: "/k.pem"}},
		{in: "file:keys/dev.pem", want: URI{Scheme: SchemeFile, Path: "keys/dev.pem"}},
		{in: "file:/a%20b/Tr%C6%B0%E1%BB%9Dng.pem", want: URI{Scheme: SchemeFile, Path: "/a b/Trường.pem"}},
		{
			in:      "file:k.pem?pin-value=hunter2",
			want:    URI{Scheme: SchemeFile, Path: "k.pem"},
			wantPIN: "hunter2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseURI(tt.in)
			if err != nil {
				t.Fatalf("ParseURI: got error %v, want nil", err)
			}
			if got.HasPINValue() != (tt.wantPIN != "") || got.pinValue != tt.wantPIN {
				t.Errorf("pin-value: got (%v, %q), want %q", got.HasPINValue(), got.pinValue, tt.wantPIN)
			}
			got.pinValue, got.hasPINValue = "", false
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestParseURIInvalid(t *testing.T) {
	const pin = "s3cr"
	tests := []struct {
		in       string
		wantErr  error
		wantAttr string
	}{
		{"pkcs11:foo=bar", ErrUnknownAttribute, "foo"},
		{"pkcs11:x-vendor=1", ErrUnknownAttribute, "x-vendor"},
		{"pkcs11:token=a;token=b", ErrDuplicateAttribute, "token"},
		{"pkcs11:token=a?pin-value=1&pin-value=2", ErrDuplicateAttribute, "pin-value"},
		{"pkcs11:token=a?module-path=/a&module-path=/b", ErrDuplicateAttribute, "module-path"},
		{"pkcs11:pin-value=" + pin, ErrUnknownAttribute, "pin-value"},
		{"pkcs11:token=a?object=b", ErrUnknownAttribute, "object"},
		{"pkcs11:token=a?foo=b", ErrUnknownAttribute, "foo"},
		{"pkcs11:token=a?pin-source=file:/x&pin-value=" + pin, ErrConflictingAttributes, "pin-value"},
		{"pkcs11:token=a b", ErrInvalidValue, "token"},
		{"pkcs11:token=Trường", ErrInvalidValue, "token"},
		{"pkcs11:token=a/b", ErrInvalidValue, "token"},
		{"pkcs11:token=%zz", ErrInvalidValue, "token"},
		{"pkcs11:token=%4", ErrInvalidValue, "token"},
		{"pkcs11:token=%C3", ErrInvalidValue, "token"},
		{"pkcs11:object=a%00b", ErrInvalidValue, "object"},
		{"pkcs11:type=key", ErrInvalidValue, "type"},
		{"pkcs11:slot-id=x", ErrInvalidValue, "slot-id"},
		{"pkcs11:slot-id=123456789012345678901", ErrInvalidValue, "slot-id"},
		{"pkcs11:library-version=1.2.3", ErrInvalidValue, "library-version"},
		{"pkcs11:token=", ErrInvalidValue, "token"},
		{"pkcs11:token", ErrInvalidValue, "token"},
		{"pkcs11:token=a;;object=b", ErrInvalidURI, ""},
		{"pkcs11:token=a;", ErrInvalidURI, ""},
		{"pkcs11:=a", ErrInvalidURI, ""},
		{"pkcs11:to%6Ben=a", ErrInvalidURI, ""},
		{"pkcs11:token=a?pin-source=http://x", ErrInvalidValue, "pin-source"},
		{"pkcs11:token=a?pin-source=env:1BAD", ErrInvalidValue, "pin-source"},
		{"pkcs11:token=a?pin-source=file:", ErrInvalidValue, "pin-source"},
		{"pkcs11:token=a?pin-source=file://remote/pin", ErrInvalidValue, "pin-source"},
		{"pkcs11:token=a?module-path=lib.so", ErrInvalidValue, "module-path"},
		{"pkcs11:token=a?module-name=../x", ErrInvalidValue, "module-name"},
		{"pkcs11:object=k&pin-value=" + pin, ErrInvalidValue, "object"},
		{"pkcs11:token=a?pin-value=" + pin + "&x=1", ErrInvalidURI, ""},
		{"pkcs11:token=a?pin-value=" + pin + " 9", ErrInvalidValue, "pin-value"},
		{"pkcs11:token=a?pin-value=" + pin + "%", ErrInvalidValue, "pin-value"},
		{"http://example.com/key", ErrInvalidURI, ""},
		{"no-scheme", ErrInvalidURI, ""},
		{"/etc/kyso/key.pem", ErrInvalidURI, ""},
		{"file:", ErrInvalidURI, ""},
		{"file:///", ErrInvalidURI, ""},
		{"file://remote/k.pem", ErrInvalidURI, ""},
		{"file:/k.pem#frag", ErrInvalidURI, ""},
		{"file:/k%00.pem", ErrInvalidURI, ""},
		{"file:/k.pem&pin-value=" + pin, ErrInvalidURI, ""},
		{"file:/k.pem;pin-value=" + pin, ErrInvalidURI, ""},
		{"file:/k.pem?module-path=/x", ErrUnknownAttribute, "module-path"},
		{"file:/k.pem?token=x", ErrUnknownAttribute, "token"},
		{"pkcs11:object=" + strings.Repeat("a", maxURILength), ErrInvalidURI, ""},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 80 {
			name = name[:80]
		}
		t.Run(name, func(t *testing.T) {
			_, err := ParseURI(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if !errors.Is(err, ErrInvalidURI) {
				t.Errorf("got error %v, want it to match ErrInvalidURI too", err)
			}
			var ue *URIError
			if !errors.As(err, &ue) {
				t.Fatalf("got error type %T, want *URIError", err)
			}
			if ue.Attribute != tt.wantAttr {
				t.Errorf("got attribute %q, want %q", ue.Attribute, tt.wantAttr)
			}
			assertNoSecret(t, err, pin)
		})
	}
}

func TestURIStringOmitsPINAndRoundTrips(t *testing.T) {
	for _, in := range []string{
		"pkcs11:token=Tr%C6%B0%E1%BB%9Dng%20A;object=a%26b;id=%00%FF;type=private;slot-id=3?module-path=/usr/lib/x.so&pin-value=1234",
		"pkcs11:serial=abc;model=SoftHSM%20v2?module-name=softhsm2&pin-source=file:/run/pin%20file",
		"file:/a%20b/k.pem?pin-value=1234",
		"file:rel/k.pem?pin-source=env:PASS",
	} {
		u, err := ParseURI(in)
		if err != nil {
			t.Fatalf("ParseURI(%q): %v", in, err)
		}
		s := u.String()
		if strings.Contains(s, "pin-value") || strings.Contains(s, "1234") {
			t.Errorf("String() = %q, want no pin-value", s)
		}
		again, err := ParseURI(s)
		if err != nil {
			t.Fatalf("ParseURI(String()=%q): %v", s, err)
		}
		u.pinValue, u.hasPINValue = "", false
		if !reflect.DeepEqual(again, u) {
			t.Errorf("round trip of %q: got %+v, want %+v", in, again, u)
		}
	}
}

func TestRedactURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"pkcs11:token=a;object=k?pin-value=1234", "pkcs11:token=a;object=k"},
		{"pkcs11:token=a?module-path=/x.so&pin-value=1234&pin-source=env:P", "pkcs11:token=a?module-path=/x.so&pin-source=env:P"},
		{"pkcs11:token=a?pin-value=1234&module-path=/x.so", "pkcs11:token=a?module-path=/x.so"},
		{"pkcs11:pin-value=1234;token=a", "pkcs11:token=a"},
		{"pkcs11:token=a;object=b&pin-value=1234", "pkcs11:token=a;object=b"},
		{"pkcs11:token=a?PIN-VALUE=1234", "pkcs11:token=a"},
		{"pkcs11:token=a?pin%2Dvalue=1234", "pkcs11:token=a"},
		{"pkcs11:token=a?pin-value=12;34?56", "pkcs11:token=a"},
		{"token=a?pin-value=12:34", "token=a"},
		{"file:/k.pem?pin-value=xyz", "file:/k.pem"},
		{"file:/k.pem;pin-value=xyz", "file:/k.pem"},
		{"file:/k.pem&PIN-value=xyz?pin-source=env:P", "file:/k.pem?pin-source=env:P"},
		{"file:pin-value", "file:pin-value"},
		{"pkcs11:token=a?module-name=softhsm2", "pkcs11:token=a?module-name=softhsm2"},
		{"not a uri at all", "not a uri at all"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RedactURI(tt.in); got != tt.want {
			t.Errorf("RedactURI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseURI(f *testing.F) {
	for _, seed := range []string{
		"pkcs11:token=Tr%C6%B0%E1%BB%9Dng;object=k1?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234",
		"pkcs11:serial=8e8ae3ef245d8dbd;id=%01%02%FF;type=private?pin-source=env:PIN",
		"pkcs11:manufacturer=SoftHSM%20project;model=SoftHSM%20v2;slot-id=1;library-version=2.6",
		"pkcs11:object=a&b?pin-source=file:///run/pin&module-name=softhsm2",
		"pkcs11:token=a?pin-value=a%26b;c?d",
		"file:///etc/kyso/dev.pem?pin-source=file:pin.txt",
		"file:keys/dev.pem?pin-value=x",
		"pkcs11:token=a;object=b&pin-value=1234",
		"pkcs11:",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURI(s)
		if err != nil {
			var ue *URIError
			if !errors.As(err, &ue) || !errors.Is(err, ErrInvalidURI) {
				t.Fatalf("error %v (%T) is not a *URIError matching ErrInvalidURI", err, err)
			}
			return
		}
		canon := u.String()
		again, err := ParseURI(canon)
		if err != nil {
			t.Fatalf("ParseURI(String()=%q): %v", canon, err)
		}
		if again.HasPINValue() {
			t.Fatalf("String() = %q keeps the pin-value", canon)
		}
		if got := again.String(); got != canon {
			t.Fatalf("String() not stable: %q then %q", canon, got)
		}
		if again.Token != u.Token || again.Object != u.Object || !bytes.Equal(again.ID, u.ID) || again.Path != u.Path ||
			again.PINSource != u.PINSource || again.ModulePath != u.ModulePath || again.Serial != u.Serial {
			t.Fatalf("round trip changed the URI: %+v then %+v", u, again)
		}
		// Redacting a valid URI removes pin-value and nothing else.
		red, err := ParseURI(RedactURI(s))
		if err != nil {
			t.Fatalf("ParseURI(RedactURI(%q)): %v", s, err)
		}
		if red.HasPINValue() {
			t.Fatalf("RedactURI(%q) kept pin-value", s)
		}
		if red.String() != canon {
			t.Fatalf("RedactURI changed more than pin-value: %q, want %q", red.String(), canon)
		}
	})
}
