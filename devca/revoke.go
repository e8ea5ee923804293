package devca

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kyso-vn/kyso/internal/atomicfile"
)

// CRLValidity is how long after its thisUpdate a CRL's nextUpdate falls.
const CRLValidity = 7 * 24 * time.Hour

// Sentinel errors of Revoke and Certificate.
var (
	// ErrUnknownSerial: the issuing CA never issued (or never recorded) a
	// certificate with this serial number.
	ErrUnknownSerial = errors.New("no certificate with this serial number was issued by this CA")
	// ErrAlreadyRevoked: the certificate is revoked already.
	ErrAlreadyRevoked = errors.New("certificate already revoked")
	// ErrBadReason: the reason is not one Revoke accepts.
	ErrBadReason = errors.New("unsupported revocation reason")
)

// CRL reason codes (RFC 5280 §5.3.1), as Revoke takes them.
const (
	ReasonUnspecified          = 0
	ReasonKeyCompromise        = 1
	ReasonCACompromise         = 2
	ReasonAffiliationChanged   = 3
	ReasonSuperseded           = 4
	ReasonCessationOfOperation = 5
	ReasonCertificateHold      = 6
	ReasonRemoveFromCRL        = 8
	ReasonPrivilegeWithdrawn   = 9
	ReasonAACompromise         = 10
)

var reasonNames = map[int]string{
	ReasonUnspecified:          "unspecified",
	ReasonKeyCompromise:        "keyCompromise",
	ReasonCACompromise:         "cACompromise",
	ReasonAffiliationChanged:   "affiliationChanged",
	ReasonSuperseded:           "superseded",
	ReasonCessationOfOperation: "cessationOfOperation",
	ReasonCertificateHold:      "certificateHold",
	ReasonRemoveFromCRL:        "removeFromCRL",
	ReasonPrivilegeWithdrawn:   "privilegeWithdrawn",
	ReasonAACompromise:         "aACompromise",
}

// ReasonName returns the RFC 5280 name of a reason code ("keyCompromise"),
// or "reason(N)" for a code that has none.
func ReasonName(code int) string {
	if n, ok := reasonNames[code]; ok {
		return n
	}
	return fmt.Sprintf("reason(%d)", code)
}

// ParseReason returns the code of a reason Revoke accepts, named as in RFC
// 5280 (case does not matter: "keyCompromise", "superseded", ...).
func ParseReason(name string) (int, error) {
	for code, n := range reasonNames {
		if strings.EqualFold(n, name) && revocableReason(code) {
			return code, nil
		}
	}
	return 0, fmt.Errorf("%q: %w (want one of %s)", name, ErrBadReason, strings.Join(ReasonNames(), ", "))
}

// ReasonNames lists the names ParseReason accepts, in code order.
func ReasonNames() []string {
	var out []string
	for code := 0; code <= ReasonAACompromise; code++ {
		if n, ok := reasonNames[code]; ok && revocableReason(code) {
			out = append(out, n)
		}
	}
	return out
}

// revocableReason: holds are not supported (a hold can be released; these
// revocations are final) and removeFromCRL belongs to delta CRLs only.
func revocableReason(code int) bool {
	_, ok := reasonNames[code]
	return ok && code != ReasonCertificateHold && code != ReasonRemoveFromCRL
}

// Revocation is one revoked certificate.
type Revocation struct {
	Serial *big.Int
	Reason int // RFC 5280 CRLReason code
	Time   time.Time
}

// Revoke records that the certificate with serial, issued by the issuing CA,
// is revoked for reason (an RFC 5280 code: see ParseReason) from time at.
// dir is the CA directory to record it in; "" means the CA's own (the one it
// was loaded from or created in, or memory for a CA made by New). Unknown
// serials are refused (ErrUnknownSerial), and so is a second revocation
// (ErrAlreadyRevoked). CRLs and OCSP responses list the revocation once
// their time reaches at.
func (ca *CA) Revoke(dir string, serial *big.Int, reason int, at time.Time) error {
	if !revocableReason(reason) {
		return fmt.Errorf("%s: %w", ReasonName(reason), ErrBadReason)
	}
	if serial == nil {
		return ErrUnknownSerial
	}
	return ca.store(dir).revoke(Revocation{Serial: new(big.Int).Set(serial), Reason: reason, Time: at.UTC().Truncate(time.Second)})
}

