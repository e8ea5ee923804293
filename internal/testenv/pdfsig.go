package testenv

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Messages poppler's pdfsig prints (poppler 22.12) that tests compare with.
const (
	PDFSigSignatureValid      = "Signature is Valid."
	PDFSigSignatureInvalid    = "Signature is Invalid."
	PDFSigDigestMismatch      = "Digest Mismatch."
	PDFSigCertificateTrusted  = "Certificate is Trusted."
	PDFSigIssuerNotTrusted    = "Certificate issuer isn't Trusted."
	PDFSigIssuerUnknown       = "Certificate issuer is unknown."
	PDFSigCertificateRevoked  = "Certificate has been Revoked."
	PDFSigCertificateExpired  = "Certificate has Expired"
	pdfsigNoSignaturesMessage = "does not contain any signatures"
)

// NSSDB is an NSS certificate database in a test's temporary directory that
// trusts the roots given to PDFSig, for checking signed PDFs with poppler's
// pdfsig as an independent validator.
type NSSDB struct {
	// Dir is the database directory; pdfsig and certutil take "sql:"+Dir.
	Dir    string
	pdfsig string
}

// PDFSig creates an NSS database trusting roots as certificate authorities
// for signed documents and e-mail (trust ",C,": pdfsig validates signer
// certificates for the e-mail signing usage, so "C,," alone, trust for TLS,
// leaves the issuer untrusted). It fails the test if certutil or pdfsig is
// missing and CI=true, and skips it otherwise.
func PDFSig(t testing.TB, roots ...*x509.Certificate) *NSSDB {
	t.Helper()
	certutil := pdfsigLookTool(t, "certutil", "libnss3-tools")
	db := &NSSDB{Dir: t.TempDir(), pdfsig: pdfsigLookTool(t, "pdfsig", "poppler-utils")}
	pdfsigRun(t, certutil, "-N", "--empty-password", "-d", "sql:"+db.Dir)
	pemDir := t.TempDir()
	for i, root := range roots {
		p := filepath.Join(pemDir, fmt.Sprintf("root-%d.pem", i+1))
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw}), 0o600); err != nil {
			t.Fatal(err)
		}
		nick := fmt.Sprintf("root-%d %s", i+1, root.Subject.CommonName)
		pdfsigRun(t, certutil, "-A", "-n", nick, "-t", ",C,", "-i", p, "-d", "sql:"+db.Dir)
	}
	return db
}

// PDFSigResult is what pdfsig reported about one file.
type PDFSigResult struct {
	// Signatures are the signature fields, in pdfsig's order. Empty when
	// pdfsig found no signature in the file.
	Signatures []PDFSigSignature
	// Output is pdfsig's standard output, for failure messages.
	Output string
}

// PDFSigSignature is pdfsig's report on one signature field. Text fields
// hold pdfsig's wording; empty means pdfsig printed no such line.
type PDFSigSignature struct {
	Number    int    // "Signature #N"
	FieldName string // "Signature Field Name"
	// Signed is false when pdfsig reports "The signature form field is not
	// signed."; the other fields are then empty.
	Signed                bool
	SignerCommonName      string // "Signer Certificate Common Name", from the certificate
	SignerDN              string // "Signer full Distinguished Name"
	SigningTime           string // "Signing Time", from the CMS signingTime attribute
	HashAlgorithm         string // "Signing Hash Algorithm", e.g. "SHA-256"
	SignatureType         string // "Signature Type", e.g. "adbe.pkcs7.detached"
	SignedRanges          [][2]int64
	TotalDocumentSigned   bool   // "Total document signed" (false: "Not total document signed")
	SignatureValidation   string // "Signature Validation", e.g. PDFSigSignatureValid
	CertificateValidation string // "Certificate Validation", e.g. PDFSigCertificateTrusted
	// Other holds lines this parser does not know, as printed.
	Other []string
}

