package hsm

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxURILength bounds the input ParseURI accepts; real key URIs are far shorter.
const maxURILength = 8 << 10

// Scheme names returned in URI.Scheme.
const (
	SchemePKCS11 = "pkcs11"
	SchemeFile   = "file"
)

// URI is a parsed key URI: an RFC 7512 pkcs11: URI naming a key on a token,
// or a file: URI naming a software key. Text values are percent-decoded.
// The pin-value attribute is kept unexported so that printing a URI with
// fmt never shows it; String omits it too.
type URI struct {
	// Scheme is SchemePKCS11 or SchemeFile.
	Scheme string

	// Token attributes (path component of a pkcs11: URI).
	Token        string // token=, the token label
	Manufacturer string // manufacturer=, the token's manufacturer ID
	Serial       string // serial=, the token serial number
	Model        string // model=, the token model

	// Library attributes, checked against C_GetInfo.
	LibraryManufacturer string // library-manufacturer=
	LibraryDescription  string // library-description=
	LibraryVersion      string // library-version=, "M" or "M.m"

	// Slot attributes, checked against the slot holding the token.
	SlotManufacturer string // slot-manufacturer=
	SlotDescription  string // slot-description=
	SlotID           *uint  // slot-id=, nil when absent

	// Object attributes.
	Object string // object=, the object label (CKA_LABEL)
	ID     []byte // id=, the object id (CKA_ID), arbitrary bytes
	Type   string // type=: public, private, cert, secret-key or data

	// Query attributes.
	ModulePath string // module-path=, an absolute path to a module or a directory
	ModuleName string // module-name=, a module name searched in the usual directories
	PINSource  string // pin-source=, "file:PATH" or "env:NAME"

	// Path is the key file of a file: URI, as written (relative paths are
	// relative to the working directory).
	Path string

	pinValue    string
	hasPINValue bool
}

// HasPINValue reports whether the URI carries a pin-value attribute.
func (u *URI) HasPINValue() bool { return u.hasPINValue }

// isPathAttr reports the RFC 7512 path attributes.
func isPathAttr(name string) bool {
	switch name {
	case "token", "manufacturer", "serial", "model",
		"library-manufacturer", "library-description", "library-version",
		"slot-manufacturer", "slot-description", "slot-id",
		"object", "id", "type":
		return true
	}
	return false
}

// queryAttrNames are the RFC 7512 query attributes.
var queryAttrNames = [...]string{"module-path", "module-name", "pin-source", "pin-value"}

// isQueryAttr reports the RFC 7512 query attributes.
func isQueryAttr(name string) bool {
	for _, q := range queryAttrNames {
		if name == q {
			return true
		}
	}
	return false
}

// isFileQueryAttr reports the query attributes of a file: URI.
func isFileQueryAttr(name string) bool { return name == "pin-source" || name == "pin-value" }

// isObjectType reports the values of the type attribute.
func isObjectType(t string) bool {
	switch t {
	case "public", "private", "cert", "secret-key", "data":
		return true
	}
	return false
}

var (
	attrNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	envNameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	versionRE  = regexp.MustCompile(`^[0-9]{1,3}(\.[0-9]{1,3})?$`)
	decimalRE  = regexp.MustCompile(`^[0-9]{1,20}$`)
)

// ParseURI parses a key URI.
//
// pkcs11: URIs follow RFC 7512: path attributes token, manufacturer, serial,
// model, library-manufacturer, library-description, library-version,
// slot-manufacturer, slot-description, slot-id, object, id and type,
// separated by ";"; then after "?" the query attributes module-path,
// module-name, pin-source and pin-value, separated by "&". Values are
// percent-decoded; characters outside RFC 7512's sets (a space, "/" in the
// path, any non-ASCII letter) must be percent-encoded, e.g.
// token=Tr%C6%B0%E1%BB%9Dng for "Trường". Unknown and repeated attributes are
// refused.
//
// file: URIs name a PEM key file: file:/abs/path/key.pem, file:///abs/path,
// or file:relative/path (relative to the working directory), optionally
// followed by ?pin-source=... or ?pin-value=... for the passphrase.
//
// pin-source is "file:PATH" (the file's contents, less one trailing newline)
// or "env:NAME" (an environment variable; a kyso extension to RFC 7512).
//
// Errors are *URIError values; they name the attribute and never quote a
// pin-value.
func ParseURI(s string) (*URI, error) {
	if len(s) > maxURILength {
		return nil, uriErr("", ErrInvalidURI, "longer than %d bytes", maxURILength)
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return nil, uriErr("", ErrInvalidURI, `no scheme: want "pkcs11:" or "file:"`)
	}
	var u *URI
	var err error
	switch strings.ToLower(scheme) {
	case SchemePKCS11:
		u, err = parsePKCS11(rest)
	case SchemeFile:
		u, err = parseFile(rest)
	default:
		return nil, uriErr("", ErrInvalidURI, `unsupported scheme: want "pkcs11:" or "file:"`)
	}
	if err != nil {
		return nil, err
	}
	// The canonical form percent-encodes more than the input may have, so
	// bound it too: every URI this package prints must parse again.
	if len(u.String()) > maxURILength {
		return nil, uriErr("", ErrInvalidURI, "longer than %d bytes once percent-encoded", maxURILength)
	}
	return u, nil
}