// Certificate returns the certificate with serial that the issuing CA
// issued, from dir ("" for the CA's own store), or ErrUnknownSerial.
func (ca *CA) Certificate(dir string, serial *big.Int) (*x509.Certificate, error) {
	return ca.store(dir).issued(serial)
}

// recordIssued adds a certificate signed by the issuing CA to the index of
// issued certificates, so that it can be revoked and is "good" to the OCSP
// responder. Code issuing with the unexported issue helper calls it.
func (ca *CA) recordIssued(cert *x509.Certificate) error {
	return ca.store("").addIssued(cert)
}

// store is where the issued index and the revocations live.
type store interface {
	addIssued(cert *x509.Certificate) error
	issued(serial *big.Int) (*x509.Certificate, error)
	revocations() ([]Revocation, error)
	revoke(r Revocation) error
}

func (ca *CA) store(dir string) store {
	if dir == "" {
		dir = ca.dir
	}
	if dir == "" {
		return &ca.mem
	}
	return dirStore(dir)
}

// serialKey names a serial number in the index: upper-case hexadecimal. It
// refuses serials no certificate can have (RFC 5280: positive, at most 20
// bytes), which also keeps file names short and free of separators.
func serialKey(serial *big.Int) (string, error) {
	if serial == nil || serial.Sign() <= 0 || serial.BitLen() > 160 {
		return "", ErrUnknownSerial
	}
	return strings.ToUpper(serial.Text(16)), nil
}

// memStore keeps the state of a CA made by New.
type memStore struct {
	mu      sync.Mutex
	certs   map[string]*x509.Certificate
	revoked []Revocation
}

func (m *memStore) addIssued(cert *x509.Certificate) error {
	k, err := serialKey(cert.SerialNumber)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.certs == nil {
		m.certs = make(map[string]*x509.Certificate)
	}
	m.certs[k] = cert
	return nil
}

func (m *memStore) issued(serial *big.Int) (*x509.Certificate, error) {
	k, err := serialKey(serial)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.certs[k]
	if !ok {
		return nil, fmt.Errorf("serial %s: %w", k, ErrUnknownSerial)
	}
	return c, nil
}

func (m *memStore) revocations() ([]Revocation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.revoked), nil
}

func (m *memStore) revoke(r Revocation) error {
	if _, err := m.issued(r.Serial); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	list, err := addRevocation(m.revoked, r)
	if err != nil {
		return err
	}
	m.revoked = list
	return nil
}

// addRevocation appends r unless its serial is listed already.
func addRevocation(list []Revocation, r Revocation) ([]Revocation, error) {
	for _, x := range list {
		if x.Serial.Cmp(r.Serial) == 0 {
			return nil, fmt.Errorf("serial %X (revoked %s): %w", r.Serial, x.Time.Format(time.RFC3339), ErrAlreadyRevoked)
		}
	}
	list = append(slices.Clone(list), r)
	slices.SortStableFunc(list, func(a, b Revocation) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return a.Serial.Cmp(b.Serial)
	})
	return list, nil
}

// dirStore keeps the state in a CA directory: issued/SERIAL.pem files and
// revoked.json.
type dirStore string

func (d dirStore) certPath(k string) string {
	return filepath.Join(string(d), IssuedDir, k+".pem")
}

func (d dirStore) addIssued(cert *x509.Certificate) error {
	k, err := serialKey(cert.SerialNumber)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(string(d), IssuedDir), 0o700); err != nil {
		return fmt.Errorf("record issued certificate: %w", err)
	}
	if err := atomicfile.Write(d.certPath(k), CertsPEM(cert), 0o644); err != nil {
		return fmt.Errorf("record issued certificate: %w", err)
	}
	return nil
}

func (d dirStore) issued(serial *big.Int) (*x509.Certificate, error) {
	k, err := serialKey(serial)
	if err != nil {
		return nil, err
	}
	c, err := readCert(d.certPath(k))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("serial %s: %w", k, ErrUnknownSerial)
	}
	if err != nil {
		return nil, err
	}
	if c.SerialNumber.Cmp(serial) != 0 {
		return nil, fmt.Errorf("%s holds serial %X", d.certPath(k), c.SerialNumber)
	}
	return c, nil
}

type revokedJSON struct {
	Revoked []revocationJSON `json:"revoked"`
}

