package verify

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"
)

// Revocation data carried by the document: the document security store,
// the CMS crls field, the adbe-revocationInfoArchival signed attribute.
// Nothing is fetched.

var (
	oidOCSPResponseInfo = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 16, 2} // id-ri-ocsp-response
	oidExtIDP           = asn1.ObjectIdentifier{2, 5, 29, 28}               // issuingDistributionPoint
	oidExtDeltaCRL      = asn1.ObjectIdentifier{2, 5, 29, 27}               // deltaCRLIndicator
	oidOCSPBasic        = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
)

// revItem is one CRL or OCSP response (DER) and where it was found.
type revItem struct {
	der    []byte
	source string
}

// revocationData is the revocation data available for one signature.
type revocationData struct {
	ocsps, crls []revItem
}

func (r revocationData) empty() bool { return len(r.ocsps) == 0 && len(r.crls) == 0 }

// with returns r followed by more.
func (r revocationData) with(more revocationData) revocationData {
	return revocationData{
		ocsps: append(append([]revItem(nil), r.ocsps...), more.ocsps...),
		crls:  append(append([]revItem(nil), r.crls...), more.crls...),
	}
}

// readDSS reads the /OCSPs and /CRLs of the document security store of the
// file's newest revision.
func readDSS(f *pdfFile) revocationData {
	var out revocationData
	if f == nil || len(f.sections) == 0 {
		return out
	}
	v := f.view(len(f.sections) - 1)
	dss := v.resolve(v.resolve(v.trailer().key("Root")).key("DSS"))
	for _, l := range []struct {
		key    string
		source string
		list   *[]revItem
	}{{"OCSPs", SourceDSSOCSP, &out.ocsps}, {"CRLs", SourceDSSCRL, &out.crls}} {
		for i, e := range v.resolve(dss.key(l.key)).a {
			if i >= maxRevocationValues {
				break
			}
			if der, err := decodeStream(v.resolve(e)); err == nil {
				*l.list = append(*l.list, revItem{der: der, source: l.source})
			}
		}
	}
	return out
}

// cmsRevocation reads the revocation data of a signature's CMS: the crls
// field and the adbe-revocationInfoArchival attribute. Values that do not
// parse are left out (they prove nothing either way).
func cmsRevocation(sd *signedData, attrs signedAttributes) revocationData {
	var out revocationData
	for _, der := range sd.crls {
		s := cryptobyte.String(der)
		var tag cbasn1.Tag
		var body cryptobyte.String
		if !s.ReadAnyASN1(&body, &tag) {
			continue
		}
		switch tag {
		case cbasn1.SEQUENCE:
			out.crls = append(out.crls, revItem{der: der, source: SourceCMSCRL})
		case cbasn1.Tag(1).Constructed().ContextSpecific():
			var format asn1.ObjectIdentifier
			var value cryptobyte.String
			if body.ReadASN1ObjectIdentifier(&format) && format.Equal(oidOCSPResponseInfo) && body.ReadAnyASN1Element(&value, nil) {
				out.ocsps = append(out.ocsps, revItem{der: value, source: SourceCMSOCSP})
			}
		}
	}
	if attrs.adbeRevocation != nil {
		// RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE
		// OF CRLs OPTIONAL, ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse
		// OPTIONAL, otherRevInfo [2] ... OPTIONAL }
		s := cryptobyte.String(attrs.adbeRevocation)
		var seq cryptobyte.String
		if s.ReadASN1(&seq, cbasn1.SEQUENCE) {
			for _, l := range []struct {
				tag    cbasn1.Tag
				source string
				list   *[]revItem
			}{{cbasn1.Tag(0).Constructed().ContextSpecific(), SourceAdbeCRL, &out.crls}, {cbasn1.Tag(1).Constructed().ContextSpecific(), SourceAdbeOCSP, &out.ocsps}} {
				var explicit, list cryptobyte.String
				var present bool
				if !seq.ReadOptionalASN1(&explicit, &present, l.tag) || !present || !explicit.ReadASN1(&list, cbasn1.SEQUENCE) {
					continue
				}
				for n := 0; !list.Empty() && n < maxRevocationValues; n++ {
					var der cryptobyte.String
					if !list.ReadAnyASN1Element(&der, nil) {
						break
					}
					*l.list = append(*l.list, revItem{der: der, source: l.source})
				}
			}
		}
	}
	return out
}

// revocationAllowance is how far before the validation time a CRL or OCSP
// response may have been produced and still tell the status at that time
// without a nextUpdate that reaches it.
const revocationAllowance = clockSkew

// covers reports whether status information produced at this, valid until
// next (zero: no promise), tells the status at t: it was produced at or
// after t, or t is within its validity.
func covers(this, next, t time.Time) bool {
	return !this.Before(t.Add(-revocationAllowance)) || !next.IsZero() && !t.After(next) && !this.After(t)
}

