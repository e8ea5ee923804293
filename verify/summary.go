package verify

import (
	"slices"
	"strings"
)

// Summary explains the report in a few plain sentences, in Vietnamese
// (lang "vi", and anything not English) or English (lang "en", "en-US", ...):
// the verdict, then one sentence per distinct reason, then the registry's
// answer.
func (r *Report) Summary(lang string) string {
	en := strings.HasPrefix(strings.ToLower(lang), "en")
	pick := func(vi, english string) string {
		if en {
			return english
		}
		return vi
	}
	var out []string
	addOnce := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}

	switch r.Indication {
	case TotalPassed:
		var names []string
		for _, s := range r.Signatures {
			if s.Kind == KindDocumentTimestamp {
				continue
			}
			n := s.Signer.CommonName
			if n == "" {
				n = s.Signer.Subject
			}
			if n != "" && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		who := strings.Join(names, ", ")
		addOnce(pick(
			"Tài liệu hợp lệ: được ký số bởi "+who+" bằng chứng thư số do tổ chức tin cậy cấp, nội dung không bị thay đổi sau khi ký.",
			"The document is valid: digitally signed by "+who+" with a certificate from a trusted authority, and not changed since signing."))
	case TotalFailed:
		addOnce(pick("Tài liệu không hợp lệ.", "The document is not valid."))
	default:
		addOnce(pick("Chưa xác nhận được tính hợp lệ của tài liệu.", "The document's validity could not be confirmed."))
	}

	for _, c := range r.Checks {
		switch {
		case c.Passed:
		case c.Name == "modifications" && c.SubIndication != UnsupportedFormat:
			addOnce(r.modificationText(en))
		default:
			addOnce(reasonText(c, en))
		}
	}
	for _, s := range r.Signatures {
		for _, c := range s.Checks {
			if !c.Passed {
				addOnce(reasonText(c, en))
			}
		}
	}
	return strings.Join(out, " ")
}

// modificationText explains a failed "modifications" check: content changed
// after a signature, or bytes merely appended.
func (r *Report) modificationText(en bool) string {
	for _, rev := range r.Revisions {
		for _, c := range rev.ChangedObjects {
			if !c.Allowed {
				// What names the object in English ("contents of page 1");
				// the JSON report lists every changed object.
				if en {
					return "The content was changed after signing (" + c.What + ")."
				}
				return "Nội dung đã bị thay đổi sau khi ký."
			}
		}
	}
	if en {
		return "Content was added to the document after it was signed."
	}
	return "Tài liệu đã bị thêm nội dung sau khi ký."
}

