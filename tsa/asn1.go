package tsa

import (
	"bytes"
	"crypto"
	_ "crypto/sha256" // SHA-256 message imprints
	_ "crypto/sha512" // SHA-384 and SHA-512 message imprints
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Limits on what is read from the other side.
const (
	// MaxRequestSize bounds a TimeStampReq (ServeHTTP's body limit).
	MaxRequestSize = 64 << 10
	// maxNonceLen bounds a nonce's INTEGER content: RFC 3161 suggests 64
	// bits; 64 bytes leaves room for any sensible client.
	maxNonceLen = 64
	// maxSerialLen bounds a TSTInfo serial number (RFC 3161 asks for up to
	// 160 bits).
	maxSerialLen = 32
	// maxStatusText bounds the statusString entries kept from a response.
	maxStatusText = 8
)

var (
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

func hashOID(h crypto.Hash) (asn1.ObjectIdentifier, bool) {
	switch h {
	case crypto.SHA256:
		return oidSHA256, true
	case crypto.SHA384:
		return oidSHA384, true
	case crypto.SHA512:
		return oidSHA512, true
	}
	return nil, false
}

func hashFromOID(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		if o, _ := hashOID(h); o.Equal(oid) {
			return h, true
		}
	}
	return 0, false
}

// errMalformed is what the readers below return; callers wrap it with the
// sentinel that fits their side.
var errMalformed = errors.New("malformed")

func malformed(what string) error { return fmt.Errorf("%w %s", errMalformed, what) }

// request is a parsed TimeStampReq (RFC 3161 §2.4.1).
type request struct {
	hashOID  asn1.ObjectIdentifier
	hashAlgP []byte // parameters as sent, nil when absent
	hashed   []byte
	policy   asn1.ObjectIdentifier // nil when absent
	nonce    []byte                // the nonce INTEGER's DER, nil when absent
	certReq  bool
	hasExts  bool
}

// encodeRequest writes a TimeStampReq, version 1, with the hash algorithm's
// parameters NULL (as OpenSSL and most clients send them).
func encodeRequest(h crypto.Hash, hashed []byte, nonce *big.Int, certReq bool) ([]byte, error) {
	oid, ok := hashOID(h)
	if !ok {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedHash, h)
	}
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		addImprint(b, oid, []byte{0x05, 0x00}, hashed)
		if nonce != nil {
			b.AddASN1BigInt(nonce)
		}
		if certReq {
			b.AddASN1Boolean(true)
		}
	})
	return b.Bytes()
}

// addImprint writes a MessageImprint. params is the DER of the algorithm
// parameters, nil for none.
func addImprint(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, params, hashed []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			b.AddBytes(params)
		})
		b.AddASN1OctetString(hashed)
	})
}

// readImprint reads a MessageImprint.
func readImprint(s *cryptobyte.String) (oid asn1.ObjectIdentifier, params, hashed []byte, ok bool) {
	var mi, alg cryptobyte.String
	if !s.ReadASN1(&mi, cbasn1.SEQUENCE) || !mi.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, nil, nil, false
	}
	if !alg.Empty() {
		var p cryptobyte.String
		var tag cbasn1.Tag
		if !alg.ReadAnyASN1Element(&p, &tag) || !alg.Empty() {
			return nil, nil, nil, false
		}
		params = p
	}
	var h cryptobyte.String
	if !mi.ReadASN1(&h, cbasn1.OCTET_STRING) || !mi.Empty() {
		return nil, nil, nil, false
	}
	return oid, params, h, true
}

// readNonce reads an INTEGER and returns its DER, checking it is minimal
// and within maxNonceLen bytes.
func readNonce(s *cryptobyte.String) ([]byte, bool) {
	var elem cryptobyte.String
	if !s.ReadASN1Element(&elem, cbasn1.INTEGER) {
		return nil, false
	}
	n := new(big.Int)
	e := elem
	if !e.ReadASN1Integer(n) || len(elem) > 2+maxNonceLen {
		return nil, false
	}
	return elem, true
}

// parseRequest reads a TimeStampReq. The failure bit says how to reject
// it when it cannot be read.
func parseRequest(der []byte) (*request, FailureInfo, error) {
	if len(der) > MaxRequestSize {
		return nil, FailBadDataFormat, malformed("request: too large")
	}
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	var version int64
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() || !seq.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) {
		return nil, FailBadDataFormat, malformed("request")
	}
	if version != 1 {
		return nil, FailBadRequest, fmt.Errorf("request version %d, want 1", version)
	}
	r := &request{}
	var ok bool
	if r.hashOID, r.hashAlgP, r.hashed, ok = readImprint(&seq); !ok {
		return nil, FailBadDataFormat, malformed("request: messageImprint")
	}
	if seq.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) && !seq.ReadASN1ObjectIdentifier(&r.policy) {
		return nil, FailBadDataFormat, malformed("request: reqPolicy")
	}
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		if r.nonce, ok = readNonce(&seq); !ok {
			return nil, FailBadDataFormat, malformed("request: nonce")
		}
	}
	if seq.PeekASN1Tag(cbasn1.BOOLEAN) {
		// DER: a DEFAULT FALSE BOOLEAN is omitted rather than sent as FALSE;
		// FALSE is accepted all the same, as OpenSSL does.
		if !seq.ReadASN1Boolean(&r.certReq) {
			return nil, FailBadDataFormat, malformed("request: certReq")
		}
	}
	extTag := cbasn1.Tag(0).Constructed().ContextSpecific()
	if seq.PeekASN1Tag(extTag) {
		var exts cryptobyte.String
		if !seq.ReadASN1(&exts, extTag) {
			return nil, FailBadDataFormat, malformed("request: extensions")
		}
		r.hasExts = true
	}
	if !seq.Empty() {
		return nil, FailBadDataFormat, malformed("request: unexpected field")
	}
	return r, 0, nil
}