func parsePKCS11(rest string) (*URI, error) {
	u := &URI{Scheme: SchemePKCS11}
	path, query, hasQuery := strings.Cut(rest, "?")
	seen := map[string]bool{}
	if path != "" {
		for _, attr := range strings.Split(path, ";") {
			name, raw, err := splitAttr(attr, "path")
			if err != nil {
				return nil, err
			}
			if !isPathAttr(name) {
				if isQueryAttr(name) {
					return nil, uriErr(name, ErrUnknownAttribute, `a query attribute: write it after "?"`)
				}
				return nil, uriErr(name, ErrUnknownAttribute, "not an RFC 7512 path attribute")
			}
			if seen[name] {
				return nil, uriErr(name, ErrDuplicateAttribute, "given more than once")
			}
			seen[name] = true
			val, err := decodeValue(name, raw, isPathChar, false)
			if err != nil {
				return nil, err
			}
			if err := u.setPathAttr(name, val); err != nil {
				return nil, err
			}
		}
	}
	if hasQuery {
		if err := u.parseQuery(query, isQueryAttr, seen); err != nil {
			return nil, err
		}
	}
	if u.ModulePath != "" && !filepath.IsAbs(u.ModulePath) {
		return nil, uriErr("module-path", ErrInvalidValue, "must be an absolute path")
	}
	if strings.ContainsRune(u.ModuleName, '/') {
		return nil, uriErr("module-name", ErrInvalidValue, "a module name, not a path: use module-path for paths")
	}
	return u, nil
}

