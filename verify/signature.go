package verify

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Supported /SubFilter values (ISO 32000-1 §12.8.3.3, ETSI EN 319 142-1).
const (
	subFilterPKCS7   = "adbe.pkcs7.detached"
	subFilterCAdES   = "ETSI.CAdES.detached"
	subFilterRFC3161 = "ETSI.RFC3161" // document timestamps
)

// signature validates one signature or document timestamp.
func (v *validator) signature(f sigField) SignatureReport {
	rep := SignatureReport{
		Field:     f.name,
		Kind:      f.kind,
		SubFilter: f.subFilter,
		ByteRange: f.byteRange,
		Chain:     Chain{Status: ChainNotChecked, Certificates: []string{}},
		Checks:    []Check{},
	}
	if rep.Kind == "" {
		rep.Kind = KindSignature
	}
	if rep.ByteRange == nil {
		rep.ByteRange = []int64{}
	}
	v.signatureChecks(&rep, f)
	rep.Indication, rep.SubIndication = verdict(rep.Checks)
	return rep
}

// signatureChecks runs the rules in order. A rule whose failure makes the
// later ones meaningless ends the list; others let it go on, so the report
// says as much as can be said.
func (v *validator) signatureChecks(rep *SignatureReport, f sigField) {
	add := func(c Check) bool {
		rep.Checks = append(rep.Checks, c)
		return c.Passed
	}
	formatFailure := func(name, detail string) {
		add(failed(name, TotalFailed, FormatFailure, detail))
	}

	if f.problem != "" {
		formatFailure("signature_dictionary", f.problem)
		return
	}
	switch {
	case f.kind == KindDocumentTimestamp && f.subFilter == subFilterRFC3161,
		f.kind != KindDocumentTimestamp && (f.subFilter == subFilterPKCS7 || f.subFilter == subFilterCAdES):
		add(passed("sub_filter", f.subFilter))
	default:
		formatFailure("sub_filter", "unsupported /SubFilter "+quote(f.subFilter))
		return
	}

	br, problem := checkByteRange(v.data, f.byteRange)
	if problem != "" {
		formatFailure("byte_range", problem)
		return
	}
	add(passed("byte_range", fmt.Sprintf("signs bytes [0, %d) and [%d, %d); the gap holds only the signature", br.gapStart, br.gapEnd, br.end)))
	if problem := checkGapContents(v.data, br, f.contents); problem != "" {
		formatFailure("contents", problem)
		return
	}
	add(passed("contents", fmt.Sprintf("%d bytes of signature data", len(f.contents))))
	rep.CoversWholeDocument = br.end == len(v.data)

	if f.kind == KindDocumentTimestamp {
		v.documentTimestamp(rep, f, br)
		return
	}

	sd, err := parseCMS(f.contents)
	if err != nil {
		formatFailure("cms_structure", err.Error())
		return
	}
	switch {
	case len(sd.signers) != 1:
		formatFailure("cms_structure", fmt.Sprintf("%d SignerInfos, want exactly 1", len(sd.signers)))
		return
	case !sd.eContentType.Equal(oidData):
		formatFailure("cms_structure", fmt.Sprintf("encapsulated content type %s, want id-data", sd.eContentType))
		return
	case sd.eContent:
		formatFailure("cms_structure", "the CMS carries its content; a PDF signature must be detached")
		return
	}
	si := &sd.signers[0]
	add(passed("cms_structure", fmt.Sprintf("detached SignedData with one SignerInfo and %d certificate(s)", len(sd.certificates))))

	dig, err := digestAlgorithm(si.digest)
	switch {
	case errors.Is(err, errUnsupportedAlgorithm):
		add(failed("digest_algorithm", Indeterminate, CryptoConstraintsFailure, err.Error()))
		return
	case err != nil:
		formatFailure("digest_algorithm", err.Error())
		return
	}
	rep.DigestAlgorithm = dig.name
	if dig.weak {
		add(failed("digest_algorithm", Indeterminate, CryptoConstraintsFailure, dig.name+" is not allowed; SHA-256, SHA-384 or SHA-512 is required"))
	} else {
		add(passed("digest_algorithm", dig.name))
	}

	if si.signedAttrs == nil {
		formatFailure("signed_attributes", "the SignerInfo has no signed attributes")
		return
	}
	attrs, err := readSignedAttributes(si.attrs)
	if err != nil {
		formatFailure("signed_attributes", err.Error())
		return
	}
	add(passed("signed_attributes", "contentType is id-data; messageDigest is present"))

	h := dig.hash.New()
	h.Write(v.data[:br.gapStart])
	h.Write(v.data[br.gapEnd:br.end])
	if bytes.Equal(h.Sum(nil), attrs.messageDigest) {
		add(passed("message_digest", "the signed bytes match the digest in the signature"))
	} else {
		add(failed("message_digest", TotalFailed, HashFailure, "the signed bytes do not match the digest in the signature"))
	}

	leaf, how, problem := findSigner(sd.certificates, si, attrs)
	if leaf == nil {
		add(failed("signer_certificate", Indeterminate, NoSigningCertificateFound, problem))
		return
	}
	rep.Signer = describe(leaf)
	add(passed("signer_certificate", how))

	scheme, err := signatureScheme(si.sigAlg, dig.hash)
	switch {
	case errors.Is(err, errUnsupportedAlgorithm):
		add(failed("signature_value", Indeterminate, CryptoConstraintsFailure, err.Error()))
	case err != nil:
		formatFailure("signature_value", err.Error())
	default:
		rep.SignatureAlgorithm = scheme.name
		if err := scheme.verify(leaf.PublicKey, si.signedAttrsForSignature(), si.signature); err != nil {
			add(failed("signature_value", TotalFailed, SigCryptoFailure,
				"the signature value does not verify with the signer certificate's key: "+err.Error()))
		} else {
			add(passed("signature_value", scheme.name+" signature verifies with the signer certificate's key"))
		}
	}
	if err := keyStrength(leaf.PublicKey); err != nil {
		add(failed("key_strength", Indeterminate, CryptoConstraintsFailure, err.Error()))
	} else {
		add(passed("key_strength", keyDescription(leaf.PublicKey)))
	}
	add(checkSigningCertificateAttr(attrs, leaf, f.subFilter))

	// The time the chain is validated at: a valid signature timestamp
	// proves it; otherwise the claimed signingTime, or the validation
	// time.
	tsCheck, ts, tsTime, tsOK, tsPresent := v.checkSignatureTimestamps(si)
	if tsPresent {
		add(tsCheck)
		rep.Timestamp = ts
	}
	at, source := v.now, SigningTimeValidation
	switch {
	case tsOK:
		at, source = tsTime, SigningTimeSignatureTimestamp
		if attrs.hasTime && attrs.signingTime.After(tsTime.Add(clockSkew)) {
			add(failed("signing_time", Indeterminate, SigConstraintsFailure,
				fmt.Sprintf("the claimed signing time %s is after the signature timestamp %s", stamp(attrs.signingTime), stamp(tsTime))))
		} else {
			add(passed("signing_time", "signing time "+stamp(at)+", proven by the signature timestamp"))
		}
	case !attrs.hasTime:
		add(passed("signing_time", "no signingTime attribute; the chain is validated at the validation time"))
	case attrs.signingTime.After(v.now.Add(clockSkew)):
		at, source = attrs.signingTime, SigningTimeClaimed
		add(failed("signing_time", Indeterminate, SigConstraintsFailure,
			fmt.Sprintf("the claimed signing time %s is after the validation time %s", stamp(at), stamp(v.now))))
	default:
		at, source = attrs.signingTime, SigningTimeClaimed
		add(passed("signing_time", "claimed signing time "+stamp(at)+", not proven by a timestamp"))
	}
	rep.SigningTime, rep.SigningTimeSource = at.UTC(), source

	verified, chain, c := v.checkChainWith(leaf, sd.certificates, at, v.roots, x509.ExtKeyUsageAny, "certificate_chain")
	rep.Chain = chain
	add(c)
	if verified != nil {
		// Revocation is judged at a proven time (the signature timestamp)
		// or, without one, at the validation time: a claimed time proves
		// nothing.
		revAt := v.now
		if tsOK {
			revAt = tsTime
		}
		data := v.dss.with(cmsRevocation(sd, attrs))
		var fetchErr error
		if v.fetch != nil {
			var online revocationData
			online, fetchErr = v.fetchRevocation(verified, revAt, data)
			data = data.with(online)
		}
		if !data.empty() || fetchErr != nil {
			statuses, checked, rc := v.checkRevocation(verified, revAt, tsOK, data)
			if rc.Passed && !checked && fetchErr != nil {
				rc = failed("revocation", Indeterminate, TryLater, "the revocation status could not be fetched: "+fetchErr.Error())
			}
			rep.Chain.Revocation, rep.Chain.RevocationChecked = statuses, checked
			add(rc)
		}
	}
	add(checkKeyUsage(leaf))
	if len(f.seed) > 0 {
		add(checkSeedValue(f.seed, leaf))
	}
}

