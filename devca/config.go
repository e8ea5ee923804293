package devca

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
)

// Names of the two issuers in the revocation service's paths.
const (
	rootName    = "root"
	issuingName = "issuing"
)

type config struct {
	URL string `json:"url"`
}

// normalizeURL checks a base URL (absolute http or https, no query, fragment
// or user information) and drops a trailing slash. "" stays "".
func normalizeURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("CA URL %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("CA URL %q: want http:// or https://HOST[:PORT][/PATH] with no query, fragment or user", s)
	}
	return strings.TrimRight(s, "/"), nil
}

func configJSON(base string) ([]byte, error) {
	b, err := json.MarshalIndent(config{URL: base}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// readConfig returns the base URL kept in path; a missing file (a CA made
// before URLs existed) means none.
func readConfig(path string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var c config
	if err := json.Unmarshal(data, &c); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	base, err := normalizeURL(c.URL)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return base, nil
}

// revocationExtensions fills the CRL distribution point, OCSP responder and
// CA issuers URLs of a certificate the issuing CA is about to sign. It does
// nothing for a CA without a base URL. Code that builds its own template
// (IssueTimestamping) calls it before issue, and recordIssued after.
func (ca *CA) revocationExtensions(tmpl *x509.Certificate) {
	if ca.url == "" {
		return
	}
	setRevocationURLs(tmpl, ca.url, issuingName, true)
}

// setRevocationURLs points tmpl at the CRL and certificate of the issuer
// named issuer ("root" or "issuing") under base, and at the OCSP responder
// when withOCSP.
func setRevocationURLs(tmpl *x509.Certificate, base, issuer string, withOCSP bool) {
	tmpl.CRLDistributionPoints = []string{base + "/crl/" + issuer + ".crl"}
	tmpl.IssuingCertificateURL = []string{base + "/ca/" + issuer + ".cer"}
	tmpl.OCSPServer = nil
	if withOCSP {
		tmpl.OCSPServer = []string{base + "/ocsp"}
	}
}