func parseFile(rest string) (*URI, error) {
	u := &URI{Scheme: SchemeFile}
	path, query, hasQuery := strings.Cut(rest, "?")
	if strings.Contains(path, "#") {
		return nil, uriErr("", ErrInvalidURI, "file: URI with a fragment (#)")
	}
	if strings.HasPrefix(path, "//") {
		host, p, _ := strings.Cut(path[2:], "/")
		if host != "" && !strings.EqualFold(host, "localhost") {
			return nil, uriErr("", ErrInvalidURI, "file: URI names a remote host")
		}
		path = "/" + p
	}
	decoded, err := decodeValue("path", path, isFilePathChar, false)
	if err != nil {
		return nil, err
	}
	if len(decoded) == 0 || decoded == "/" {
		return nil, uriErr("", ErrInvalidURI, "file: URI names no file")
	}
	if strings.IndexByte(decoded, 0) >= 0 {
		return nil, uriErr("", ErrInvalidURI, "file path contains a NUL byte")
	}
	if misplaced := misplacedQueryAttr(decoded); misplaced != "" {
		return nil, uriErr("", ErrInvalidURI, `file path contains "&%s" or ";%[1]s": query attributes go after "?"`, misplaced)
	}
	u.Path = decoded
	if hasQuery {
		if err := u.parseQuery(query, isFileQueryAttr, map[string]bool{}); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func (u *URI) parseQuery(query string, allowed func(string) bool, seen map[string]bool) error {
	if query == "" {
		return nil
	}
	afterPIN := false
	for _, attr := range strings.Split(query, "&") {
		name, raw, err := splitAttr(attr, "query")
		if err == nil && !allowed(name) {
			switch {
			case u.Scheme == SchemeFile:
				err = uriErr(name, ErrUnknownAttribute, "a file: URI takes only pin-source or pin-value")
			case isPathAttr(name):
				err = uriErr(name, ErrUnknownAttribute, `a path attribute: write it before "?"`)
			default:
				err = uriErr(name, ErrUnknownAttribute, "not an RFC 7512 query attribute")
			}
		}
		if err != nil {
			if afterPIN {
				// The text may be the tail of a PIN holding an unencoded "&":
				// do not name it.
				return uriErr("", ErrInvalidURI, `malformed query attribute after pin-value (write "&" in a PIN as %%26)`)
			}
			return err
		}
		if seen[name] {
			return uriErr(name, ErrDuplicateAttribute, "given more than once")
		}
		seen[name] = true
		secret := name == "pin-value"
		afterPIN = secret
		val, err := decodeValue(name, raw, isQueryChar, secret)
		if err != nil {
			return err
		}
		switch name {
		case "module-path":
			u.ModulePath = val
		case "module-name":
			u.ModuleName = val
		case "pin-source":
			if err := checkPINSource(val); err != nil {
				return err
			}
			u.PINSource = val
		case "pin-value":
			u.pinValue, u.hasPINValue = val, true
		}
	}
	if u.PINSource != "" && u.hasPINValue {
		return uriErr("pin-value", ErrConflictingAttributes, "give pin-source or pin-value, not both")
	}
	return nil
}

// splitAttr splits "name=value" and checks the name's characters.
func splitAttr(attr, component string) (name, value string, err error) {
	if attr == "" {
		return "", "", uriErr("", ErrInvalidURI, "empty attribute in the %s component", component)
	}
	name, value, ok := strings.Cut(attr, "=")
	if !attrNameRE.MatchString(name) {
		// Do not echo the text: it may be a mistyped pin-value.
		return "", "", uriErr("", ErrInvalidURI, "malformed attribute name in the %s component", component)
	}
	if !ok {
		return "", "", uriErr(name, ErrInvalidValue, `no "=" after the attribute name`)
	}
	if value == "" {
		return "", "", uriErr(name, ErrInvalidValue, "empty value")
	}
	return name, value, nil
}

func (u *URI) setPathAttr(name, val string) error {
	if name != "id" {
		if err := checkText(name, val); err != nil {
			return err
		}
		if misplaced := misplacedQueryAttr(val); misplaced != "" {
			return uriErr(name, ErrInvalidValue, `value contains "&%s" or ";%[1]s": query attributes go after "?"`, misplaced)
		}
	}
	switch name {
	case "token":
		u.Token = val
	case "manufacturer":
		u.Manufacturer = val
	case "serial":
		u.Serial = val
	case "model":
		u.Model = val
	case "library-manufacturer":
		u.LibraryManufacturer = val
	case "library-description":
		u.LibraryDescription = val
	case "library-version":
		if !versionRE.MatchString(val) {
			return uriErr(name, ErrInvalidValue, `want "MAJOR" or "MAJOR.MINOR"`)
		}
		u.LibraryVersion = val
	case "slot-manufacturer":
		u.SlotManufacturer = val
	case "slot-description":
		u.SlotDescription = val
	case "slot-id":
		if !decimalRE.MatchString(val) {
			return uriErr(name, ErrInvalidValue, "want a decimal number")
		}
		n, err := strconv.ParseUint(val, 10, strconv.IntSize)
		if err != nil {
			return uriErr(name, ErrInvalidValue, "number out of range")
		}
		id := uint(n)
		u.SlotID = &id
	case "object":
		u.Object = val
	case "id":
		u.ID = []byte(val)
	case "type":
		t := strings.ToLower(val)
		if !isObjectType(t) {
			return uriErr(name, ErrInvalidValue, "want public, private, cert, secret-key or data")
		}
		u.Type = t
	}
	return nil
}

// misplacedQueryAttr finds "&pin-value" and the like inside a path value or
// file path, the trace of a URI written with "&" or ";" where "?" was meant. Accepting it would
// put a PIN into a label that error messages quote.
func misplacedQueryAttr(val string) string {
	lower := asciiLower(val)
	for _, name := range queryAttrNames {
		if strings.Contains(lower, "&"+name) || strings.Contains(lower, ";"+name) {
			return name
		}
	}
	return ""
}

// checkText refuses decoded text that is not UTF-8 or holds control characters.
func checkText(name, val string) error {
	if !utf8.ValidString(val) {
		return uriErr(name, ErrInvalidValue, "not valid UTF-8 after percent-decoding")
	}
	for _, r := range val {
		if r < 0x20 || r == 0x7f {
			return uriErr(name, ErrInvalidValue, "contains a control character")
		}
	}
	return nil
}

func checkPINSource(val string) error {
	if err := checkText("pin-source", val); err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(val, "file:"):
		if _, err := pinFilePath(val); err != nil {
			return err
		}
		return nil
	case strings.HasPrefix(val, "env:"):
		if !envNameRE.MatchString(strings.TrimPrefix(val, "env:")) {
			return uriErr("pin-source", ErrInvalidValue, "env: wants a variable name of letters, digits and _")
		}
		return nil
	default:
		return uriErr("pin-source", ErrInvalidValue, `want "file:PATH" or "env:NAME"`)
	}
}

// pinFilePath extracts the path of a "file:" pin-source.
func pinFilePath(src string) (string, error) {
	p := strings.TrimPrefix(src, "file:")
	if strings.HasPrefix(p, "//") {
		host, rest, _ := strings.Cut(p[2:], "/")
		if host != "" && !strings.EqualFold(host, "localhost") {
			return "", uriErr("pin-source", ErrInvalidValue, "file: names a remote host")
		}
		p = "/" + rest
	}
	if p == "" || p == "/" {
		return "", uriErr("pin-source", ErrInvalidValue, "file: names no file")
	}
	return p, nil
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// isPathChar is pk11-pchar less pct-encoded: unreserved / pk11-path-res-avail.
func isPathChar(c byte) bool {
	return isUnreserved(c) || strings.IndexByte(":[]@!$'()*+,=&", c) >= 0
}

// isQueryChar is pk11-qchar less pct-encoded: unreserved / pk11-query-res-avail.
func isQueryChar(c byte) bool {
	return isUnreserved(c) || strings.IndexByte(":[]@!$'()*+,=/?|;", c) >= 0
}

// isFilePathChar allows what a file: path may carry unencoded.
func isFilePathChar(c byte) bool {
	return isUnreserved(c) || strings.IndexByte(":[]@!$'()*+,=&;/", c) >= 0
}

// decodeValue percent-decodes raw, refusing characters that allowed rejects.
// For secret values the message does not show the offending character.
func decodeValue(name, raw string, allowed func(byte) bool, secret bool) (string, error) {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '%':
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return "", uriErr(name, ErrInvalidValue, `"%%" not followed by two hex digits`)
			}
			b.WriteByte(unhex(raw[i+1])<<4 | unhex(raw[i+2]))
			i += 2
		case allowed(c):
			b.WriteByte(c)
		case secret:
			return "", uriErr(name, ErrInvalidValue, "a character must be percent-encoded")
		default:
			r, _ := utf8.DecodeRuneInString(raw[i:])
			if r == utf8.RuneError || r < 0x20 || r == 0x7f {
				return "", uriErr(name, ErrInvalidValue, "byte 0x%02X must be percent-encoded", c)
			}
			return "", uriErr(name, ErrInvalidValue, "character %q must be percent-encoded as %s", r, percentEncodeAll(string(r)))
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// percentEncodeAll encodes every byte of s.
func percentEncodeAll(s string) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte('%')
		b.WriteByte(hexdig[s[i]>>4])
		b.WriteByte(hexdig[s[i]&15])
	}
	return b.String()
}

