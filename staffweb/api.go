package staffweb

import (
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/workflow"
)

// apiAuth authenticates the bearer API token of a staff API request. The
// API takes no cookies and no CSRF token: the token is the credential.
func (h *Handler) apiAuth(c *gin.Context) {
	auth := c.GetHeader("Authorization")
	if !hasPrefixFold(auth, "Bearer ") {
		h.fail(c, errNoToken)
		return
	}
	secret := strings.TrimSpace(auth[len("Bearer "):])
	tok, acct, err := h.store.AuthenticateAPIToken(c.Request.Context(), secret)
	if errors.Is(err, workflow.ErrBadCredentials) || errors.Is(err, workflow.ErrTokenRevoked) {
		h.fail(c, errNoToken)
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Set(ctxAPIToken, tok)
	c.Set(ctxAPIAccount, acct)
	c.Next()
}

// apiAllowed checks the token's scope, failing the request with 403.
func (h *Handler) apiAllowed(c *gin.Context, sc workflow.Scope) (*workflow.Account, bool) {
	tok := c.MustGet(ctxAPIToken).(*workflow.APIToken)
	if !tok.Allows(sc) {
		h.log(c).Info("API token lacks scope", "token_id", tok.ID, "scope", string(sc))
		h.fail(c, errScope)
		return nil, false
	}
	return c.MustGet(ctxAPIAccount).(*workflow.Account), true
}

// importResponse is the JSON answer to an import: the result, and on a
// refusal the error object as well.
type importResponse struct {
	*workflow.ImportResult
	Error *apiError `json:"error,omitempty"`
}

// apiImport imports a data file: the body itself (?kind=&name=), or the
// multipart field "file". 201 with the result; 422 with the result and its
// errors when the file was refused.
func (h *Handler) apiImport(c *gin.Context) {
	acct, ok := h.apiAllowed(c, workflow.ScopeImport)
	if !ok {
		return
	}
	kind, name := c.Query("kind"), c.Query("name")
	switch kind {
	case workflow.KindDiploma, workflow.KindGradebook, workflow.KindTranscript:
	default:
		h.fail(c, errBadKind)
		return
	}
	limit := h.cfg.MaxImport
	if c.Request.ContentLength > limit+multipartSlack {
		h.fail(c, &tooLargeError{limit})
		return
	}
	var data []byte
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch mt {
	case "multipart/form-data":
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+multipartSlack)
		if err := c.Request.ParseMultipartForm(multipartMemory); err != nil {
			h.fail(c, bodyError(err, limit))
			return
		}
		defer c.Request.MultipartForm.RemoveAll()
		fileName, d, err := h.formFile(c, "file", limit)
		if err != nil {
			h.fail(c, err)
			return
		}
		data = d
		if name == "" {
			name = fileName
		}
	case "multipart/mixed", "application/x-www-form-urlencoded":
		h.fail(c, errUnsupported)
		return
	default:
		d, tooLarge, err := readBody(c.Request.Body, c.Request.ContentLength, limit)
		if tooLarge {
			h.fail(c, &tooLargeError{limit})
			return
		}
		if err != nil {
			h.fail(c, errBadForm)
			return
		}
		data = d
	}
	if name == "" {
		h.fail(c, errNoName)
		return
	}
	if len(data) == 0 {
		h.fail(c, errNoFile)
		return
	}
	res, err := h.cfg.Service.Import(c.Request.Context(), acct, kind, name, data)
	if err != nil && !errors.Is(err, workflow.ErrImportRefused) {
		h.fail(c, err)
		return
	}
	tok := c.MustGet(ctxAPIToken).(*workflow.APIToken)
	h.log(c).Info("API import", "token_id", tok.ID, "import_id", res.ID, "kind", kind, "documents", res.Documents, "problems", len(res.Errors))
	if err != nil {
		pe := classify(err)
		c.JSON(pe.Status, importResponse{ImportResult: res, Error: &apiError{Code: pe.Code, Message: pe.Message("en"), MessageVI: pe.Message("vi")}})
		return
	}
	c.JSON(http.StatusCreated, importResponse{ImportResult: res})
}

// progressJSON is a progress row in the API.
type progressJSON struct {
	Kind            string `json:"kind"`
	SchoolYear      string `json:"school_year"`
	Class           string `json:"class"`
	Documents       int    `json:"documents"`
	Waiting         int    `json:"waiting"`
	Signed          int    `json:"signed"`
	Published       int    `json:"published"`
	Superseded      int    `json:"superseded"`
	SignaturesDone  int    `json:"signatures_done"`
	SignaturesTotal int    `json:"signatures_total"`
}

// apiProgress gives the progress of the token's organisation.
func (h *Handler) apiProgress(c *gin.Context) {
	acct, ok := h.apiAllowed(c, workflow.ScopeRead)
	if !ok {
		return
	}
	if !canProgress(acct) {
		h.fail(c, workflow.ErrForbidden)
		return
	}
	org, err := h.store.Org(c.Request.Context(), acct.OrgID)
	if err != nil {
		h.fail(c, err)
		return
	}
	rows, err := h.store.Progress(c.Request.Context(), acct.OrgID)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := make([]progressJSON, 0, len(rows))
	for _, r := range rows {
		out = append(out, progressJSON{Kind: r.Kind, SchoolYear: r.SchoolYear, Class: r.Class, Documents: r.Documents,
			Waiting: r.Waiting, Signed: r.Signed, Published: r.Published, Superseded: r.Superseded,
			SignaturesDone: r.SignaturesDone, SignaturesTotal: r.SignaturesTotal})
	}
	c.JSON(http.StatusOK, gin.H{"org": gin.H{"id": org.ID, "name": org.Name}, "progress": out})
}
