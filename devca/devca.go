package devca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kyso-vn/kyso/internal/atomicfile"
)

// File names inside a CA directory.
const (
	RootCertFile    = "root.pem"    // the trust anchor: pass it to kyso verify --trust
	RootKeyFile     = "root.key"    // PKCS#8, unencrypted, 0600
	IssuingCertFile = "issuing.pem" // the intermediate that signs signer certificates
	IssuingKeyFile  = "issuing.key" // PKCS#8, unencrypted, 0600
	// ConfigFile holds the CA's settings (its base URL). Directories made
	// before it existed have none and load as a CA without URL.
	ConfigFile = "ca.json"
	// IssuedDir holds one PEM file per certificate the issuing CA signed,
	// named by its serial number in upper-case hexadecimal: the index of
	// what the CA may revoke and what its OCSP responder calls good.
	IssuedDir = "issued"
	// RevokedFile lists the revocations, rewritten atomically on each one.
	RevokedFile = "revoked.json"
)

// Validity periods.
const (
	RootValidity    = 20 * 365 * 24 * time.Hour
	IssuingValidity = 10 * 365 * 24 * time.Hour
	SignerValidity  = 3 * 365 * 24 * time.Hour
	backdate        = time.Hour
)

// ErrNoCA is returned by Load when the directory holds no CA.
var ErrNoCA = errors.New("no development CA in directory")

// ErrURLMismatch is returned by Init when the directory already holds a CA
// whose base URL differs from the one asked for: the certificates it has
// issued carry the old URL, so it cannot change.
var ErrURLMismatch = errors.New("the CA in this directory has another base URL")

var oidTitle = asn1.ObjectIdentifier{2, 5, 4, 12}

// Options name the CA.
type Options struct {
	// Organization appears in both CA subjects; empty means "kyso development".
	Organization string
	// URL is the base address where the CA's revocation service (Handler,
	// 'kyso ca serve') will answer, e.g. "http://127.0.0.1:8789". When set,
	// every certificate the CA issues points there (see the package doc);
	// empty means certificates carry no revocation or issuer URLs.
	URL string
}

// CA is a loaded or freshly created development CA.
type CA struct {
	Root       *x509.Certificate
	Issuing    *x509.Certificate
	rootKey    crypto.Signer
	issuingKey crypto.Signer
	url        string // base URL of the revocation service, "" for none
	dir        string // where the CA is kept; "" for a CA made by New

	mem memStore // issued certificates and revocations of an in-memory CA

	mu      sync.Mutex
	lastCRL map[string]*big.Int // last CRL number handed out, per issuer
}