// certStatus finds the revocation status of cert, issued by issuer, at t.
// A revocation at or before t decides (the earliest found); otherwise any
// data showing the certificate not revoked at t.
func (v *validator) certStatus(cert, issuer *x509.Certificate, t time.Time, data revocationData) CertificateStatus {
	st := CertificateStatus{Certificate: nameString(cert.RawSubject, cert.Subject), Status: RevocationUnknown}
	var revoked, good *CertificateStatus
	note := func(s CertificateStatus) {
		switch s.Status {
		case RevocationRevoked:
			if revoked == nil || s.RevokedAt.Before(revoked.RevokedAt) {
				revoked = &s
			}
		case RevocationGood:
			if good == nil || s.ThisUpdate.After(good.ThisUpdate) {
				good = &s
			}
		}
	}
	for _, it := range data.ocsps {
		resp, err := ocsp.ParseResponseForCert(it.der, cert, issuer)
		if err != nil || !ocspNamesIssuer(it.der, cert, issuer) || resp.ThisUpdate.After(v.now.Add(clockSkew)) {
			continue
		}
		if r := resp.Certificate; r != nil && !r.Equal(issuer) {
			// A delegated responder: issued by the issuer (checked by
			// ParseResponseForCert) for OCSP signing, valid when it
			// signed.
			if !hasEKU(r, x509.ExtKeyUsageOCSPSigning) || resp.ProducedAt.Before(r.NotBefore) || resp.ProducedAt.After(r.NotAfter) {
				continue
			}
		}
		s := CertificateStatus{Certificate: st.Certificate, Source: it.source, ThisUpdate: resp.ThisUpdate.UTC()}
		switch {
		case resp.Status == ocsp.Revoked && !resp.RevokedAt.After(t):
			s.Status, s.RevokedAt = RevocationRevoked, resp.RevokedAt.UTC()
		case resp.Status == ocsp.Revoked:
			s.Status = RevocationGood // revoked only after t
		case resp.Status == ocsp.Good && covers(resp.ThisUpdate, resp.NextUpdate, t):
			s.Status = RevocationGood
		}
		note(s)
	}
	for _, it := range data.crls {
		rl, err := x509.ParseRevocationList(it.der)
		if err != nil || !bytes.Equal(rl.RawIssuer, cert.RawIssuer) || rl.CheckSignatureFrom(issuer) != nil ||
			rl.ThisUpdate.After(v.now.Add(clockSkew)) {
			continue
		}
		partial := false
		for _, e := range rl.Extensions {
			if e.Id.Equal(oidExtIDP) || e.Id.Equal(oidExtDeltaCRL) {
				partial = true
			}
		}
		if partial {
			continue
		}
		s := CertificateStatus{Certificate: st.Certificate, Source: it.source, ThisUpdate: rl.ThisUpdate.UTC()}
		listed := false
		for _, e := range rl.RevokedCertificateEntries {
			if e.SerialNumber == nil || e.SerialNumber.Cmp(cert.SerialNumber) != 0 {
				continue
			}
			listed = true
			if !e.RevocationTime.After(t) {
				s.Status, s.RevokedAt = RevocationRevoked, e.RevocationTime.UTC()
			} else {
				s.Status = RevocationGood
			}
		}
		if !listed && covers(rl.ThisUpdate, rl.NextUpdate, t) {
			s.Status = RevocationGood
		}
		note(s)
	}
	switch {
	case revoked != nil:
		return *revoked
	case good != nil:
		return *good
	}
	return st
}

func hasEKU(c *x509.Certificate, u x509.ExtKeyUsage) bool {
	for _, e := range c.ExtKeyUsage {
		if e == u {
			return true
		}
	}
	return false
}

// checkRevocation finds the revocation status of each certificate of the
// validated chain below its anchor at t. poe says whether t is proven (a
// signature timestamp): a revocation at or before a proven t is
// TOTAL_FAILED/REVOKED, before an unproven one INDETERMINATE/REVOKED_NO_POE.
func (v *validator) checkRevocation(chain []*x509.Certificate, t time.Time, poe bool, data revocationData) ([]CertificateStatus, bool, Check) {
	const name = "revocation"
	var out []CertificateStatus
	for i := 0; i+1 < len(chain); i++ {
		out = append(out, v.certStatus(chain[i], chain[i+1], t, data))
	}
	for _, s := range out {
		if s.Status != RevocationRevoked {
			continue
		}
		detail := fmt.Sprintf("certificate %q was revoked at %s (%s), before %s", s.Certificate, stamp(s.RevokedAt), sourceText(s.Source), stamp(t))
		if poe {
			return out, true, failed(name, TotalFailed, Revoked, detail+", when the signature timestamp proves the signature existed")
		}
		return out, true, failed(name, Indeterminate, RevokedNoPOE, detail+"; nothing proves the signature was made before")
	}
	if len(out) == 0 || out[0].Status != RevocationGood {
		return out, false, passed(name, fmt.Sprintf("not checked: the document holds no revocation data about the signer certificate that covers %s", stamp(t)))
	}
	var parts []string
	for _, s := range out {
		if s.Status == RevocationGood {
			parts = append(parts, fmt.Sprintf("%q (%s)", s.Certificate, sourceText(s.Source)))
		}
	}
	return out, true, passed(name, fmt.Sprintf("not revoked at %s: %s", stamp(t), strings.Join(parts, ", ")))
}

