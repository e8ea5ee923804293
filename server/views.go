package server

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/verify"
)

var templateFuncs = template.FuncMap{
	"t": func(lang, vi, en string) string {
		if lang == "en" {
			return en
		}
		return vi
	},
}

// langOf picks the page language: ?lang=en or ?lang=vi, Vietnamese by default.
func langOf(c *gin.Context) string {
	if c.Query("lang") == "en" {
		return "en"
	}
	return "vi"
}

type pageData struct {
	Lang        string
	Status      int
	Message     string
	MaxUploadMB int64
}

// credentialPublic is the JSON view of a credential: the least that proves a
// record genuine (DOMAIN.md: public verification shows the minimum). A
// revocation's free-text reason is not shown: it may name people.
type credentialPublic struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Status      string `json:"status"`
	HolderName  string `json:"holder_name"`
	DateOfBirth string `json:"date_of_birth"`
	Year        int    `json:"year"`
	School      string `json:"school"`
	Serial      string `json:"serial"`
	VerifyURL   string `json:"verify_url"`
	// SupersededBy and Supersedes link a corrected credential and the one
	// it replaces.
	SupersededBy string `json:"superseded_by,omitempty"`
	Supersedes   string `json:"supersedes,omitempty"`
}

func publicCredential(c *registry.Credential, baseURL string) credentialPublic {
	p := credentialPublic{
		ID:          c.ID.String(),
		Kind:        c.Kind,
		Status:      string(c.Status),
		HolderName:  c.Public.HolderName,
		DateOfBirth: c.Public.DateOfBirth,
		Year:        c.Public.Year,
		School:      c.Public.School,
		Serial:      c.Public.Serial,
		VerifyURL:   strings.TrimRight(baseURL, "/") + "/v/" + c.ID.String(),
	}
	if !c.SupersededBy.IsZero() {
		p.SupersededBy = c.SupersededBy.String()
	}
	if !c.Supersedes.IsZero() {
		p.Supersedes = c.Supersedes.String()
	}
	return p
}

var kindNames = map[string][2]string{
	"diploma":    {"Bằng tốt nghiệp trung học phổ thông", "Upper secondary school diploma"},
	"transcript": {"Học bạ", "School record (học bạ)"},
	"gradebook":  {"Sổ điểm", "Gradebook (sổ điểm)"},
}

func kindName(kind, lang string) string {
	n, ok := kindNames[kind]
	if !ok {
		return kind
	}
	if lang == "en" {
		return n[1]
	}
	return n[0]
}

// noun is how the status sentences name a credential of kind.
func noun(kind string) string {
	switch kind {
	case "diploma":
		return "Văn bằng"
	case "gradebook":
		return "Sổ điểm"
	case "transcript", "hocba":
		return "Học bạ"
	}
	return "Tài liệu"
}

type statusView struct {
	Class   string // ok, bad, warn: the colour of the banner
	Title   string
	Explain string
}

func credentialStatus(c *registry.Credential, lang string) statusView {
	en := lang == "en"
	switch c.Status {
	case registry.StatusValid:
		if en {
			return statusView{"ok", "Valid", "This credential was issued and is recorded as valid in the registry."}
		}
		return statusView{"ok", "Còn hiệu lực", noun(c.Kind) + " này đã được cấp và đang có hiệu lực theo sổ đăng ký."}
	case registry.StatusRevoked:
		if en {
			return statusView{"bad", "Revoked", "This credential has been revoked by its issuer and is no longer valid."}
		}
		return statusView{"bad", "Đã bị thu hồi", noun(c.Kind) + " này đã bị cơ quan cấp thu hồi và không còn giá trị."}
	case registry.StatusSuperseded:
		if en {
			return statusView{"warn", "Superseded", "This credential has been replaced by a corrected version."}
		}
		return statusView{"warn", "Đã được thay thế", noun(c.Kind) + " này đã được thay thế bằng một bản đính chính."}
	default:
		return statusView{"warn", string(c.Status), ""}
	}
}