// Subject attributes a seed value's SubjectDN may name.
var seedAttributes = map[string]asn1.ObjectIdentifier{
	"CN": {2, 5, 4, 3}, "serialNumber": {2, 5, 4, 5}, "C": {2, 5, 4, 6}, "L": {2, 5, 4, 7},
	"ST": {2, 5, 4, 8}, "O": {2, 5, 4, 10}, "OU": {2, 5, 4, 11}, "T": {2, 5, 4, 12}, "title": {2, 5, 4, 12},
}

// checkSeedValue requires the signer to be the person the field was placed
// for: kyso places each signer's field with the signer's name as a required
// certificate seed value, so that a certificate of anyone else under a
// trusted root cannot fill it. Names are compared after NFC normalisation,
// space folding and case folding; an attribute kyso does not know fails.
func checkSeedValue(seed []map[string]string, leaf *x509.Certificate) Check {
	const name = "signer_seed_value"
	fold := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(norm.NFC.String(s)), " ")) }
	for _, dn := range seed {
		ok := true
		for key, want := range dn {
			oid, known := seedAttributes[key]
			found := false
			if known {
				for _, a := range leaf.Subject.Names {
					if v, isStr := a.Value.(string); isStr && a.Type.Equal(oid) && fold(v) == fold(want) {
						found = true
						break
					}
				}
			}
			if !found {
				ok = false
				break
			}
		}
		if ok {
			return passed(name, "the signer is the person the signature field was prepared for")
		}
	}
	want := ""
	if cn, ok := seed[0]["CN"]; ok {
		want = cn
	}
	return failed(name, Indeterminate, SigConstraintsFailure,
		fmt.Sprintf("the signature field was prepared for %s, but %s signed it", quote(want), quote(leaf.Subject.CommonName)))
}