func sourceText(src string) string {
	switch src {
	case SourceDSSOCSP:
		return "OCSP response in the document security store"
	case SourceDSSCRL:
		return "CRL in the document security store"
	case SourceCMSOCSP:
		return "OCSP response in the signature"
	case SourceCMSCRL:
		return "CRL in the signature"
	case SourceAdbeOCSP:
		return "OCSP response in the signature's revocation attribute"
	case SourceAdbeCRL:
		return "CRL in the signature's revocation attribute"
	case SourceOnlineOCSP:
		return "OCSP response fetched online"
	case SourceOnlineCRL:
		return "CRL fetched online"
	}
	return src
}

// ocspNamesIssuer reports whether the SingleResponse of an OCSP response
// for cert's serial number names issuer in its CertID (issuer name and key
// hashes), which golang.org/x/crypto/ocsp does not compare.
func ocspNamesIssuer(der []byte, cert, issuer *x509.Certificate) bool {
	s := cryptobyte.String(der)
	var resp, rb, rbSeq, basic, tbs, responses cryptobyte.String
	var status int
	var rtype asn1.ObjectIdentifier
	var octets cryptobyte.String
	if !s.ReadASN1(&resp, cbasn1.SEQUENCE) || !resp.ReadASN1Enum(&status) ||
		!resp.ReadASN1(&rb, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!rb.ReadASN1(&rbSeq, cbasn1.SEQUENCE) || !rbSeq.ReadASN1ObjectIdentifier(&rtype) || !rtype.Equal(oidOCSPBasic) ||
		!rbSeq.ReadASN1(&octets, cbasn1.OCTET_STRING) {
		return false
	}
	b := cryptobyte.String(octets)
	if !b.ReadASN1(&basic, cbasn1.SEQUENCE) || !basic.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return false
	}
	var skip cryptobyte.String
	var present bool
	if !tbs.ReadOptionalASN1(&skip, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return false
	}
	var tag cbasn1.Tag
	if !tbs.ReadAnyASN1(&skip, &tag) || !tbs.ReadASN1(&skip, cbasn1.GeneralizedTime) || !tbs.ReadASN1(&responses, cbasn1.SEQUENCE) {
		return false
	}
	keyBits, ok := publicKeyBits(issuer)
	if !ok {
		return false
	}
	for !responses.Empty() {
		var single, certID cryptobyte.String
		if !responses.ReadASN1(&single, cbasn1.SEQUENCE) || !single.ReadASN1(&certID, cbasn1.SEQUENCE) {
			return false
		}
		alg, ok := readAlgorithm(&certID)
		var nameHash, keyHash cryptobyte.String
		serial := new(big.Int)
		if !ok || !certID.ReadASN1(&nameHash, cbasn1.OCTET_STRING) || !certID.ReadASN1(&keyHash, cbasn1.OCTET_STRING) || !certID.ReadASN1Integer(serial) {
			return false
		}
		if serial.Cmp(cert.SerialNumber) != 0 {
			continue
		}
		var h crypto.Hash
		if alg.oid.Equal(oidSHA1) {
			h = crypto.SHA1
		} else if d, err := digestAlgorithm(alg); err == nil {
			h = d.hash
		} else {
			return false
		}
		n, k := h.New(), h.New()
		n.Write(cert.RawIssuer)
		k.Write(keyBits)
		return bytes.Equal(n.Sum(nil), nameHash) && bytes.Equal(k.Sum(nil), keyHash)
	}
	return false
}

// publicKeyBits returns the subjectPublicKey bits of c's key (what an OCSP
// CertID's issuerKeyHash hashes).
func publicKeyBits(c *x509.Certificate) ([]byte, bool) {
	s := cryptobyte.String(c.RawSubjectPublicKeyInfo)
	var spki, alg cryptobyte.String
	var bits asn1.BitString
	if !s.ReadASN1(&spki, cbasn1.SEQUENCE) || !spki.ReadASN1(&alg, cbasn1.SEQUENCE) || !spki.ReadASN1BitString(&bits) {
		return nil, false
	}
	return bits.Bytes, true
}