type revocationJSON struct {
	Serial string    `json:"serial"` // upper-case hexadecimal
	Reason int       `json:"reason"`
	Name   string    `json:"reason_name,omitempty"` // for people; ignored on reading
	Time   time.Time `json:"time"`
}

func (d dirStore) revocations() ([]Revocation, error) {
	path := filepath.Join(string(d), RevokedFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rj revokedJSON
	if err := json.Unmarshal(data, &rj); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]Revocation, 0, len(rj.Revoked))
	for i, r := range rj.Revoked {
		s, ok := new(big.Int).SetString(r.Serial, 16)
		if !ok || s.Sign() <= 0 {
			return nil, fmt.Errorf("%s: entry %d: bad serial %q", path, i+1, r.Serial)
		}
		out = append(out, Revocation{Serial: s, Reason: r.Reason, Time: r.Time})
	}
	return out, nil
}

func (d dirStore) revoke(r Revocation) error {
	if _, err := d.issued(r.Serial); err != nil {
		return err
	}
	unlock, err := lockFile(filepath.Join(string(d), ".revoke.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	// Read again under the lock: another process may have revoked since.
	list, err := d.revocations()
	if err != nil {
		return err
	}
	if list, err = addRevocation(list, r); err != nil {
		return err
	}
	rj := revokedJSON{Revoked: make([]revocationJSON, len(list))}
	for i, x := range list {
		rj.Revoked[i] = revocationJSON{Serial: strings.ToUpper(x.Serial.Text(16)), Reason: x.Reason, Name: ReasonName(x.Reason), Time: x.Time.UTC()}
	}
	data, err := json.MarshalIndent(rj, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(string(d), RevokedFile), append(data, '\n'), 0o644)
}

// lockFile takes an exclusive lock on path, waiting for it.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}

// CRL returns the issuing CA's CRL (DER) as of now: every revocation dated
// at or before now, thisUpdate now, nextUpdate now+CRLValidity. It reads the
// CA's own store; Handler serves it as /crl/issuing.crl.
func (ca *CA) CRL(rand io.Reader, now time.Time) ([]byte, error) {
	return ca.issuingCRL(rand, now, "")
}

func (ca *CA) issuingCRL(rand io.Reader, now time.Time, dir string) ([]byte, error) {
	list, err := ca.store(dir).revocations()
	if err != nil {
		return nil, err
	}
	var entries []x509.RevocationListEntry
	for _, r := range list {
		if r.Time.After(now) {
			continue
		}
		entries = append(entries, x509.RevocationListEntry{SerialNumber: r.Serial, RevocationTime: r.Time, ReasonCode: r.Reason})
	}
	return ca.makeCRL(rand, now, issuingName, ca.Issuing, ca.issuingKey, entries)
}

// RootCRL returns the root's CRL (DER) as of now. It is always empty: the
// issuing CA certificate cannot be revoked. Handler serves it as
// /crl/root.crl.
func (ca *CA) RootCRL(rand io.Reader, now time.Time) ([]byte, error) {
	return ca.makeCRL(rand, now, rootName, ca.Root, ca.rootKey, nil)
}

func (ca *CA) makeCRL(rand io.Reader, now time.Time, name string, issuer *x509.Certificate, key crypto.Signer, entries []x509.RevocationListEntry) ([]byte, error) {
	now = now.UTC().Truncate(time.Second)
	tmpl := &x509.RevocationList{
		Number:                    ca.nextCRLNumber(name, now),
		ThisUpdate:                now,
		NextUpdate:                now.Add(CRLValidity),
		RevokedCertificateEntries: entries,
	}
	der, err := x509.CreateRevocationList(rand, tmpl, issuer, key)
	if err != nil {
		return nil, fmt.Errorf("make %s CRL: %w", name, err)
	}
	return der, nil
}

// nextCRLNumber returns a CRL number for issuer name at now: thisUpdate in
// nanoseconds since 1970, or one more than the last number this CA value
// handed out if that is larger, so numbers only increase.
func (ca *CA) nextCRLNumber(name string, now time.Time) *big.Int {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	n := big.NewInt(now.UnixNano())
	if last := ca.lastCRL[name]; last != nil && n.Cmp(last) <= 0 {
		n = new(big.Int).Add(last, big.NewInt(1))
	}
	if ca.lastCRL == nil {
		ca.lastCRL = make(map[string]*big.Int)
	}
	ca.lastCRL[name] = n
	return new(big.Int).Set(n)
}
