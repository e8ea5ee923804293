package revocation

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

var (
	oidAuthorityKeyID    = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidCRLNumber         = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidDeltaCRLIndicator = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidIssuingDistPoint  = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidFreshestCRL       = asn1.ObjectIdentifier{2, 5, 29, 46}
	oidAuthorityInfo     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	oidReasonCode        = asn1.ObjectIdentifier{2, 5, 29, 21}
	oidInvalidityDate    = asn1.ObjectIdentifier{2, 5, 29, 24}
)

// CRL fetches the certificate's CRLs (its http(s) distribution points, in
// order) and returns the first that passes every check (see the package
// doc), as DER and parsed. A CRL listing the certificate ends the search: it
// is returned with a *RevokedError. A certificate without http(s)
// distribution point gives ErrNoSource.
func (f *Fetcher) CRL(ctx context.Context, cert, issuer *x509.Certificate, at time.Time) ([]byte, *x509.RevocationList, error) {
	return f.crl(ctx, cert, issuer, at, nil)
}

// crl is CRL with a cache of fetched CRLs by URL (nil: none).
func (f *Fetcher) crl(ctx context.Context, cert, issuer *x509.Certificate, at time.Time, cache map[string][]byte) ([]byte, *x509.RevocationList, error) {
	urls := httpURLs(cert.CRLDistributionPoints)
	if len(urls) == 0 {
		return nil, nil, ErrNoSource
	}
	var errs []error
	for _, u := range urls {
		der, ok := cache[u]
		if !ok {
			var err error
			if der, err = f.fetch(ctx, u, "", nil, DefaultMaxCRLSize); err != nil {
				errs = append(errs, fmt.Errorf("CRL %s: %w", u, err))
				continue
			}
			if der, err = crlDER(der); err != nil {
				errs = append(errs, fmt.Errorf("CRL %s: %w", u, err))
				continue
			}
			if cache != nil {
				cache[u] = der
			}
		}
		crl, err := checkCRL(der, cert, issuer, at, f.skew())
		var re *RevokedError
		if errors.As(err, &re) {
			re.URL = u
			return der, crl, err
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("CRL %s: %w", u, err))
			continue
		}
		return der, crl, nil
	}
	return nil, nil, errors.Join(errs...)
}

// crlDER accepts a DER CRL, or a PEM "X509 CRL" some servers send.
func crlDER(data []byte) ([]byte, error) {
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN")) {
		return data, nil
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "X509 CRL" {
		return nil, fmt.Errorf("%w: PEM without an X509 CRL block", ErrBadResponse)
	}
	return b.Bytes, nil
}

// checkCRL checks a DER CRL for cert, issued by issuer, at time at. A CRL
// listing cert is returned with a *RevokedError.
func checkCRL(der []byte, cert, issuer *x509.Certificate, at time.Time, skew time.Duration) (*x509.RevocationList, error) {
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadResponse, err)
	}
	if !bytes.Equal(crl.RawIssuer, issuer.RawSubject) {
		return nil, fmt.Errorf("%w: CRL issued by %s, not %s", ErrBadResponse, crl.Issuer, issuer.Subject)
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return nil, fmt.Errorf("%w: CRL not signed by the issuer: %w", ErrBadResponse, err)
	}
	if err := checkCRLExtensions(crl, cert); err != nil {
		return nil, err
	}
	var found *x509.RevocationListEntry
	for i := range crl.RevokedCertificateEntries {
		e := &crl.RevokedCertificateEntries[i]
		for _, x := range e.Extensions {
			if x.Critical && !x.Id.Equal(oidReasonCode) && !x.Id.Equal(oidInvalidityDate) {
				return nil, fmt.Errorf("%w: CRL entry with unsupported critical extension %v", ErrBadResponse, x.Id)
			}
		}
		if found == nil && e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
			found = e
		}
	}
	if found != nil {
		return crl, &RevokedError{Serial: cert.SerialNumber, Subject: cert.Subject.String(), Reason: found.ReasonCode, Time: found.RevocationTime, Source: "CRL"}
	}
	if crl.NextUpdate.IsZero() {
		return nil, fmt.Errorf("%w: CRL without nextUpdate", ErrBadResponse)
	}
	if err := fresh(crl.ThisUpdate, crl.NextUpdate, at, skew); err != nil {
		return nil, err
	}
	return crl, nil
}

// issuingDistributionPoint is RFC 5280 §5.2.5's extension.
type issuingDistributionPoint struct {
	DistributionPoint          asn1.RawValue  `asn1:"optional,explicit,tag:0"`
	OnlyContainsUserCerts      bool           `asn1:"optional,tag:1"`
	OnlyContainsCACerts        bool           `asn1:"optional,tag:2"`
	OnlySomeReasons            asn1.BitString `asn1:"optional,tag:3"`
	IndirectCRL                bool           `asn1:"optional,tag:4"`
	OnlyContainsAttributeCerts bool           `asn1:"optional,tag:5"`
}

// checkCRLExtensions refuses delta CRLs, unknown critical extensions, and
// CRLs whose issuing distribution point leaves cert out or covers only some
// reasons or other issuers.
func checkCRLExtensions(crl *x509.RevocationList, cert *x509.Certificate) error {
	for _, e := range crl.Extensions {
		switch {
		case e.Id.Equal(oidDeltaCRLIndicator):
			return fmt.Errorf("%w: a delta CRL", ErrBadResponse)
		case e.Id.Equal(oidIssuingDistPoint):
			var idp issuingDistributionPoint
			if rest, err := asn1.Unmarshal(e.Value, &idp); err != nil || len(rest) != 0 {
				return fmt.Errorf("%w: malformed issuing distribution point", ErrBadResponse)
			}
			switch {
			case idp.OnlyContainsUserCerts && cert.IsCA, idp.OnlyContainsCACerts && !cert.IsCA, idp.OnlyContainsAttributeCerts:
				return fmt.Errorf("%w: the CRL does not cover this kind of certificate", ErrBadResponse)
			case idp.IndirectCRL:
				return fmt.Errorf("%w: indirect CRLs are not supported", ErrBadResponse)
			case idp.OnlySomeReasons.BitLength > 0:
				return fmt.Errorf("%w: a CRL for some reasons only", ErrBadResponse)
			}
		case e.Id.Equal(oidAuthorityKeyID), e.Id.Equal(oidCRLNumber), e.Id.Equal(oidFreshestCRL), e.Id.Equal(oidAuthorityInfo):
		case e.Critical:
			return fmt.Errorf("%w: unsupported critical CRL extension %v", ErrBadResponse, e.Id)
		}
	}
	return nil
}
