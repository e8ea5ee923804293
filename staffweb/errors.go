package staffweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/workflow"
)

// Errors of the handlers themselves; classify maps them.
var (
	errNoRoute       = errors.New("no such page")
	errRateLimited   = errors.New("too many login attempts from this client")
	errLoginCSRF     = errors.New("login form token missing or wrong")
	errNoSelection   = errors.New("no document chosen")
	errNoPIN         = errors.New("no PIN typed")
	errNoFile        = errors.New("no file in the form")
	errNoReason      = errors.New("no reason given for the correction")
	errBadKind       = errors.New("unknown document kind")
	errNoName        = errors.New("no file name for the import")
	errNoToken       = errors.New("no bearer token")
	errScope         = errors.New("the API token lacks the scope")
	errUnsupported   = errors.New("unsupported content type")
	errTooLargeBatch = errors.New("too many documents in one batch")
	errTooLarge      = errors.New("request body too large")
	// The account and token pages.
	errPasswordMismatch = errors.New("the two passwords differ")
	errSelfDisable      = errors.New("an administrator cannot disable their own account")
	errBadLifetime      = errors.New("token lifetime out of range")
)

// fieldError is a refusal of a form that names the field at fault (a
// form field's name: "username", "certificates"). Code, when set,
// replaces the code classify gives Err; Detail is the workflow's own
// words about the value (never a secret), shown under the message.
type fieldError struct {
	Field, Code, Detail string
	Err                 error
}

func (e *fieldError) Error() string { return "field " + e.Field + ": " + e.Err.Error() }
func (e *fieldError) Unwrap() error { return e.Err }

// tooLargeError is errTooLarge with the limit that was passed.
type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("%v: limit %d bytes", errTooLarge, e.limit)
}
func (e *tooLargeError) Is(target error) bool { return target == errTooLarge }

// publicError is what a person or a client may see of an error: a status,
// a stable code, and a message in each language (messages "err.CODE" in
// i18n.go, formatted with args).
type publicError struct {
	Status int
	Code   string
	// Field is the form field at fault, or "".
	Field string
	args  []any
	// label, when set, is a message key whose words in the page's
	// language are the message's first argument (a field's name).
	label string
}

// Message is the error's message in lang.
func (p publicError) Message(lang string) string {
	args := p.args
	if p.label != "" {
		args = append([]any{tr(lang, p.label)}, args...)
	}
	return tr(lang, "err."+p.Code, args...)
}