// percentEncode encodes every byte of s that keep rejects.
func percentEncode(s string, keep func(byte) bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if keep(s[i]) {
			b.WriteByte(s[i])
		} else {
			b.WriteString(percentEncodeAll(s[i : i+1]))
		}
	}
	return b.String()
}

// String returns the URI in canonical form without pin-value, safe to log.
// Path attributes come in a fixed order; values are percent-encoded where
// RFC 7512 requires it.
func (u *URI) String() string {
	if u == nil {
		return ""
	}
	var query []string
	if u.PINSource != "" {
		query = append(query, "pin-source="+percentEncode(u.PINSource, isQueryValueChar))
	}
	if u.Scheme == SchemeFile {
		s := "file:" + percentEncode(u.Path, isFileValueChar)
		if strings.HasPrefix(u.Path, "/") {
			// With an empty authority, so a path starting "//" stays a path.
			s = "file://" + percentEncode(u.Path, isFileValueChar)
		}
		if len(query) > 0 {
			s += "?" + strings.Join(query, "&")
		}
		return s
	}
	var path []string
	add := func(name, val string) {
		if val != "" {
			path = append(path, name+"="+percentEncode(val, isPathValueChar))
		}
	}
	add("token", u.Token)
	add("manufacturer", u.Manufacturer)
	add("serial", u.Serial)
	add("model", u.Model)
	add("library-manufacturer", u.LibraryManufacturer)
	add("library-description", u.LibraryDescription)
	add("library-version", u.LibraryVersion)
	add("slot-manufacturer", u.SlotManufacturer)
	add("slot-description", u.SlotDescription)
	if u.SlotID != nil {
		add("slot-id", strconv.FormatUint(uint64(*u.SlotID), 10))
	}
	add("object", u.Object)
	add("id", string(u.ID))
	add("type", u.Type)
	var q []string
	if u.ModulePath != "" {
		q = append(q, "module-path="+percentEncode(u.ModulePath, isQueryValueChar))
	}
	if u.ModuleName != "" {
		q = append(q, "module-name="+percentEncode(u.ModuleName, isQueryValueChar))
	}
	query = append(q, query...)
	s := "pkcs11:" + strings.Join(path, ";")
	if len(query) > 0 {
		s += "?" + strings.Join(query, "&")
	}
	return s
}

