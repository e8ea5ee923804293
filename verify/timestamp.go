package verify

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// RFC 3161 time-stamp tokens: signature timestamps (PAdES B-T) and document
// timestamps (PAdES B-LTA), parsed and checked here with the package's own
// CMS reader.

// oidEKUTimeStamping is id-kp-timeStamping (RFC 5280 §4.2.1.12).
var (
	oidEKUTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	oidExtKeyUsage     = asn1.ObjectIdentifier{2, 5, 29, 37}
)

// tstInfo is the part of a TSTInfo (RFC 3161 §2.4.2) the verifier uses.
type tstInfo struct {
	policy  asn1.ObjectIdentifier
	imprint algorithmIdentifier
	hashed  []byte
	serial  *big.Int
	genTime time.Time
}

var errTSTInfo = errors.New("malformed TSTInfo")

// parseTSTInfo parses a DER TSTInfo.
func parseTSTInfo(der []byte) (*tstInfo, error) {
	bad := func(what string) (*tstInfo, error) {
		return nil, fmt.Errorf("%w: %s", errTSTInfo, what)
	}
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return bad("not a DER SEQUENCE")
	}
	var version int
	if !seq.ReadASN1Integer(&version) || version != 1 {
		return bad("version is not 1")
	}
	t := &tstInfo{serial: new(big.Int)}
	if !seq.ReadASN1ObjectIdentifier(&t.policy) {
		return bad("policy")
	}
	var mi cryptobyte.String
	var ok bool
	if !seq.ReadASN1(&mi, cbasn1.SEQUENCE) {
		return bad("messageImprint")
	}
	if t.imprint, ok = readAlgorithm(&mi); !ok {
		return bad("messageImprint hash algorithm")
	}
	var hashed cryptobyte.String
	if !mi.ReadASN1(&hashed, cbasn1.OCTET_STRING) || !mi.Empty() {
		return bad("messageImprint hashedMessage")
	}
	t.hashed = hashed
	if !seq.ReadASN1Integer(t.serial) {
		return bad("serialNumber")
	}
	var gt cryptobyte.String
	if !seq.ReadASN1(&gt, cbasn1.GeneralizedTime) {
		return bad("genTime")
	}
	var err error
	if t.genTime, err = parseGenTime(string(gt)); err != nil {
		return nil, err
	}
	// accuracy, ordering, nonce, tsa, extensions: read to check the
	// encoding, not used.
	var skip cryptobyte.String
	var present bool
	for _, tag := range []cbasn1.Tag{cbasn1.SEQUENCE, cbasn1.BOOLEAN, cbasn1.INTEGER,
		cbasn1.Tag(0).Constructed().ContextSpecific(), cbasn1.Tag(1).Constructed().ContextSpecific()} {
		if !seq.ReadOptionalASN1(&skip, &present, tag) {
			return bad("optional fields")
		}
	}
	if !seq.Empty() {
		return bad("data after the last field")
	}
	return t, nil
}

// parseGenTime reads a DER GeneralizedTime (RFC 3161 §2.4.2):
// YYYYMMDDhhmmss, an optional fraction without trailing zeros, then Z.
func parseGenTime(s string) (time.Time, error) {
	bad := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("%w: genTime %q", errTSTInfo, s)
	}
	if len(s) < 15 || s[len(s)-1] != 'Z' {
		return bad()
	}
	body := s[:len(s)-1]
	frac := ""
	if i := len("20060102150405"); len(body) > i {
		if body[i] != '.' || len(body) == i+1 || body[len(body)-1] == '0' || len(body) > i+10 {
			return bad()
		}
		frac, body = body[i+1:], body[:i]
	}
	if len(body) != 14 {
		return bad()
	}
	for _, c := range body + frac {
		if c < '0' || c > '9' {
			return bad()
		}
	}
	t, err := time.Parse("20060102150405", body)
	if err != nil {
		return bad()
	}
	if frac != "" {
		n, err := strconv.Atoi(frac)
		if err != nil {
			return bad()
		}
		for i := len(frac); i < 9; i++ {
			n *= 10
		}
		t = t.Add(time.Duration(n))
	}
	return t, nil
}

// tokenCheck is the outcome of checking one RFC 3161 token.
type tokenCheck struct {
	info   *tstInfo
	tsa    *x509.Certificate
	chain  Chain
	checks []Check
	// digest and scheme of the token's own signature, for the report.
	digestName, schemeName string
}

// passed reports whether every check passed.
func (t *tokenCheck) passed() bool {
	for _, c := range t.checks {
		if !c.Passed {
			return false
		}
	}
	return len(t.checks) > 0
}