// Response is a parsed TimeStampResp (RFC 3161 §2.4.2).
type Response struct {
	Status     Status
	StatusText []string    // statusString, at most the first 8 entries
	FailInfo   FailureInfo // failInfo, 0 when absent
	// Token is the DER TimeStampToken (a ContentInfo) as received; nil when
	// the response has none.
	Token []byte
}

// ParseResponse reads a DER TimeStampResp. It checks the structure only:
// the token, when present, is not verified (see ParseToken).
func ParseResponse(der []byte) (*Response, error) {
	in := cryptobyte.String(der)
	var seq, info cryptobyte.String
	var status int64
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() || !seq.ReadASN1(&info, cbasn1.SEQUENCE) ||
		!info.ReadASN1Int64WithTag(&status, cbasn1.INTEGER) || status < 0 || status > 5 {
		return nil, malformed("TimeStampResp")
	}
	resp := &Response{Status: Status(status)}
	if info.PeekASN1Tag(cbasn1.SEQUENCE) {
		var texts cryptobyte.String
		if !info.ReadASN1(&texts, cbasn1.SEQUENCE) {
			return nil, malformed("statusString")
		}
		for !texts.Empty() {
			var t cryptobyte.String
			if !texts.ReadASN1(&t, cbasn1.UTF8String) {
				return nil, malformed("statusString")
			}
			if len(resp.StatusText) < maxStatusText {
				resp.StatusText = append(resp.StatusText, string(t))
			}
		}
	}
	if info.PeekASN1Tag(cbasn1.BIT_STRING) {
		var bs asn1.BitString
		if !info.ReadASN1BitString(&bs) {
			return nil, malformed("failInfo")
		}
		for i := 0; i < bs.BitLength && i < 32; i++ {
			if bs.At(i) == 1 {
				resp.FailInfo |= 1 << i
			}
		}
	}
	if !info.Empty() {
		return nil, malformed("PKIStatusInfo")
	}
	if !seq.Empty() {
		var tok cryptobyte.String
		if !seq.ReadASN1Element(&tok, cbasn1.SEQUENCE) || !seq.Empty() {
			return nil, malformed("timeStampToken")
		}
		resp.Token = tok
	}
	return resp, nil
}

// encodeResponse writes a TimeStampResp: the status, an optional status
// text, failure bits (0 for none) and the token (nil for none).
func encodeResponse(status Status, text string, fail FailureInfo, token []byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(int64(status))
			if text != "" {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(text)) })
				})
			}
			if fail != 0 {
				addNamedBits(b, fail)
			}
		})
		b.AddBytes(token)
	})
	return b.BytesOrPanic() // cannot fail: every part is well-formed
}

// addNamedBits writes a named-bit-list BIT STRING in DER: no trailing zero
// bits (X.690 §11.2.2).
func addNamedBits(b *cryptobyte.Builder, f FailureInfo) {
	if f == 0 {
		return
	}
	last := 31
	for f&(1<<last) == 0 {
		last--
	}
	data := make([]byte, last/8+1)
	for i := 0; i <= last; i++ {
		if f&(1<<i) != 0 {
			data[i/8] |= 0x80 >> (i % 8)
		}
	}
	b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
		b.AddUint8(uint8(7 - last%8))
		b.AddBytes(data)
	})
}

// tstInfo is the TSTInfo content of a token (RFC 3161 §2.4.2).
type tstInfo struct {
	policy asn1.ObjectIdentifier
	hash   crypto.Hash
	// hashParams are the hash algorithm's parameters as the request sent
	// them (nil: absent), so that the imprint is copied exactly (RFC 3161
	// §2.4.2).
	hashParams []byte
	hashed     []byte
	serial     *big.Int
	genTime    time.Time
	nonce      []byte // DER INTEGER, nil when absent
	ordering   bool
}

// encodeTSTInfo writes a TSTInfo, version 1, with no accuracy, ordering
// false (omitted), and no tsa name or extensions.
func encodeTSTInfo(t *tstInfo) ([]byte, error) {
	oid, ok := hashOID(t.hash)
	if !ok {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedHash, t.hash)
	}
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1ObjectIdentifier(t.policy)
		addImprint(b, oid, t.hashParams, t.hashed)
		b.AddASN1BigInt(t.serial)
		b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) {
			b.AddBytes([]byte(formatGeneralizedTime(t.genTime)))
		})
		b.AddBytes(t.nonce)
	})
	return b.Bytes()
}