// Check runs pdfsig on the file at pdfPath with this database and parses
// its report. It fails the test if pdfsig fails or prints something that is
// not a signature report.
//
// pdfsig 22.12 prints neither the /Name, /Reason nor /Location entries of
// the signature dictionary: SignerCommonName comes from the certificate.
// OCSP checking is left on (-no-ocsp makes pdfsig 22.12 report "Unknown
// issue with Certificate or corrupted data." for a trusted chain); test
// certificates without an OCSP address cause no network access.
func (db *NSSDB) Check(t testing.TB, pdfPath string) PDFSigResult {
	t.Helper()
	cmd := exec.Command(db.pdfsig, "-nssdir", "sql:"+db.Dir, pdfPath)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	out := stdout.String()
	if strings.Contains(out, pdfsigNoSignaturesMessage) {
		return PDFSigResult{Output: out}
	}
	if runErr != nil {
		t.Fatalf("pdfsig %s: %v\nstdout:\n%s\nstderr:\n%s", pdfPath, runErr, out, stderr.String())
	}
	res, err := ParsePDFSig(out)
	if err != nil {
		t.Fatalf("pdfsig %s: %v\nstdout:\n%s\nstderr:\n%s", pdfPath, err, out, stderr.String())
	}
	return res
}

// ParsePDFSig parses the standard output of pdfsig (poppler 22.12) run
// without -dump or signing options.
func ParsePDFSig(out string) (PDFSigResult, error) {
	res := PDFSigResult{Output: out}
	if strings.Contains(out, pdfsigNoSignaturesMessage) {
		return res, nil
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sawHeader := false
	var cur *PDFSigSignature
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "Digital Signature Info of: "):
			sawHeader = true
			continue
		case strings.HasPrefix(line, "Signature #"):
			num, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(line, "Signature #"), ":"))
			if err != nil {
				return res, fmt.Errorf("line %d: %q: bad signature number", n, line)
			}
			res.Signatures = append(res.Signatures, PDFSigSignature{Number: num, Signed: true})
			cur = &res.Signatures[len(res.Signatures)-1]
			continue
		}
		if cur == nil {
			return res, fmt.Errorf("line %d: %q before the first signature", n, line)
		}
		if strings.TrimSpace(line) == "The signature form field is not signed." {
			cur.Signed = false
			continue
		}
		item, ok := strings.CutPrefix(line, "  - ")
		if !ok {
			cur.Other = append(cur.Other, line)
			continue
		}
		key, val, _ := strings.Cut(item, ": ")
		switch key {
		case "Signature Field Name":
			cur.FieldName = val
		case "Signer Certificate Common Name":
			cur.SignerCommonName = val
		case "Signer full Distinguished Name":
			cur.SignerDN = val
		case "Signing Time":
			cur.SigningTime = val
		case "Signing Hash Algorithm":
			cur.HashAlgorithm = val
		case "Signature Type":
			cur.SignatureType = val
		case "Signed Ranges":
			ranges, err := parsePDFSigRanges(val)
			if err != nil {
				return res, fmt.Errorf("line %d: %w", n, err)
			}
			cur.SignedRanges = ranges
		case "Total document signed":
			cur.TotalDocumentSigned = true
		case "Not total document signed":
			cur.TotalDocumentSigned = false
		case "Signature Validation":
			cur.SignatureValidation = val
		case "Certificate Validation":
			cur.CertificateValidation = val
		default:
			cur.Other = append(cur.Other, line)
		}
	}
	if err := sc.Err(); err != nil {
		return res, err
	}
	if !sawHeader {
		return res, errors.New(`no "Digital Signature Info of:" line`)
	}
	return res, nil
}

// parsePDFSigRanges parses "[0 - 14301], [20067 - 20894]".
func parsePDFSigRanges(s string) ([][2]int64, error) {
	var ranges [][2]int64
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		inner, okOpen := strings.CutPrefix(part, "[")
		inner, okClose := strings.CutSuffix(inner, "]")
		a, b, okDash := strings.Cut(inner, " - ")
		if !okOpen || !okClose || !okDash {
			return nil, fmt.Errorf("signed range %q: want [A - B]", part)
		}
		from, err1 := strconv.ParseInt(a, 10, 64)
		to, err2 := strconv.ParseInt(b, 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("signed range %q: want [A - B]", part)
		}
		ranges = append(ranges, [2]int64{from, to})
	}
	return ranges, nil
}

// pdfsigLookTool returns the path of program, failing the test when it is
// missing and CI=true and skipping it otherwise.
func pdfsigLookTool(t testing.TB, program, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI but not installed (apt-get install %s)", program, debianPackage)
		}
		t.Skipf("%s not installed; install %s to run this test", program, debianPackage)
	}
	return p
}

// pdfsigRun runs a program and fails the test if it fails.
func pdfsigRun(t testing.TB, program string, args ...string) {
	t.Helper()
	out, err := exec.Command(program, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", program, strings.Join(args, " "), err, out)
	}
}
