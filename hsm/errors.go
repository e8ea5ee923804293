package hsm

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers branch on them with errors.Is; the messages that
// wrap them add the token, key or file concerned but never a PIN or passphrase.
var (
	// ErrInvalidURI reports a key URI that cannot be parsed or used. Parse
	// errors are *URIError values that also wrap a more specific sentinel.
	ErrInvalidURI = errors.New("invalid key URI")
	// ErrUnknownAttribute reports an attribute name that RFC 7512 (or this
	// package, for file: URIs) does not define in that component.
	ErrUnknownAttribute = errors.New("unknown attribute")
	// ErrDuplicateAttribute reports an attribute given more than once.
	ErrDuplicateAttribute = errors.New("duplicate attribute")
	// ErrInvalidValue reports an attribute value that is badly encoded or
	// outside the values the attribute allows.
	ErrInvalidValue = errors.New("invalid attribute value")
	// ErrConflictingAttributes reports attributes that must not be combined,
	// such as pin-source with pin-value.
	ErrConflictingAttributes = errors.New("conflicting attributes")

	// ErrNoPINSource reports that the URI names no pin-source or pin-value and
	// Options.Prompt is nil (no terminal to ask on).
	ErrNoPINSource = errors.New("no PIN source")
	// ErrEmptyPIN reports a PIN or passphrase source that yielded nothing.
	ErrEmptyPIN = errors.New("empty PIN")
	// ErrWrongPIN reports a PIN the token refused or a passphrase that does
	// not decrypt the key file. It is reported at the first failure; nothing
	// is retried.
	ErrWrongPIN = errors.New("wrong PIN or passphrase")
	// ErrPINLocked reports a token whose user PIN is locked after too many
	// wrong attempts.
	ErrPINLocked = errors.New("PIN locked")

	// ErrNoModule reports a pkcs11: URI with no usable PKCS#11 module.
	ErrNoModule = errors.New("no PKCS#11 module")
	// ErrTokenNotFound reports that no token matches the URI.
	ErrTokenNotFound = errors.New("token not found")
	// ErrAmbiguousToken reports that more than one token matches the URI.
	ErrAmbiguousToken = errors.New("more than one token matches")
	// ErrTokenInUse reports a token that this process is already logged in
	// to through another open Key. PKCS#11 login state is shared by the whole
	// process, so a second login would not check the PIN; close the other Key
	// or reuse it.
	ErrTokenInUse = errors.New("token already logged in by this process")
	// ErrTokenRemoved reports a token that went away while a key of it was
	// in use: pulled out, its connection lost, its session closed. Nothing
	// is retried; reconnect the token and sign again (a batch resumes where
	// it stopped).
	ErrTokenRemoved = errors.New("token removed or unreachable")

	// ErrKeyNotFound reports that no key pair matches the URI.
	ErrKeyNotFound = errors.New("key not found")
	// ErrAmbiguousKey reports that more than one key pair matches the URI.
	ErrAmbiguousKey = errors.New("more than one key matches")
	// ErrKeyExists reports that key generation would duplicate a label or id.
	ErrKeyExists = errors.New("key already exists")
	// ErrNotSigningKey reports a private key whose CKA_SIGN is false.
	ErrNotSigningKey = errors.New("key is not allowed to sign")

	// ErrNoCertificate reports a key with no certificate on the token or in
	// the file and none in Options.Certificates.
	ErrNoCertificate = errors.New("no certificate for key")
	// ErrCertificateMismatch reports a certificate whose public key is not
	// the key's public key.
	ErrCertificateMismatch = errors.New("certificate does not match key")
	// ErrCertificateExists reports an import over a different certificate
	// already stored with the key.
	ErrCertificateExists = errors.New("a different certificate is already stored for the key")
	// ErrInvalidChain reports a chain whose certificates are not each issued
	// by the next one.
	ErrInvalidChain = errors.New("certificate chain out of order")

	// ErrMalformedKeyFile reports a key file that is not well-formed PEM with
	// the expected blocks.
	ErrMalformedKeyFile = errors.New("malformed key file")
	// ErrUnencryptedKey reports an unencrypted private key when
	// Options.AllowUnencryptedKey is false.
	ErrUnencryptedKey = errors.New("private key is not encrypted")
	// ErrUnsupportedKey reports a key type, size or encryption scheme this
	// package does not accept.
	ErrUnsupportedKey = errors.New("unsupported key")
	// ErrUnknownAlgorithm reports an algorithm name ParseAlgorithm does not know.
	ErrUnknownAlgorithm = errors.New("unknown key algorithm")
)

// URIError describes why a key URI was refused. Attribute is empty when the
// problem concerns the URI as a whole. Error messages never contain the value
// of pin-value.
type URIError struct {
	// Attribute is the attribute concerned, e.g. "token" or "pin-source".
	Attribute string
	// Err is one of ErrInvalidURI, ErrUnknownAttribute, ErrDuplicateAttribute,
	// ErrInvalidValue or ErrConflictingAttributes.
	Err error
	// Detail explains the problem for a person; it may be empty.
	Detail string
}

func (e *URIError) Error() string {
	msg := "key URI"
	if e.Attribute != "" {
		msg += fmt.Sprintf(": attribute %q", e.Attribute)
	}
	msg += ": " + e.Err.Error()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Unwrap returns the sentinel error.
func (e *URIError) Unwrap() error { return e.Err }

// Is reports ErrInvalidURI for every URIError, so callers can test for any
// URI problem with one errors.Is.
func (e *URIError) Is(target error) bool { return target == ErrInvalidURI }

func uriErr(attr string, err error, format string, args ...any) *URIError {
	return &URIError{Attribute: attr, Err: err, Detail: fmt.Sprintf(format, args...)}
}
