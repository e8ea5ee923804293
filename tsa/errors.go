package tsa

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; branch on them with errors.Is.
var (
	// ErrUnreachable reports that no answer came from the time-stamping
	// authority: a network error, a timeout, a cancelled context, or an
	// HTTP 502, 503 or 504 from a proxy in front of it. It wraps the cause.
	ErrUnreachable = errors.New("tsa: time-stamping authority unreachable")
	// ErrRejected reports a response whose PKIStatus is not granted or
	// grantedWithMods. The error is a *RejectedError with the details.
	ErrRejected = errors.New("tsa: request rejected")
	// ErrBadResponse reports an answer that is malformed or does not match
	// the request: wrong HTTP status or content type, oversized body, bad
	// token, other nonce or message imprint, unfit or untrusted TSA
	// certificate.
	ErrBadResponse = errors.New("tsa: bad response")
	// ErrBadToken reports a time-stamp token that is malformed or whose
	// signature does not verify (ParseToken). Timestamp wraps it together
	// with ErrBadResponse.
	ErrBadToken = errors.New("tsa: bad time-stamp token")
	// ErrBadTSACertificate reports a certificate unfit for time-stamping
	// (RFC 3161 §2.3): no critical extended key usage with timeStamping as
	// its only purpose, a key usage without digitalSignature, a key that
	// does not match, an unsound chain, or a validity period that does not
	// cover the time.
	ErrBadTSACertificate = errors.New("tsa: certificate unfit for time-stamping")
	// ErrUnsupportedHash reports a Client.Hash other than SHA-256, SHA-384
	// and SHA-512.
	ErrUnsupportedHash = errors.New("tsa: unsupported hash algorithm")
)

// Status is a PKIStatus (RFC 3161 §2.4.2).
type Status int

// PKIStatus values.
const (
	StatusGranted                Status = 0
	StatusGrantedWithMods        Status = 1
	StatusRejection              Status = 2
	StatusWaiting                Status = 3
	StatusRevocationWarning      Status = 4
	StatusRevocationNotification Status = 5
)

func (s Status) String() string {
	switch s {
	case StatusGranted:
		return "granted"
	case StatusGrantedWithMods:
		return "grantedWithMods"
	case StatusRejection:
		return "rejection"
	case StatusWaiting:
		return "waiting"
	case StatusRevocationWarning:
		return "revocationWarning"
	case StatusRevocationNotification:
		return "revocationNotification"
	}
	return fmt.Sprintf("status %d", int(s))
}

// FailureInfo is a PKIFailureInfo bit set (RFC 3161 §2.4.2): bit n of the
// ASN.1 BIT STRING is 1<<n.
type FailureInfo uint32

// PKIFailureInfo bits.
const (
	FailBadAlg              FailureInfo = 1 << 0  // unrecognized or unsupported algorithm
	FailBadRequest          FailureInfo = 1 << 2  // transaction not permitted or supported
	FailBadDataFormat       FailureInfo = 1 << 5  // the data submitted has the wrong format
	FailTimeNotAvailable    FailureInfo = 1 << 14 // the TSA's time source is not available
	FailUnacceptedPolicy    FailureInfo = 1 << 15 // the requested policy is not supported
	FailUnacceptedExtension FailureInfo = 1 << 16 // the requested extension is not supported
	FailAddInfoNotAvailable FailureInfo = 1 << 17 // the additional information is not available
	FailSystemFailure       FailureInfo = 1 << 25 // the request cannot be handled due to system failure
)

var failureNames = []struct {
	bit  FailureInfo
	name string
}{
	{FailBadAlg, "badAlg"},
	{FailBadRequest, "badRequest"},
	{FailBadDataFormat, "badDataFormat"},
	{FailTimeNotAvailable, "timeNotAvailable"},
	{FailUnacceptedPolicy, "unacceptedPolicy"},
	{FailUnacceptedExtension, "unacceptedExtension"},
	{FailAddInfoNotAvailable, "addInfoNotAvailable"},
	{FailSystemFailure, "systemFailure"},
}

func (f FailureInfo) String() string {
	var names []string
	for _, n := range failureNames {
		if f&n.bit != 0 {
			names = append(names, n.name)
			f &^= n.bit
		}
	}
	if f != 0 {
		names = append(names, fmt.Sprintf("%#x", uint32(f)))
	}
	return strings.Join(names, "|")
}

// RejectedError is the error Timestamp returns when the authority does not
// grant the request. It matches ErrRejected.
type RejectedError struct {
	Status     Status
	StatusText []string // the authority's statusString, if any
	FailInfo   FailureInfo
}

func (e *RejectedError) Error() string {
	msg := "tsa: request rejected: " + e.Status.String()
	if e.FailInfo != 0 {
		msg += " (" + e.FailInfo.String() + ")"
	}
	if len(e.StatusText) > 0 {
		msg += fmt.Sprintf(": %q", strings.Join(e.StatusText, "; "))
	}
	return msg
}

// Is makes errors.Is(err, ErrRejected) true.
func (e *RejectedError) Is(target error) bool { return target == ErrRejected }