// classify maps an error to its public form. This is the one place where
// errors become statuses; an unknown error is a 500 whose cause is logged,
// never shown.
func classify(err error) publicError {
	var locked *workflow.LockedError
	var tooLarge *tooLargeError
	var field *fieldError
	switch {
	case err == nil:
		return publicError{Status: http.StatusOK, Code: "none"}
	case errors.As(err, &field):
		pe := classify(field.Err)
		pe.Field = field.Field
		if field.Code != "" {
			pe.Code = field.Code
		}
		if pe.Code == "invalid_field" {
			pe.label = "field." + field.Field
		}
		return pe
	// HSM: the batch was refused before anything was signed.
	case errors.Is(err, hsm.ErrWrongPIN):
		return publicError{Status: http.StatusBadRequest, Code: "wrong_pin"}
	case errors.Is(err, hsm.ErrPINLocked):
		return publicError{Status: http.StatusForbidden, Code: "pin_locked"}
	case errors.Is(err, hsm.ErrTokenInUse):
		return publicError{Status: http.StatusConflict, Code: "token_in_use"}
	case errors.Is(err, hsm.ErrTokenNotFound), errors.Is(err, hsm.ErrNoModule), errors.Is(err, hsm.ErrTokenRemoved),
		errors.Is(err, workflow.ErrFileKeysOff):
		return publicError{Status: http.StatusServiceUnavailable, Code: "hsm_unavailable"}
	case errors.Is(err, hsm.ErrEmptyPIN):
		return publicError{Status: http.StatusBadRequest, Code: "no_pin"}
	// Sessions and logins.
	case errors.As(err, &locked):
		return publicError{Status: http.StatusLocked, Code: "locked_out", args: []any{clock(locked.Until)}}
	case errors.Is(err, workflow.ErrLockedOut):
		return publicError{Status: http.StatusLocked, Code: "locked_out", args: []any{"--:--"}}
	case errors.Is(err, workflow.ErrBadCredentials):
		return publicError{Status: http.StatusUnauthorized, Code: "bad_credentials"}
	case errors.Is(err, workflow.ErrSessionExpired):
		return publicError{Status: http.StatusUnauthorized, Code: "session_expired"}
	case errors.Is(err, workflow.ErrBadCSRF):
		return publicError{Status: http.StatusForbidden, Code: "bad_csrf"}
	case errors.Is(err, errLoginCSRF):
		return publicError{Status: http.StatusForbidden, Code: "login_csrf"}
	case errors.Is(err, errRateLimited):
		return publicError{Status: http.StatusTooManyRequests, Code: "rate_limited"}
	case errors.Is(err, errNoToken), errors.Is(err, workflow.ErrTokenRevoked):
		return publicError{Status: http.StatusUnauthorized, Code: "bad_token"}
	case errors.Is(err, errScope):
		return publicError{Status: http.StatusForbidden, Code: "insufficient_scope"}
	// Forms.
	case errors.As(err, &tooLarge):
		return publicError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", args: []any{size(tooLarge.limit)}}
	case errors.Is(err, errTooLarge):
		return publicError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", args: []any{"?"}}
	case errors.Is(err, errBadForm):
		return publicError{Status: http.StatusBadRequest, Code: "bad_form"}
	case errors.Is(err, errUnsupported):
		return publicError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type"}
	case errors.Is(err, errNoSelection):
		return publicError{Status: http.StatusBadRequest, Code: "no_selection"}
	case errors.Is(err, errTooLargeBatch):
		return publicError{Status: http.StatusBadRequest, Code: "batch_too_large"}
	case errors.Is(err, errNoPIN):
		return publicError{Status: http.StatusBadRequest, Code: "no_pin"}
	case errors.Is(err, errNoFile):
		return publicError{Status: http.StatusBadRequest, Code: "no_file"}
	case errors.Is(err, errNoReason):
		return publicError{Status: http.StatusBadRequest, Code: "no_reason"}
	case errors.Is(err, errBadKind):
		return publicError{Status: http.StatusBadRequest, Code: "bad_kind"}
	case errors.Is(err, errNoName):
		return publicError{Status: http.StatusBadRequest, Code: "no_name"}
	case errors.Is(err, errNoRoute):
		return publicError{Status: http.StatusNotFound, Code: "no_route"}
	case errors.Is(err, errPasswordMismatch):
		return publicError{Status: http.StatusBadRequest, Code: "password_mismatch"}
	case errors.Is(err, errSelfDisable):
		return publicError{Status: http.StatusForbidden, Code: "disable_self"}
	case errors.Is(err, errBadLifetime):
		return publicError{Status: http.StatusBadRequest, Code: "bad_lifetime", args: []any{maxTokenDays}}
	// The workflow.
	case errors.Is(err, workflow.ErrBatchLimit):
		return publicError{Status: http.StatusRequestEntityTooLarge, Code: "batch_limit"}
	case errors.Is(err, workflow.ErrStopped):
		return publicError{Status: http.StatusServiceUnavailable, Code: "stopped"}
	case errors.Is(err, workflow.ErrWrongKeyKind):
		return publicError{Status: http.StatusBadRequest, Code: "wrong_key_kind"}
	case errors.Is(err, workflow.ErrNotYourTurn):
		return publicError{Status: http.StatusConflict, Code: "not_your_turn"}
	case errors.Is(err, workflow.ErrAlreadySigned):
		return publicError{Status: http.StatusConflict, Code: "already_signed"}
	case errors.Is(err, workflow.ErrUploadMismatch):
		return publicError{Status: http.StatusUnprocessableEntity, Code: "upload_mismatch"}
	case errors.Is(err, workflow.ErrConflict):
		return publicError{Status: http.StatusConflict, Code: "conflict"}
	case errors.Is(err, workflow.ErrImportRefused):
		return publicError{Status: http.StatusUnprocessableEntity, Code: "import_refused"}
	case errors.Is(err, workflow.ErrExists):
		return publicError{Status: http.StatusConflict, Code: "exists"}
	case errors.Is(err, workflow.ErrForbidden):
		return publicError{Status: http.StatusForbidden, Code: "forbidden"}
	case errors.Is(err, workflow.ErrNotFound):
		return publicError{Status: http.StatusNotFound, Code: "not_found"}
	case errors.Is(err, workflow.ErrNotSigned):
		return publicError{Status: http.StatusConflict, Code: "not_signed"}
	case errors.Is(err, workflow.ErrInvalid):
		return publicError{Status: http.StatusBadRequest, Code: "invalid"}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return publicError{Status: http.StatusServiceUnavailable, Code: "stopped"}
	}
	return publicError{Status: http.StatusInternalServerError, Code: "internal"}
}