// documentTimestamp validates the token of a document timestamp (ETSI EN
// 319 142-1 §5.4.3): its message imprint is the digest of the signed byte
// ranges.
func (v *validator) documentTimestamp(rep *SignatureReport, f sigField, br byteRange) {
	res := v.checkToken(f.contents, func(h crypto.Hash) []byte {
		d := h.New()
		d.Write(v.data[:br.gapStart])
		d.Write(v.data[br.gapEnd:br.end])
		return d.Sum(nil)
	})
	rep.Checks = append(rep.Checks, res.checks...)
	rep.Chain = res.chain
	rep.SignatureAlgorithm = res.schemeName
	if res.tsa != nil {
		rep.Signer = describe(res.tsa)
	}
	if res.info != nil {
		rep.SigningTime, rep.SigningTimeSource = res.info.genTime.UTC(), SigningTimeDocumentTimestamp
		if d, err := digestAlgorithm(res.info.imprint); err == nil {
			rep.DigestAlgorithm = d.name
		}
	}
}

func stamp(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// findSigner finds the signer certificate named by the SignerInfo's sid
// among the CMS certificates: by issuer and serial number, or by subject
// key identifier. When several different certificates match, the
// signing-certificate attribute picks one; if it cannot, none is chosen.
func findSigner(certs []*x509.Certificate, si *signerInfo, attrs signedAttributes) (*x509.Certificate, string, string) {
	how := "identified by issuer and serial number"
	if si.subjectKeyID != nil {
		how = "identified by subject key identifier"
	}
	var cands []*x509.Certificate
	for _, c := range certs {
		if si.subjectKeyID != nil {
			if !bytes.Equal(c.SubjectKeyId, si.subjectKeyID) {
				continue
			}
		} else if !bytes.Equal(c.RawIssuer, si.issuer) || c.SerialNumber.Cmp(si.serial) != 0 {
			continue
		}
		if !slices.ContainsFunc(cands, c.Equal) {
			cands = append(cands, c)
		}
	}
	if len(cands) > 1 && (attrs.essV2 != nil || attrs.essV1 != nil) {
		var picked []*x509.Certificate
		for _, c := range cands {
			if essNames(attrs, c) {
				picked = append(picked, c)
			}
		}
		cands = picked
		how += " and the signing-certificate attribute"
	}
	switch len(cands) {
	case 0:
		return nil, "", "no certificate in the signature matches the signer identifier"
	case 1:
		return cands[0], how, ""
	}
	return nil, "", fmt.Sprintf("%d different certificates match the signer identifier", len(cands))
}

// essNames reports whether every signing-certificate attribute present
// names c.
func essNames(attrs signedAttributes, c *x509.Certificate) bool {
	if attrs.essV2 != nil {
		if ok, err := essCertMatches(attrs.essV2, true, c); err != nil || !ok {
			return false
		}
	}
	if attrs.essV1 != nil {
		if ok, err := essCertMatches(attrs.essV1, false, c); err != nil || !ok {
			return false
		}
	}
	return true
}

// checkSigningCertificateAttr checks the ESS signing-certificate(-v2)
// attribute against the signer certificate. It is optional for
// adbe.pkcs7.detached and required for ETSI.CAdES.detached.
func checkSigningCertificateAttr(attrs signedAttributes, leaf *x509.Certificate, subFilter string) Check {
	const name = "signing_certificate_attribute"
	if attrs.essV2 == nil && attrs.essV1 == nil {
		if subFilter == subFilterCAdES {
			return failed(name, TotalFailed, FormatFailure, "ETSI.CAdES.detached requires a signing-certificate-v2 attribute")
		}
		return passed(name, "absent (optional for adbe.pkcs7.detached)")
	}
	for _, a := range []struct {
		value []byte
		v2    bool
	}{{attrs.essV2, true}, {attrs.essV1, false}} {
		if a.value == nil {
			continue
		}
		ok, err := essCertMatches(a.value, a.v2, leaf)
		switch {
		case errors.Is(err, errUnsupportedAlgorithm):
			return failed(name, Indeterminate, CryptoConstraintsFailure, err.Error())
		case err != nil:
			return failed(name, TotalFailed, FormatFailure, err.Error())
		case !ok:
			return failed(name, Indeterminate, NoSigningCertificateFound,
				"the signing-certificate attribute names another certificate than the signer certificate")
		}
	}
	return passed(name, "the signing-certificate attribute names the signer certificate")
}

// checkChainWith validates leaf's path to roots at time at, for extended
// key usage eku, with the CMS certificates as intermediates only, and
// returns the verified chain (nil when there is none), its description and
// the check, named name.
func (v *validator) checkChainWith(leaf *x509.Certificate, certs []*x509.Certificate, at time.Time, roots *x509.CertPool, eku x509.ExtKeyUsage, name string) ([]*x509.Certificate, Chain, Check) {
	if chain := v.fastChain(leaf, at, roots, eku); chain != nil {
		ch := Chain{Status: ChainTrusted, Certificates: subjects(chain)}
		root := chain[len(chain)-1]
		return chain, ch, passed(name, fmt.Sprintf("chains to the trusted root %q, valid at %s", root.Subject.CommonName, stamp(at)))
	}
	inter := x509.NewCertPool()
	for _, c := range certs {
		if !c.Equal(leaf) {
			inter.AddCert(c)
		}
	}
	opts := x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{eku},
	}
	chains, err := leaf.Verify(opts)
	if err == nil {
		v.remember(chains[0], roots, eku)
		ch := Chain{Status: ChainTrusted, Certificates: subjects(chains[0])}
		root := chains[0][len(chains[0])-1]
		return chains[0], ch, passed(name, fmt.Sprintf("chains to the trusted root %q, valid at %s", root.Subject.CommonName, stamp(at)))
	}
	ch := Chain{Certificates: []string{nameString(leaf.RawSubject, leaf.Subject)}, Error: err.Error()}

	// Would the chain hold at another time? Then only time is wrong.
	if leaf.NotAfter.After(leaf.NotBefore) {
		opts.CurrentTime = leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)
		alt, err2 := leaf.Verify(opts)
		if err2 == nil {
			ch.Status, ch.Certificates = ChainInvalid, subjects(alt[0])
			sub, detail := outsideValidity(alt[0], at)
			if sub == "" {
				sub, detail = CertificateChainGeneralFailure, err.Error()
			}
			return nil, ch, failed(name, Indeterminate, sub, detail)
		}
		err = err2
	}
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var critical x509.UnhandledCriticalExtension
	switch {
	case errors.As(err, &unknown):
		ch.Status = ChainUntrusted
		return nil, ch, failed(name, Indeterminate, NoCertificateChainFound, "no chain to a trusted root: "+err.Error())
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		ch.Status = ChainInvalid
		sub, detail := outsideValidity([]*x509.Certificate{leaf}, at)
		if sub == "" {
			sub, detail = OutOfBoundsNoPOE, "a certificate of the chain is outside its validity period: "+err.Error()
		}
		return nil, ch, failed(name, Indeterminate, sub, detail)
	case errors.As(err, &invalid), errors.As(err, &critical):
		ch.Status = ChainInvalid
		return nil, ch, failed(name, Indeterminate, ChainConstraintsFailure, err.Error())
	}
	ch.Status = ChainInvalid
	return nil, ch, failed(name, Indeterminate, CertificateChainGeneralFailure, err.Error())
}