// New creates a CA in memory: a root (ECDSA P-384) and an issuing CA (ECDSA
// P-256), valid from now (minus one hour, for clock skew). With opts.URL the
// issuing CA certificate points to the root's CRL and certificate there.
func New(rand io.Reader, now time.Time, opts Options) (*CA, error) {
	org := opts.Organization
	if org == "" {
		org = "kyso development"
	}
	base, err := normalizeURL(opts.URL)
	if err != nil {
		return nil, err
	}
	rootKey, err := ecdsa.GenerateKey(elliptic.P384(), rand)
	if err != nil {
		return nil, fmt.Errorf("generate root key: %w", err)
	}
	rootTmpl := &x509.Certificate{
		Subject: pkix.Name{
			Country:      []string{"VN"},
			Organization: []string{org},
			CommonName:   org + " Root CA (DEVELOPMENT ONLY)",
		},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(RootValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            1,
	}
	root, err := issue(rand, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if err != nil {
		return nil, fmt.Errorf("issue root certificate: %w", err)
	}
	issKey, err := ecdsa.GenerateKey(elliptic.P256(), rand)
	if err != nil {
		return nil, fmt.Errorf("generate issuing key: %w", err)
	}
	issTmpl := &x509.Certificate{
		Subject: pkix.Name{
			Country:      []string{"VN"},
			Organization: []string{org},
			CommonName:   org + " Issuing CA (DEVELOPMENT ONLY)",
		},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(IssuingValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
	}
	if base != "" {
		setRevocationURLs(issTmpl, base, rootName, false)
	}
	iss, err := issue(rand, issTmpl, root, issKey.Public(), rootKey)
	if err != nil {
		return nil, fmt.Errorf("issue issuing certificate: %w", err)
	}
	return &CA{Root: root, Issuing: iss, rootKey: rootKey, issuingKey: issKey, url: base}, nil
}

// URL returns the base URL of the CA's revocation service, or "" when its
// certificates carry no URLs.
func (ca *CA) URL() string { return ca.url }

// Init creates a CA in dir, or loads the one already there. created reports
// whether a new CA was made. The directory is created with mode 0700.
func Init(dir string, rand io.Reader, now time.Time, opts Options) (ca *CA, created bool, err error) {
	ca, err = Load(dir)
	if err == nil {
		want, err := normalizeURL(opts.URL)
		if err != nil {
			return nil, false, err
		}
		if want != "" && want != ca.url {
			return nil, false, fmt.Errorf("%s: has URL %q, not %q: %w", dir, ca.url, want, ErrURLMismatch)
		}
		return ca, false, nil
	}
	if !errors.Is(err, ErrNoCA) {
		return nil, false, err
	}
	ca, err = New(rand, now, opts)
	if err != nil {
		return nil, false, err
	}
	if err := ca.save(dir); err != nil {
		return nil, false, err
	}
	ca.dir = dir
	return ca, true, nil
}

// Load reads the CA kept in dir. It returns an error wrapping ErrNoCA when
// the directory has no CA at all.
func Load(dir string) (*CA, error) {
	if _, err := os.Stat(filepath.Join(dir, RootCertFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoCA)
	}
	ca := &CA{dir: dir}
	var err error
	if ca.Root, err = readCert(filepath.Join(dir, RootCertFile)); err != nil {
		return nil, err
	}
	if ca.Issuing, err = readCert(filepath.Join(dir, IssuingCertFile)); err != nil {
		return nil, err
	}
	if ca.rootKey, err = readKey(filepath.Join(dir, RootKeyFile), ca.Root); err != nil {
		return nil, err
	}
	if ca.issuingKey, err = readKey(filepath.Join(dir, IssuingKeyFile), ca.Issuing); err != nil {
		return nil, err
	}
	if err := ca.Issuing.CheckSignatureFrom(ca.Root); err != nil {
		return nil, fmt.Errorf("%s: issuing CA is not signed by the root: %w", dir, err)
	}
	if ca.url, err = readConfig(filepath.Join(dir, ConfigFile)); err != nil {
		return nil, err
	}
	return ca, nil
}

// Chain returns the certificates a signer certificate from this CA needs
// after it: the issuing CA, then the root.
func (ca *CA) Chain() []*x509.Certificate {
	return []*x509.Certificate{ca.Issuing, ca.Root}
}

// Subject names the holder of a signer certificate.
type Subject struct {
	CommonName   string // the person's full name, e.g. "Nguyễn Văn Nghĩa"
	Title        string // e.g. "Giám đốc"
	Organization string // e.g. "Sở Giáo dục và Đào tạo Bến Tre"
	Province     string // e.g. "Bến Tre"
	// SerialNumber is an identifier the signer checks names against (a staff
	// identifier, never a citizen ID).
	SerialNumber string
}

// IssueSigner issues a document-signing certificate for pub: key usage
// digitalSignature and nonRepudiation, no extended key usage (NSS rejects a
// documentSigning-only EKU), valid for validity from now (SignerValidity if
// zero). With a base URL it carries the CA's CRL, OCSP and issuer URLs. The
// certificate is recorded among the issued ones (in the CA directory for a
// CA from Load or Init) so that it can be revoked; a failure to record it is
// an error and the certificate is not returned.
func (ca *CA) IssueSigner(rand io.Reader, pub crypto.PublicKey, subj Subject, now time.Time, validity time.Duration) (*x509.Certificate, error) {
	if subj.CommonName == "" {
		return nil, errors.New("signer certificate needs a common name")
	}
	if validity == 0 {
		validity = SignerValidity
	}
	name := pkix.Name{Country: []string{"VN"}, CommonName: subj.CommonName, SerialNumber: subj.SerialNumber}
	if subj.Organization != "" {
		name.Organization = []string{subj.Organization}
	}
	if subj.Province != "" {
		name.Province = []string{subj.Province}
	}
	if subj.Title != "" {
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: oidTitle, Value: subj.Title})
	}
	notAfter := now.Add(validity)
	if notAfter.After(ca.Issuing.NotAfter) {
		notAfter = ca.Issuing.NotAfter
	}
	tmpl := &x509.Certificate{
		Subject:               name,
		NotBefore:             now.Add(-backdate),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
	}
	ca.revocationExtensions(tmpl)
	cert, err := issue(rand, tmpl, ca.Issuing, pub, ca.issuingKey)
	if err != nil {
		return nil, err
	}
	if err := ca.recordIssued(cert); err != nil {
		return nil, err
	}
	return cert, nil
}

func issue(rand io.Reader, tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) (*x509.Certificate, error) {
	serial, err := randomSerial(rand)
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("marshal public key: %w", err)
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	ski := sha1.Sum(info.PublicKey.Bytes) // RFC 5280 §4.2.1.2 method (1)
	tmpl.SubjectKeyId = ski[:]
	der, err := x509.CreateCertificate(rand, tmpl, parent, pub, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func randomSerial(rand io.Reader) (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(rand, b); err != nil {
		return nil, fmt.Errorf("certificate serial: %w", err)
	}
	b[0] &= 0x7f
	b[0] |= 0x40 // positive and always 16 bytes long
	return new(big.Int).SetBytes(b), nil
}

func (ca *CA) save(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create CA directory: %w", err)
	}
	files := []struct {
		name string
		data func() ([]byte, error)
		mode os.FileMode
	}{
		{RootKeyFile, func() ([]byte, error) { return keyPEM(ca.rootKey) }, 0o600},
		{IssuingKeyFile, func() ([]byte, error) { return keyPEM(ca.issuingKey) }, 0o600},
		{IssuingCertFile, func() ([]byte, error) { return CertsPEM(ca.Issuing), nil }, 0o644},
		{ConfigFile, func() ([]byte, error) { return configJSON(ca.url) }, 0o644},
		// The root certificate is written last: its presence marks a complete CA.
		{RootCertFile, func() ([]byte, error) { return CertsPEM(ca.Root), nil }, 0o644},
	}
	for _, f := range files {
		data, err := f.data()
		if err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(dir, f.name), data, f.mode); err != nil {
			return err
		}
	}
	return nil
}

// CertsPEM encodes certificates as concatenated PEM CERTIFICATE blocks.
func CertsPEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// ParseCertsPEM reads every CERTIFICATE block in data, in order. Other block
// types are skipped; data with no certificate is an error.
func ParseCertsPEM(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM CERTIFICATE block found")
	}
	return certs, nil
}

func keyPEM(k crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("marshal CA key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func readCert(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	certs, err := ParseCertsPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return certs[0], nil
}

func readKey(path string, cert *x509.Certificate) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s: no PEM PRIVATE KEY block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: key of type %T cannot sign", path, k)
	}
	pub, ok := s.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("%s: key does not match its certificate", path)
	}
	return s, nil
}