// errorView is an error as a page shows it.
type errorView struct {
	Status  int
	Code    string
	Message string
	// Field is the form field at fault, or "".
	Field string
	// Details lists the workflow's own words about a data file (import
	// and correction errors); empty for everything else.
	Details []string
}

// errorView classifies err for the request's language, and logs it: the
// cause of a server-side failure, only the code of a refusal.
func (h *Handler) errorView(c *gin.Context, err error) *errorView {
	pe := classify(err)
	switch {
	case pe.Status >= 500:
		h.log(c).Error("staff request failed", "path", c.FullPath(), "code", pe.Code, "err", err)
	default:
		h.log(c).Info("staff request refused", "path", c.FullPath(), "status", pe.Status, "code", pe.Code, "field", pe.Field)
	}
	ev := &errorView{Status: pe.Status, Code: pe.Code, Message: pe.Message(langOf(c)), Field: pe.Field}
	var field *fieldError
	if pe.Status < 500 && errors.As(err, &field) && field.Detail != "" {
		ev.Details = []string{field.Detail}
	}
	return ev
}

// errorPage is the page of an error that ends a request.
type errorPage struct {
	page
	Err *errorView
}

// fail answers a request with err: JSON for the API, else a page. It
// aborts the handler chain.
func (h *Handler) fail(c *gin.Context, err error) {
	pe := classify(err)
	if pe.Status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "30")
	}
	if isAPI(c) {
		h.errorView(c, err)
		if pe.Status == http.StatusUnauthorized {
			c.Header("WWW-Authenticate", `Bearer realm="kyso-staff"`)
		}
		c.AbortWithStatusJSON(pe.Status, apiErrorBody(pe))
		return
	}
	ev := h.errorView(c, err)
	c.Abort()
	p := errorPage{page: h.newPage(c, "err.title", ""), Err: ev}
	p.Title = tr(p.Lang, "err.title_status", pe.Status)
	if sessionOf(c) == nil {
		p.User = nil
	}
	h.render(c, pe.Status, "error.html", p)
}

// apiError is the JSON error object of the staff API.
type apiError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageVI string `json:"message_vi"`
}

func apiErrorBody(pe publicError) gin.H {
	return gin.H{"error": apiError{Code: pe.Code, Message: pe.Message("en"), MessageVI: pe.Message("vi")}}
}

// detailsOf flattens a joined error into its messages, for the errors the
// workflow writes about a data file.
func detailsOf(err error) []string {
	var multi interface{ Unwrap() []error }
	if errors.As(err, &multi) {
		var out []string
		for _, e := range multi.Unwrap() {
			out = append(out, detailsOf(e)...)
		}
		return out
	}
	return []string{err.Error()}
}