// verifiedSuffix is the part of a verified chain above its leaf: an issuing
// CA up to a trusted root, verified by x509.Verify with these roots and
// extended key usage.
type verifiedSuffix struct {
	chain []*x509.Certificate // chain[0] issued the leaf; the last is a root
	roots *x509.CertPool
	eku   x509.ExtKeyUsage
}

// remember keeps the upper part of a chain x509.Verify accepted, when
// reusing it is sound: at least an issuing CA under a root, and no name
// constraints anywhere above the leaf (the fast path checks the issuing CA
// as an anchor, which would not apply a root's constraints to the next
// leaf).
func (v *validator) remember(chain []*x509.Certificate, roots *x509.CertPool, eku x509.ExtKeyUsage) {
	if len(chain) < 3 || len(v.verified) >= 8 {
		return
	}
	for _, c := range chain[1:] {
		if c.PermittedDNSDomainsCritical || len(c.PermittedDNSDomains) > 0 || len(c.ExcludedDNSDomains) > 0 ||
			len(c.PermittedIPRanges) > 0 || len(c.ExcludedIPRanges) > 0 || len(c.PermittedEmailAddresses) > 0 ||
			len(c.ExcludedEmailAddresses) > 0 || len(c.PermittedURIDomains) > 0 || len(c.ExcludedURIDomains) > 0 {
			return
		}
	}
	for _, s := range v.verified {
		if s.chain[0].Equal(chain[1]) && s.roots == roots && s.eku == eku {
			return
		}
	}
	v.verified = append(v.verified, verifiedSuffix{chain: slices.Clone(chain[1:]), roots: roots, eku: eku})
}

