package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/internal/reqid"

	"github.com/kyso-vn/kyso/registry"
)

// Request errors the handlers return; renderError maps them.
var (
	errMalformedID      = errors.New("malformed credential ID")
	errNoRoute          = errors.New("no such page")
	errMissingFile      = errors.New("no PDF in the request")
	errTooLarge         = errors.New("upload too large")
	errNotPDF           = errors.New("upload is not a PDF")
	errBadUpload        = errors.New("upload could not be read")
	errUnsupportedMedia = errors.New("unsupported content type")
	errBusy             = errors.New("all verification slots are busy")
	errRateLimited      = errors.New("too many requests from this client")
)

// publicError is what a client may see of an error: a status, a stable code
// and a message in each language.
type publicError struct {
	Status  int
	Code    string
	Message map[string]string
}

// classify maps an error to its public form. Unknown errors are 500s whose
// cause is logged, never shown.
func classify(err error, maxUploadMB int64) publicError {
	switch {
	case errors.Is(err, errMalformedID):
		return publicError{http.StatusBadRequest, "malformed_id", msgs(
			"Mã xác thực không đúng định dạng. Mã gồm 21 ký tự, ví dụ 7KQ2M9P-X4R8T1B-HC0WZ3D; hãy kiểm tra lại từng ký tự.",
			"The credential ID is malformed. It has 21 characters, e.g. 7KQ2M9P-X4R8T1B-HC0WZ3D; check each character.")}
	case errors.Is(err, registry.ErrNotFound):
		return publicError{http.StatusNotFound, "not_found", msgs(
			"Không tìm thấy văn bằng nào có mã xác thực này trong sổ đăng ký.",
			"No credential with this ID is in the registry.")}
	case errors.Is(err, errNoRoute):
		return publicError{http.StatusNotFound, "no_route", msgs("Không có trang này.", "There is no such page.")}
	case errors.Is(err, errMissingFile):
		return publicError{http.StatusBadRequest, "missing_file", msgs(
			"Hãy chọn một tệp PDF để kiểm tra (trường \"file\").",
			"Choose a PDF file to check (field \"file\").")}
	case errors.Is(err, errTooLarge):
		return publicError{http.StatusRequestEntityTooLarge, "too_large", msgs(
			"Tệp quá lớn: giới hạn là "+itoa(maxUploadMB)+" MB.",
			"The file is too large: the limit is "+itoa(maxUploadMB)+" MB.")}
	case errors.Is(err, errNotPDF):
		return publicError{http.StatusUnsupportedMediaType, "not_pdf", msgs(
			"Tệp tải lên không phải là PDF.", "The uploaded file is not a PDF.")}
	case errors.Is(err, errUnsupportedMedia):
		return publicError{http.StatusUnsupportedMediaType, "unsupported_media_type", msgs(
			"Hãy gửi tệp dưới dạng multipart/form-data (trường \"file\") hoặc application/pdf.",
			"Send the file as multipart/form-data (field \"file\") or as application/pdf.")}
	case errors.Is(err, errBusy):
		return publicError{http.StatusServiceUnavailable, "busy", msgs(
			"Hệ thống đang bận kiểm tra các tệp khác. Vui lòng thử lại sau ít phút.",
			"The service is busy verifying other files. Please try again in a few minutes.")}
	case errors.Is(err, errRateLimited):
		return publicError{http.StatusTooManyRequests, "rate_limited", msgs(
			"Bạn đã gửi quá nhiều yêu cầu. Vui lòng chờ một lát rồi thử lại.",
			"Too many requests. Please wait a moment and try again.")}
	case errors.Is(err, errBadUpload):
		return publicError{http.StatusBadRequest, "bad_upload", msgs(
			"Không đọc được tệp tải lên.", "The upload could not be read.")}
	default:
		return publicError{http.StatusInternalServerError, "internal", msgs(
			"Hệ thống đang gặp sự cố. Vui lòng thử lại sau.",
			"Something went wrong on our side. Please try again later.")}
	}
}

func msgs(vi, en string) map[string]string { return map[string]string{"vi": vi, "en": en} }

// renderError is the one place where errors become responses: JSON for the
// API, a page for everything else.
func (s *Server) renderError(c *gin.Context, err error) {
	pe := classify(err, s.cfg.MaxUpload>>20)
	if pe.Status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "30")
	}
	if pe.Status >= 500 && pe.Status != http.StatusServiceUnavailable {
		s.cfg.Logger.Error("request failed", "path", c.FullPath(), "request_id", reqid.From(c.Request.Context()), "err", err)
	}
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		c.AbortWithStatusJSON(pe.Status, gin.H{"error": gin.H{"code": pe.Code, "message": pe.Message["en"], "message_vi": pe.Message["vi"]}})
		return
	}
	lang := langOf(c)
	c.Abort()
	s.html(c, pe.Status, "error.html", pageData{Lang: lang, Status: pe.Status, Message: pe.Message[lang]})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
