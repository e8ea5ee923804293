package hsm

import (
	"crypto/elliptic"
	"fmt"
	"strings"
)

// Algorithm is a signing key type and size for key generation.
type Algorithm int

// The algorithms GenerateFileKey and GenerateTokenKey create. RSA keys use
// the public exponent 65537.
const (
	RSA2048 Algorithm = iota + 1
	RSA3072
	ECDSAP256
	ECDSAP384
)

// algorithmNames lists the names ParseAlgorithm accepts, indexed by Algorithm.
var algorithmNames = [...]string{RSA2048: "rsa2048", RSA3072: "rsa3072", ECDSAP256: "p256", ECDSAP384: "p384"}

// ParseAlgorithm parses "rsa2048", "rsa3072", "p256" or "p384" (in any
// letter case).
func ParseAlgorithm(s string) (Algorithm, error) {
	for a, name := range algorithmNames {
		if name != "" && strings.EqualFold(s, name) {
			return Algorithm(a), nil
		}
	}
	return 0, fmt.Errorf("%w %q: want rsa2048, rsa3072, p256 or p384", ErrUnknownAlgorithm, s)
}

// String returns the name ParseAlgorithm accepts.
func (a Algorithm) String() string {
	if a > 0 && int(a) < len(algorithmNames) {
		return algorithmNames[a]
	}
	return fmt.Sprintf("Algorithm(%d)", int(a))
}

// rsaBits returns the modulus size of an RSA algorithm, or 0.
func (a Algorithm) rsaBits() int {
	switch a {
	case RSA2048:
		return 2048
	case RSA3072:
		return 3072
	}
	return 0
}

// curve returns the curve of an ECDSA algorithm, or nil.
func (a Algorithm) curve() elliptic.Curve {
	switch a {
	case ECDSAP256:
		return elliptic.P256()
	case ECDSAP384:
		return elliptic.P384()
	}
	return nil
}