// fastChain verifies leaf against an issuing CA whose own chain to a
// trusted root was already verified for this document: x509.Verify with
// the issuing CA as the only anchor (so the leaf's signature, validity, key
// usage and the CA's constraints are checked), then the validity of the
// rest of the remembered chain at at. The signatures above the issuing CA
// do not depend on the leaf or the time and are not checked again. It
// returns nil when no remembered chain applies; the caller then runs the
// full verification.
func (v *validator) fastChain(leaf *x509.Certificate, at time.Time, roots *x509.CertPool, eku x509.ExtKeyUsage) []*x509.Certificate {
	for _, s := range v.verified {
		if s.roots != roots || s.eku != eku || !bytes.Equal(leaf.RawIssuer, s.chain[0].RawSubject) {
			continue
		}
		anchor := x509.NewCertPool()
		anchor.AddCert(s.chain[0])
		chains, err := leaf.Verify(x509.VerifyOptions{Roots: anchor, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{eku}})
		if err != nil || len(chains[0]) != 2 {
			continue
		}
		ok := true
		for _, c := range s.chain[1:] {
			if at.Before(c.NotBefore) || at.After(c.NotAfter) {
				ok = false
				break
			}
		}
		if ok {
			return append([]*x509.Certificate{leaf}, s.chain...)
		}
	}
	return nil
}

// outsideValidity names the first certificate of chain that is not valid at
// t, and how.
func outsideValidity(chain []*x509.Certificate, t time.Time) (SubIndication, string) {
	for _, c := range chain {
		switch {
		case t.After(c.NotAfter):
			return OutOfBoundsNoPOE, fmt.Sprintf("certificate %q expired at %s, before the signing time %s", c.Subject.CommonName, stamp(c.NotAfter), stamp(t))
		case t.Before(c.NotBefore):
			return NotYetValid, fmt.Sprintf("certificate %q is valid only from %s, after the signing time %s", c.Subject.CommonName, stamp(c.NotBefore), stamp(t))
		}
	}
	return "", ""
}