// parseTSTInfo reads a TSTInfo.
func parseTSTInfo(der []byte) (*tstInfo, error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	var version int64
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() || !seq.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) {
		return nil, malformed("TSTInfo")
	}
	if version != 1 {
		return nil, malformed(fmt.Sprintf("TSTInfo version %d", version))
	}
	t := &tstInfo{serial: new(big.Int)}
	if !seq.ReadASN1ObjectIdentifier(&t.policy) {
		return nil, malformed("TSTInfo policy")
	}
	oid, params, hashed, ok := readImprint(&seq)
	if !ok {
		return nil, malformed("TSTInfo messageImprint")
	}
	if t.hash, ok = hashFromOID(oid); !ok {
		return nil, fmt.Errorf("%w: TSTInfo hash algorithm %v", ErrUnsupportedHash, oid)
	}
	if !absentOrNull(params) || len(hashed) != t.hash.Size() {
		return nil, malformed("TSTInfo messageImprint")
	}
	t.hashParams, t.hashed = params, hashed
	var serial cryptobyte.String
	if !seq.ReadASN1Element(&serial, cbasn1.INTEGER) || len(serial) > 2+maxSerialLen ||
		!serial.ReadASN1Integer(t.serial) || t.serial.Sign() < 0 {
		return nil, malformed("TSTInfo serialNumber")
	}
	var gt cryptobyte.String
	if !seq.ReadASN1(&gt, cbasn1.GeneralizedTime) {
		return nil, malformed("TSTInfo genTime")
	}
	var err error
	if t.genTime, err = parseGeneralizedTime(gt); err != nil {
		return nil, malformed("TSTInfo genTime: " + err.Error())
	}
	if seq.PeekASN1Tag(cbasn1.SEQUENCE) && !seq.SkipASN1(cbasn1.SEQUENCE) { // accuracy
		return nil, malformed("TSTInfo accuracy")
	}
	if seq.PeekASN1Tag(cbasn1.BOOLEAN) && !seq.ReadASN1Boolean(&t.ordering) {
		return nil, malformed("TSTInfo ordering")
	}
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		if t.nonce, ok = readNonce(&seq); !ok {
			return nil, malformed("TSTInfo nonce")
		}
	}
	tsaTag := cbasn1.Tag(0).Constructed().ContextSpecific()
	if seq.PeekASN1Tag(tsaTag) && !seq.SkipASN1(tsaTag) {
		return nil, malformed("TSTInfo tsa")
	}
	extTag := cbasn1.Tag(1).Constructed().ContextSpecific()
	if seq.PeekASN1Tag(extTag) && !seq.SkipASN1(extTag) {
		return nil, malformed("TSTInfo extensions")
	}
	if !seq.Empty() {
		return nil, malformed("TSTInfo: unexpected field")
	}
	return t, nil
}

func absentOrNull(params []byte) bool {
	return len(params) == 0 || bytes.Equal(params, []byte{0x05, 0x00})
}

// formatGeneralizedTime writes t in UTC as RFC 3161 §2.4.2 asks:
// YYYYMMDDhhmmss[.s...]Z to the millisecond, without trailing zeros in the
// fraction, and no fraction at all on a whole second.
func formatGeneralizedTime(t time.Time) string {
	t = t.UTC().Truncate(time.Millisecond)
	s := t.Format("20060102150405")
	if ms := t.Nanosecond() / int(time.Millisecond); ms != 0 {
		frac := fmt.Sprintf("%03d", ms)
		for frac[len(frac)-1] == '0' {
			frac = frac[:len(frac)-1]
		}
		s += "." + frac
	}
	return s + "Z"
}

// parseGeneralizedTime reads a DER GeneralizedTime with an optional
// fraction of a second (RFC 3161 genTime): YYYYMMDDhhmmss[.f{1,9}]Z, the
// fraction without trailing zeros.
func parseGeneralizedTime(b []byte) (time.Time, error) {
	s := string(b)
	if len(s) < 15 || s[len(s)-1] != 'Z' {
		return time.Time{}, errors.New("want YYYYMMDDhhmmss[.f]Z")
	}
	for _, c := range []byte(s[:14]) {
		if c < '0' || c > '9' {
			return time.Time{}, errors.New("non-digit in date and time")
		}
	}
	t, err := time.Parse("20060102150405", s[:14])
	if err != nil {
		return time.Time{}, err
	}
	frac := s[14 : len(s)-1]
	if frac == "" {
		return t, nil
	}
	digits := frac[1:]
	if frac[0] != '.' || len(digits) == 0 || len(digits) > 9 || digits[len(digits)-1] == '0' {
		return time.Time{}, errors.New("bad fraction of a second")
	}
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return time.Time{}, errors.New("bad fraction of a second")
		}
	}
	ns, _ := strconv.Atoi((digits + "000000000")[:9])
	return t.Add(time.Duration(ns)), nil
}