type credentialPage struct {
	Lang       string
	ID         string
	Status     statusView
	Kind       string
	HolderName string
	Birth      string
	Year       int
	School     string
	Serial     string
	// Gradebook: the credential is a gradebook, which names a class,
	// subject and term instead of a person, and a school year.
	Gradebook bool
	// SchoolYear is "2024-2025" for a gradebook of the year starting in
	// Year.
	SchoolYear string
	// SupersededBy is the ID of the corrected credential replacing this
	// one; Supersedes the one this replaces.
	SupersededBy, Supersedes string
}

func credentialView(c *registry.Credential, lang string) credentialPage {
	p := credentialPage{
		Gradebook:  c.Kind == "gradebook",
		SchoolYear: strconv.Itoa(c.Public.Year) + "-" + strconv.Itoa(c.Public.Year+1),
		Lang:       lang,
		ID:         c.ID.String(),
		Status:     credentialStatus(c, lang),
		Kind:       kindName(c.Kind, lang),
		HolderName: c.Public.HolderName,
		Birth:      c.Public.DateOfBirth,
		Year:       c.Public.Year,
		School:     c.Public.School,
		Serial:     c.Public.Serial,
	}
	if !c.SupersededBy.IsZero() {
		p.SupersededBy = c.SupersededBy.String()
	}
	if !c.Supersedes.IsZero() {
		p.Supersedes = c.Supersedes.String()
	}
	return p
}

// vietnam is UTC+7 (Vietnam has no daylight saving time).
var vietnam = time.FixedZone("ICT", 7*3600)

type signatureRow struct {
	Signer      string
	SigningTime string
	// Proven: the time comes from an RFC 3161 timestamp, not the signer's
	// claim.
	Proven     bool
	Indication string
	Passed     bool
	Whole      bool
	Chain      string
}

type reportPage struct {
	Lang       string
	Class      string
	Title      string
	Summary    string
	Signatures []signatureRow
	Credential *credentialPage
	SHA256     string
}

func reportView(r *verify.Report, lang string) reportPage {
	p := reportPage{Lang: lang, Summary: r.Summary(lang), SHA256: r.Document.SHA256}
	en := lang == "en"
	switch r.Indication {
	case verify.TotalPassed:
		p.Class, p.Title = "ok", "Tài liệu hợp lệ"
		if en {
			p.Title = "The document is valid"
		}
	case verify.TotalFailed:
		p.Class, p.Title = "bad", "Tài liệu KHÔNG hợp lệ"
		if en {
			p.Title = "The document is NOT valid"
		}
	default:
		p.Class, p.Title = "warn", "Chưa xác định được"
		if en {
			p.Title = "Could not be confirmed"
		}
	}
	for _, s := range r.Signatures {
		row := signatureRow{
			Signer:     s.Signer.CommonName,
			Proven:     s.SigningTimeSource == verify.SigningTimeSignatureTimestamp || s.SigningTimeSource == verify.SigningTimeDocumentTimestamp,
			Indication: string(s.Indication),
			Passed:     s.Indication == verify.TotalPassed,
			Whole:      s.CoversWholeDocument,
			Chain:      s.Chain.Status,
		}
		if s.Kind == verify.KindDocumentTimestamp {
			// A document timestamp proves when the whole file existed; it
			// is no one's signature.
			label := "Dấu thời gian tài liệu"
			if en {
				label = "Document timestamp"
			}
			row.Signer = label + " – " + s.Signer.CommonName
		}
		if !s.SigningTime.IsZero() {
			row.SigningTime = s.SigningTime.In(vietnam).Format("02/01/2006 15:04")
		}
		p.Signatures = append(p.Signatures, row)
	}
	if r.Credential != nil {
		c := &credentialPage{Lang: lang, ID: r.Credential.ID}
		c.Status = credentialStatus(&registry.Credential{Status: registry.Status(r.Credential.Status)}, lang)
		p.Credential = c
	}
	return p
}