// Extended key usages that allow signing documents, besides
// x509.ExtKeyUsageAny and x509.ExtKeyUsageEmailProtection.
var (
	oidEKUDocumentSigning    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}       // RFC 9336
	oidEKUAdobeAuthenticDocs = asn1.ObjectIdentifier{1, 2, 840, 113583, 1, 1, 5}       // Adobe authentic documents trust
	oidEKUMSDocumentSigning  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 3, 12} // Microsoft document signing
)

// checkKeyUsage requires the signer certificate's key usage to allow
// digitalSignature or nonRepudiation (contentCommitment), and its extended
// key usage, when it has one, to allow signing documents: a TLS server or
// code-signing certificate under a trusted root is not a document signer.
func checkKeyUsage(leaf *x509.Certificate) Check {
	const name = "key_usage"
	if leaf.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return failed(name, Indeterminate, ChainConstraintsFailure, "the signer certificate's key usage allows neither digitalSignature nor nonRepudiation")
	}
	if len(leaf.ExtKeyUsage) == 0 && len(leaf.UnknownExtKeyUsage) == 0 {
		return passed(name, "the signer certificate's key usage allows signing")
	}
	for _, u := range leaf.ExtKeyUsage {
		if u == x509.ExtKeyUsageAny || u == x509.ExtKeyUsageEmailProtection {
			return passed(name, "the signer certificate's key usage and extended key usage allow signing")
		}
	}
	for _, u := range leaf.UnknownExtKeyUsage {
		if u.Equal(oidEKUDocumentSigning) || u.Equal(oidEKUAdobeAuthenticDocs) || u.Equal(oidEKUMSDocumentSigning) {
			return passed(name, "the signer certificate's key usage and extended key usage allow signing")
		}
	}
	return failed(name, Indeterminate, ChainConstraintsFailure, "the signer certificate's extended key usage does not include document signing, e-mail protection or any purpose")
}

func subjects(chain []*x509.Certificate) []string {
	out := make([]string, len(chain))
	for i, c := range chain {
		out[i] = nameString(c.RawSubject, c.Subject)
	}
	return out
}

var oidTitle = asn1.ObjectIdentifier{2, 5, 4, 12}

// attributeNames are the short names nameString uses (RFC 4514, RFC 4519).
var attributeNames = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.5":                    "SERIALNUMBER",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "STREET",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "T",
	"0.9.2342.19200300.100.1.1":  "UID",
	"0.9.2342.19200300.100.1.25": "DC",
	"1.2.840.113549.1.9.1":       "E",
}

// nameString writes a distinguished name the RFC 4514 way, most specific
// attribute first, with short names for the usual attributes (including
// title, common in Vietnamese signer certificates). It falls back to
// pkix.Name.String when raw does not parse.
func nameString(raw []byte, name pkix.Name) string {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &rdns); err != nil || len(rest) != 0 {
		return name.String()
	}
	var parts []string
	for i := len(rdns) - 1; i >= 0; i-- {
		var set []string
		for _, atv := range rdns[i] {
			key, ok := attributeNames[atv.Type.String()]
			value, isString := atv.Value.(string)
			if !ok || !isString {
				return name.String()
			}
			set = append(set, key+"="+escapeDN(value))
		}
		parts = append(parts, strings.Join(set, "+"))
	}
	return strings.Join(parts, ",")
}

// escapeDN escapes an attribute value (RFC 4514 §2.4).
func escapeDN(v string) string {
	var b strings.Builder
	for i, r := range v {
		switch {
		case strings.ContainsRune(",+\"<>;\\", r),
			i == 0 && (r == ' ' || r == '#'),
			i == len(v)-1 && r == ' ':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// describe summarises a signer certificate for the report.
func describe(c *x509.Certificate) Signer {
	s := Signer{
		Subject:    nameString(c.RawSubject, c.Subject),
		CommonName: c.Subject.CommonName,
		Serial:     c.SerialNumber.Text(16),
		Issuer:     nameString(c.RawIssuer, c.Issuer),
		NotBefore:  c.NotBefore.UTC(),
		NotAfter:   c.NotAfter.UTC(),
	}
	if len(c.Subject.Organization) > 0 {
		s.Organization = c.Subject.Organization[0]
	}
	for _, n := range c.Subject.Names {
		if t, ok := n.Value.(string); ok && n.Type.Equal(oidTitle) {
			s.Title = t
		}
	}
	return s
}

func keyDescription(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d bits", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	}
	return fmt.Sprintf("%T", pub)
}