// isPathValueChar is what String leaves unencoded in a path value: the
// allowed set less "&" and "=", so the output reads unambiguously.
func isPathValueChar(c byte) bool { return c != '&' && c != '=' && isPathChar(c) }

// isQueryValueChar is what String leaves unencoded in a query value.
func isQueryValueChar(c byte) bool { return c != '&' && c != '=' && c != '?' && isQueryChar(c) }

// isFileValueChar is what String leaves unencoded in a file path.
func isFileValueChar(c byte) bool { return isUnreserved(c) || c == '/' }

// RedactURI returns s with every pin-value attribute removed, for logs and
// error messages. It works on any string, parseable or not: in a pkcs11:
// path it drops each ";"-separated pin-value attribute and cuts a value at a
// stray "&pin-value"; in a file: path it cuts at a stray ";pin-value" or
// "&pin-value"; in the query it drops each "&"-separated pin-value
// attribute. Attribute names are matched in any letter case and
// percent-decoded.
func RedactURI(s string) string {
	prefix, rest := "", s
	if i := strings.IndexByte(s, ':'); i > 0 && schemeRE.MatchString(s[:i]) {
		prefix, rest = s[:i+1], s[i+1:]
	}
	path, query, hasQuery := strings.Cut(rest, "?")
	if strings.EqualFold(prefix, SchemeFile+":") {
		// A file path is not a list of attributes: only cut off a stray
		// pin-value written with ";" or "&" instead of "?".
		lower := asciiLower(path)
		for _, sep := range []string{";pin-value", "&pin-value"} {
			if i := strings.Index(lower, sep); i >= 0 {
				path, lower = path[:i], lower[:i]
			}
		}
		return prefix + path + redactQuery(query, hasQuery)
	}
	var kept []string
	for _, piece := range strings.Split(path, ";") {
		if isPINValuePiece(piece) {
			continue
		}
		if i := strings.Index(asciiLower(piece), "&pin-value"); i >= 0 {
			piece = piece[:i]
		}
		kept = append(kept, piece)
	}
	return prefix + strings.Join(kept, ";") + redactQuery(query, hasQuery)
}

// redactQuery returns "?query" without its pin-value attributes, or "" when
// nothing is left.
func redactQuery(query string, hasQuery bool) string {
	if !hasQuery {
		return ""
	}
	var q []string
	for _, piece := range strings.Split(query, "&") {
		if !isPINValuePiece(piece) {
			q = append(q, piece)
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + strings.Join(q, "&")
}

var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)

func isPINValuePiece(piece string) bool {
	name, _, _ := strings.Cut(piece, "=")
	if strings.Contains(name, "%") {
		if dec, err := decodeValue("", name, func(byte) bool { return true }, true); err == nil {
			name = dec
		}
	}
	return asciiLower(strings.TrimSpace(name)) == "pin-value"
}

// asciiLower lowers ASCII letters only, keeping byte offsets unchanged.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