// report describes the token for SignatureReport.Timestamp.
func (t *tokenCheck) report() *Timestamp {
	ts := &Timestamp{Chain: t.chain}
	if t.info != nil {
		ts.GenTime = t.info.genTime.UTC()
		ts.Policy = t.info.policy.String()
		ts.Serial = t.info.serial.Text(16)
	}
	if t.tsa != nil {
		ts.Authority = describe(t.tsa)
	}
	return ts
}

// checkToken validates an RFC 3161 TimeStampToken: a CMS SignedData over a
// TSTInfo, signed by a time-stamping authority whose certificate (named by
// the SignerInfo and by its ESS signing-certificate attribute) carries the
// critical timeStamping extended key usage and chains to roots at the
// token's genTime; and a message imprint equal to digest(h) for the
// imprint's hash algorithm h. The checks are named after what they cover:
// timestamp_token, timestamp_signature, tsa_certificate, timestamp_chain,
// message_imprint, timestamp_time.
func (v *validator) checkToken(token []byte, digest func(crypto.Hash) []byte) *tokenCheck {
	t := &tokenCheck{chain: Chain{Status: ChainNotChecked, Certificates: []string{}}}
	add := func(c Check) bool {
		t.checks = append(t.checks, c)
		return c.Passed
	}
	format := func(name, detail string) *tokenCheck {
		add(failed(name, TotalFailed, FormatFailure, detail))
		return t
	}

	sd, err := parseCMS(token)
	if err != nil {
		return format("timestamp_token", err.Error())
	}
	switch {
	case !sd.eContentType.Equal(oidTSTInfo) || !sd.eContent:
		return format("timestamp_token", "the token does not encapsulate a TSTInfo")
	case len(sd.signers) != 1:
		return format("timestamp_token", fmt.Sprintf("%d SignerInfos, want exactly 1", len(sd.signers)))
	}
	info, err := parseTSTInfo(sd.content)
	if err != nil {
		return format("timestamp_token", err.Error())
	}
	t.info = info
	si := &sd.signers[0]
	if si.signedAttrs == nil {
		return format("timestamp_token", "the token's SignerInfo has no signed attributes")
	}
	attrs, err := readSignedAttributesFor(si.attrs, oidTSTInfo)
	if err != nil {
		return format("timestamp_token", err.Error())
	}
	dig, err := digestAlgorithm(si.digest)
	switch {
	case errors.Is(err, errUnsupportedAlgorithm):
		add(failed("timestamp_token", Indeterminate, CryptoConstraintsFailure, err.Error()))
		return t
	case err != nil:
		return format("timestamp_token", err.Error())
	case dig.weak:
		add(failed("timestamp_token", Indeterminate, CryptoConstraintsFailure, "the token is signed over "+dig.name))
		return t
	}
	t.digestName = dig.name
	h := dig.hash.New()
	h.Write(sd.content)
	if !bytes.Equal(h.Sum(nil), attrs.messageDigest) {
		add(failed("timestamp_token", TotalFailed, HashFailure, "the token's TSTInfo does not match its signed digest"))
		return t
	}
	add(passed("timestamp_token", fmt.Sprintf("TSTInfo serial %s, genTime %s, policy %s", info.serial.Text(16), stamp(info.genTime), info.policy)))

	// The authority's signature.
	leaf, _, problem := findSigner(sd.certificates, si, attrs)
	if leaf == nil {
		add(failed("timestamp_signature", Indeterminate, NoSigningCertificateFound, "the time-stamping authority's certificate: "+problem))
		return t
	}
	t.tsa = leaf
	if attrs.essV1 == nil && attrs.essV2 == nil {
		add(failed("timestamp_signature", Indeterminate, NoSigningCertificateFound, "the token has no ESS signing-certificate attribute (RFC 3161 §2.4.1)"))
		return t
	}
	if c := checkSigningCertificateAttr(attrs, leaf, ""); !c.Passed {
		c.Name = "timestamp_signature"
		add(c)
		return t
	}
	scheme, err := signatureScheme(si.sigAlg, dig.hash)
	switch {
	case errors.Is(err, errUnsupportedAlgorithm):
		add(failed("timestamp_signature", Indeterminate, CryptoConstraintsFailure, err.Error()))
		return t
	case err != nil:
		return format("timestamp_signature", err.Error())
	}
	t.schemeName = scheme.name
	if err := scheme.verify(leaf.PublicKey, si.signedAttrsForSignature(), si.signature); err != nil {
		add(failed("timestamp_signature", TotalFailed, SigCryptoFailure, "the token's signature does not verify with the authority's key: "+err.Error()))
		return t
	}
	if err := keyStrength(leaf.PublicKey); err != nil {
		add(failed("timestamp_signature", Indeterminate, CryptoConstraintsFailure, "the authority's key: "+err.Error()))
		return t
	}
	add(passed("timestamp_signature", fmt.Sprintf("%s signature by %q verifies", scheme.name, leaf.Subject.CommonName)))

	add(checkTSACertificate(leaf))
	_, chain, c := v.checkChainWith(leaf, sd.certificates, info.genTime, v.tsRoots, x509.ExtKeyUsageTimeStamping, "timestamp_chain")
	t.chain = chain
	add(c)

	// What the token is about.
	idig, err := digestAlgorithm(info.imprint)
	switch {
	case errors.Is(err, errUnsupportedAlgorithm):
		add(failed("message_imprint", Indeterminate, CryptoConstraintsFailure, err.Error()))
	case err != nil:
		add(failed("message_imprint", TotalFailed, FormatFailure, err.Error()))
	case idig.weak:
		add(failed("message_imprint", Indeterminate, CryptoConstraintsFailure, "the message imprint uses "+idig.name))
	case !bytes.Equal(digest(idig.hash), info.hashed):
		add(failed("message_imprint", TotalFailed, HashFailure, "the token's message imprint does not match what it time-stamps"))
	default:
		add(passed("message_imprint", "the "+idig.name+" message imprint matches"))
	}
	if info.genTime.After(v.now.Add(clockSkew)) {
		add(failed("timestamp_time", Indeterminate, SigConstraintsFailure,
			fmt.Sprintf("genTime %s is after the validation time %s", stamp(info.genTime), stamp(v.now))))
	} else {
		add(passed("timestamp_time", "genTime "+stamp(info.genTime)))
	}
	return t
}

