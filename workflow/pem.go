package workflow

import "encoding/pem"

// nextPEMCertificate returns the DER of the next CERTIFICATE block of rest
// and what follows it, or nil when there is none.
func nextPEMCertificate(rest []byte) (der, after []byte) {
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, nil
		}
		if b.Type == "CERTIFICATE" {
			return b.Bytes, rest
		}
	}
}