// reasonText explains one failed check in plain words.
func reasonText(c Check, en bool) string {
	t := func(vi, english string) string {
		if en {
			return english
		}
		return vi
	}
	if c.SubIndication == UnsupportedFormat {
		return t("Tệp dùng cấu trúc PDF (nén bảng tham chiếu, mã hóa hoặc quá phức tạp) mà hệ thống chưa kiểm tra được; hãy dùng đúng bản PDF đã được cấp.",
			"The file uses PDF features (compressed cross-references, encryption, or too complex a structure) this service cannot check; use the PDF exactly as it was issued.")
	}
	switch c.Name {
	case "pdf_structure":
		return t("Tệp không phải là PDF hợp lệ hoặc có cấu trúc không được hỗ trợ.",
			"The file is not a valid PDF or has an unsupported structure.")
	case "signature_fields", "signatures_consistent", "signature_order", "revisions":
		return t("Các chữ ký trong tệp không nhất quán với nhau, có dấu hiệu tệp đã bị chỉnh sửa.",
			"The signatures in the file are inconsistent, a sign that the file was tampered with.")
	case "has_signature":
		return t("Tệp không có chữ ký số nào.", "The file has no digital signature.")
	case "signature_dictionary", "sub_filter", "byte_range", "contents", "cms_structure", "signed_attributes":
		return t("Chữ ký số bị hỏng hoặc không đúng định dạng.", "A signature is damaged or malformed.")
	case "covers_whole_document":
		return t("Tài liệu đã bị thêm nội dung sau khi ký.", "Content was added to the document after it was signed.")
	case "message_digest":
		return t("Nội dung đã bị thay đổi sau khi ký.", "The content was changed after signing.")
	case "signing_time":
		return t("Thời điểm ký ghi trong chữ ký nằm ở tương lai.", "The signing time recorded in the signature is in the future.")
	case "signature_timestamp":
		return t("Dấu thời gian của chữ ký không hợp lệ.", "The signature's timestamp is not valid.")
	case "timestamp_token", "timestamp_signature", "tsa_certificate", "timestamp_chain", "message_imprint", "timestamp_time":
		return t("Dấu thời gian của tài liệu không hợp lệ.", "The document timestamp is not valid.")
	case "revocation":
		if c.SubIndication == Revoked {
			return t("Chứng thư số của người ký đã bị thu hồi trước thời điểm ký.",
				"The signer's certificate was revoked before the signature was made.")
		}
		return t("Chứng thư số của người ký đã bị thu hồi và không có dấu thời gian chứng minh chữ ký được tạo trước đó.",
			"The signer's certificate has been revoked, and no timestamp proves the signature was made before.")
	case "key_usage":
		return t("Chứng thư số của người ký không được phép dùng để ký tài liệu.",
			"The signer's certificate may not be used to sign documents.")
	case "signer_seed_value":
		return t("Một ô chữ ký được dành cho một người nhưng lại do người khác ký.",
			"A signature field prepared for one person was signed by someone else.")
	case "time_limit":
		return t("Việc kiểm tra mất quá nhiều thời gian và đã dừng lại; hãy thử lại sau.",
			"The check took too long and was stopped; try again later.")
	case "registry":
		switch c.SubIndication {
		case Revoked:
			return t("Tài liệu này đã bị cơ quan cấp thu hồi.", "The issuer has revoked this document.")
		case Superseded:
			return t("Tài liệu này đã được thay thế bằng một bản mới hơn.", "This document has been replaced by a newer one.")
		case NotRegistered:
			return t("Tài liệu không có trong sổ đăng ký văn bằng đã cấp: dù chữ ký còn nguyên vẹn, đây không phải văn bằng do cơ quan cấp đăng ký.",
				"The document is not in the registry of issued credentials: even with intact signatures, it is not a credential its issuer registered.")
		}
		return t("Chưa kiểm tra được sổ đăng ký; vui lòng thử lại sau.", "The registry could not be checked; please try again later.")
	}
	switch c.SubIndication {
	case SigCryptoFailure:
		return t("Chữ ký số không khớp với chứng thư số của người ký, có thể đã bị giả mạo.",
			"The signature does not match the signer's certificate; it may be forged.")
	case CryptoConstraintsFailure:
		return t("Chữ ký dùng thuật toán hoặc khóa không còn đủ an toàn hoặc không được hỗ trợ.",
			"The signature uses an algorithm or key that is not secure enough or not supported.")
	case NoSigningCertificateFound:
		return t("Không xác định được chứng thư số của người ký.", "The signer's certificate could not be identified.")
	case NoCertificateChainFound:
		return t("Chứng thư số của người ký không do tổ chức chứng thực tin cậy cấp.",
			"The signer's certificate was not issued by a trusted certification authority.")
	case OutOfBoundsNoPOE:
		return t("Chứng thư số của người ký đã hết hạn vào thời điểm ký.",
			"The signer's certificate had expired at the time of signing.")
	case NotYetValid:
		return t("Chứng thư số của người ký chưa có hiệu lực vào thời điểm ký.",
			"The signer's certificate was not yet valid at the time of signing.")
	case FormatFailure:
		return t("Chữ ký số bị hỏng hoặc không đúng định dạng.", "A signature is damaged or malformed.")
	}
	return t("Chuỗi chứng thư số của người ký không hợp lệ.", "The signer's certificate chain is not valid.")
}