// checkTSACertificate requires what RFC 3161 §2.3 requires of a
// time-stamping authority's certificate: an extended key usage extension,
// marked critical, with id-kp-timeStamping as its only purpose.
func checkTSACertificate(c *x509.Certificate) Check {
	const name = "tsa_certificate"
	critical := false
	for _, e := range c.Extensions {
		if e.Id.Equal(oidExtKeyUsage) {
			critical = e.Critical
		}
	}
	onlyTS := len(c.ExtKeyUsage) == 1 && c.ExtKeyUsage[0] == x509.ExtKeyUsageTimeStamping && len(c.UnknownExtKeyUsage) == 0
	switch {
	case !onlyTS:
		return failed(name, Indeterminate, ChainConstraintsFailure, "the authority's certificate does not have timeStamping as its only extended key usage")
	case !critical:
		return failed(name, Indeterminate, ChainConstraintsFailure, "the authority's extended key usage extension is not critical")
	}
	return passed(name, "the authority's certificate is for time-stamping only (critical extended key usage)")
}

// signatureTimestamps returns the tokens of the id-aa-signatureTimeStampToken
// unsigned attributes of si.
func signatureTimestamps(si *signerInfo) [][]byte {
	var out [][]byte
	for _, a := range si.unsigned {
		if a.oid.Equal(oidAttrTimeStampToken) {
			out = append(out, a.values...)
		}
	}
	return out
}

// maxSignatureTimestamps bounds the tokens checked for one signature.
const maxSignatureTimestamps = 4

// checkSignatureTimestamps validates the signature timestamps of si and
// folds them into one check, "signature_timestamp". ok reports that there
// is at least one and every one is valid; then at is the earliest genTime.
func (v *validator) checkSignatureTimestamps(si *signerInfo) (c Check, ts *Timestamp, at time.Time, ok, present bool) {
	const name = "signature_timestamp"
	tokens := signatureTimestamps(si)
	if len(tokens) == 0 {
		return Check{}, nil, time.Time{}, false, false
	}
	if len(tokens) > maxSignatureTimestamps {
		return failed(name, TotalFailed, FormatFailure, fmt.Sprintf("%d signature timestamps, at most %d are read", len(tokens), maxSignatureTimestamps)), nil, time.Time{}, false, true
	}
	for _, tok := range tokens {
		res := v.checkToken(tok, func(h crypto.Hash) []byte {
			d := h.New()
			d.Write(si.signature)
			return d.Sum(nil)
		})
		if !res.passed() {
			ind, sub := verdict(res.checks)
			var detail string
			for _, c := range res.checks {
				if !c.Passed && c.Indication == ind {
					detail = c.Name + ": " + c.Detail
					break
				}
			}
			return failed(name, ind, sub, detail), res.report(), time.Time{}, false, true
		}
		if ts == nil || res.info.genTime.Before(at) {
			ts, at = res.report(), res.info.genTime
		}
	}
	return passed(name, fmt.Sprintf("RFC 3161 timestamp by %q proves the signature existed at %s", ts.Authority.CommonName, stamp(at))), ts, at, true, true
}
