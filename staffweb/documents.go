package staffweb

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/workflow"
)

// stepView is one signing step of a document.
type stepView struct {
	Title, Name, Username string
	SignedAt              time.Time
	Method                string
	// State is "signed", "next" (ready, waiting for its signer) or
	// "waiting" (the signatures before it are missing).
	State, StateLabel string
	Mine              bool
}

// auditView is one entry of a document's audit trail.
type auditView struct {
	At     time.Time
	Action string
	Actor  string
	Detail string
}

// documentView is a document's page.
type documentView struct {
	page
	Doc         *workflow.Document
	Kind        string
	Year        string
	Status      string
	StatusClass string
	Steps       []stepView
	Done, Total int
	Audit       []auditView
	// Correct shows the correction form.
	Correct     bool
	ImportLimit string
	// CanList links back to the organisation's list of documents
	// (ListURL) of the same kind, year and class.
	CanList bool
	ListURL string
	// PublicURL is the public verification page of a published document.
	PublicURL string
}

// statusClass is a status's badge.
func statusClass(s workflow.Status) string {
	switch s {
	case workflow.StatusWaiting:
		return "warn"
	case workflow.StatusSigned:
		return "info"
	case workflow.StatusPublished:
		return "ok"
	}
	return "muted"
}

// visibleDocument loads document id for the signed-in person: not found
// unless they may see it.
func (h *Handler) visibleDocument(c *gin.Context) (*workflow.Document, error) {
	id := c.Param("id")
	if id == "" || len(id) > 64 {
		return nil, workflow.ErrNotFound
	}
	d, err := h.store.Document(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	if !mayView(sessionOf(c).Account, d) {
		h.log(c).Info("document hidden from account", "document_id", d.ID)
		return nil, workflow.ErrNotFound
	}
	return d, nil
}

// documentPage shows a document, its steps, its preview and its audit
// trail.
func (h *Handler) documentPage(c *gin.Context) {
	d, err := h.visibleDocument(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	var notice string
	if c.Query("corrected") == "1" {
		notice = "document.corrected"
	}
	h.renderDocument(c, http.StatusOK, d, nil, notice)
}

func (h *Handler) renderDocument(c *gin.Context, status int, d *workflow.Document, err error, notice string) {
	ctx := c.Request.Context()
	a := sessionOf(c).Account
	v := documentView{page: h.newPage(c, "document.title", ""), Doc: d, Done: d.SignedCount(), Total: len(d.Steps),
		ImportLimit: size(h.cfg.MaxImport), CanList: canProgress(a)}
	if notice != "" {
		v.Notice = tr(v.Lang, notice)
	}
	if err != nil {
		v.Error = h.errorView(c, err)
		if v.Error.Status < 500 {
			v.Error.Details = detailsOf(err)
		}
	}
	q := url.Values{"kind": {d.Kind}, "year": {d.SchoolYear}, "class": {d.Class}}
	v.ListURL = "/staff/documents?" + q.Encode()
	v.PublicURL = strings.TrimRight(h.cfg.Service.BaseURL, "/") + "/v/" + url.PathEscape(d.ID)
	v.Kind = kindName(v.Lang, d.Kind)
	v.Year = yearLabel(v.Lang, d.Kind, d.SchoolYear)
	v.Status, v.StatusClass = statusName(v.Lang, d.Status), statusClass(d.Status)
	names := newUsernames(h.store)
	for i := range d.Steps {
		st := &d.Steps[i]
		sv := stepView{Title: st.Title, Name: st.Name, Username: names.of(ctx, st.AccountID), SignedAt: st.SignedAt,
			Method: methodName(v.Lang, st.Method), Mine: st.AccountID == a.ID}
		switch {
		case st.Signed():
			sv.State = "signed"
		case d.Status == workflow.StatusWaiting && d.Ready(st):
			sv.State = "next"
		default:
			sv.State = "waiting"
		}
		sv.StateLabel = tr(v.Lang, "step."+sv.State)
		v.Steps = append(v.Steps, sv)
	}
	entries, aerr := h.documentAudit(ctx, d)
	if aerr != nil {
		h.fail(c, aerr)
		return
	}
	for _, e := range entries {
		v.Audit = append(v.Audit, auditView{At: e.At, Action: actionName(v.Lang, e.Action),
			Actor: names.actor(ctx, v.Lang, e.Actor), Detail: auditDetail(v.Lang, e)})
	}
	if org := orgOf(c); org != nil && d.OrgID == org.ID && d.Status != workflow.StatusSuperseded {
		for _, k := range importKinds(a, org) {
			if k == d.Kind {
				v.Correct = true
			}
		}
	}
	h.render(c, status, "document.html", v)
}

// documentAudit is the audit trail of a document, newest first: its own
// entries and the import that created it.
func (h *Handler) documentAudit(ctx context.Context, d *workflow.Document) ([]workflow.AuditEntry, error) {
	entries, err := h.store.AuditLog(ctx, d.ID, 200)
	if err != nil {
		return nil, err
	}
	if d.ImportID != "" {
		imp, err := h.store.AuditLog(ctx, d.ImportID, 10)
		if err != nil {
			return nil, err
		}
		for _, e := range imp {
			if e.Action == workflow.ActionImport {
				entries = append(entries, e)
			}
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].ID > entries[j].ID })
	return entries, nil
}

// auditDetail is an audit entry's detail, the identifiers a reader needs:
// the signature field and method, what a correction supersedes, why
// something failed.
func auditDetail(lang string, e workflow.AuditEntry) string {
	var parts []string
	keys := make([]string, 0, len(e.Detail))
	for k := range e.Detail {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "field", "method", "supersedes", "reason", "kind", "previous_status":
			val := e.Detail[k]
			switch k {
			case "method":
				val = methodName(lang, val)
			case "kind":
				val = kindName(lang, val)
			case "previous_status":
				val = statusName(lang, workflow.Status(val))
			}
			parts = append(parts, trOr(lang, "detail."+k, k)+": "+val)
		}
	}
	return strings.Join(parts, " · ")
}

// usernames resolves account IDs to usernames, once each.
type usernames struct {
	store *workflow.Store
	seen  map[string]string
}

func newUsernames(s *workflow.Store) *usernames {
	return &usernames{store: s, seen: map[string]string{}}
}

func (u *usernames) of(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	if n, ok := u.seen[id]; ok {
		return n
	}
	n := id
	if a, err := u.store.Account(ctx, id); err == nil {
		n = a.Username
	}
	u.seen[id] = n
	return n
}

// actor names an audit actor: an account by its username, the system and
// the command line in words.
func (u *usernames) actor(ctx context.Context, lang, actor string) string {
	kind, id, _ := strings.Cut(actor, ":")
	switch kind {
	case "account":
		return u.of(ctx, id)
	case "system":
		return tr(lang, "actor.system")
	case "anonymous":
		return tr(lang, "actor.anonymous")
	}
	return actor
}

// documentPDF sends the document's PDF as signed so far, for the preview.
func (h *Handler) documentPDF(c *gin.Context) {
	d, err := h.visibleDocument(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	data, _, err := h.store.DocumentPDF(c.Request.Context(), d.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	// The PDF holds personal data: who opened it is in the audit log.
	if err := h.store.RecordAccess(c.Request.Context(), sessionOf(c).Account, workflow.ActionViewPDF, d.ID); err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `inline; filename="`+workflow.FileName(d.ID)+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", data)
}

// correct issues a corrected version of a document from a data file.
func (h *Handler) correct(c *gin.Context) {
	d, err := h.visibleDocument(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	form := c.Request.MultipartForm
	reason := ""
	if v := form.Value["reason"]; len(v) > 0 {
		reason = strings.TrimSpace(v[0])
	}
	if reason == "" {
		h.renderDocument(c, http.StatusBadRequest, d, errNoReason, "")
		return
	}
	name, data, err := h.formFile(c, "file", h.cfg.MaxImport)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			h.fail(c, err)
			return
		}
		h.renderDocument(c, classify(err).Status, d, err, "")
		return
	}
	nd, err := h.cfg.Service.Correct(c.Request.Context(), sessionOf(c).Account, d.ID, name, data, reason)
	if err != nil {
		h.renderDocument(c, classify(err).Status, d, err, "")
		return
	}
	h.log(c).Info("document corrected", "document_id", d.ID, "new_document_id", nd.ID)
	c.Redirect(http.StatusSeeOther, "/staff/documents/"+url.PathEscape(nd.ID)+"?corrected=1")
}

// formFile reads the one file of a multipart field, refusing one over
// limit.
func (h *Handler) formFile(c *gin.Context, field string, limit int64) (string, []byte, error) {
	fhs := c.Request.MultipartForm.File[field]
	if len(fhs) == 0 || fhs[0].Filename == "" {
		return "", nil, errNoFile
	}
	fh := fhs[0]
	if fh.Size > limit {
		return "", nil, &tooLargeError{limit}
	}
	r, err := fh.Open()
	if err != nil {
		return "", nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return "", nil, err
	}
	if int64(len(data)) > limit {
		return "", nil, &tooLargeError{limit}
	}
	return fh.Filename, data, nil
}

// listDoc is a row of the list of documents.
type listDoc struct {
	ID, Title, Class, Year string
	Status, StatusClass    string
	Done, Total            int
}

// documentsView is the list of an organisation's documents.
type documentsView struct {
	page
	Filter    workflow.Filter
	Heading   string
	Docs      []listDoc
	Truncated bool
	Limit     int
}

// listLimit bounds the documents one list shows.
const listLimit = 2000

// documentsPage lists the organisation's documents of a kind, year and
// class, for those who watch progress.
func (h *Handler) documentsPage(c *gin.Context) {
	a := sessionOf(c).Account
	if !canProgress(a) && !canImport(a) {
		h.fail(c, workflow.ErrForbidden)
		return
	}
	f := workflow.Filter{OrgID: a.OrgID, Kind: c.Query("kind"), SchoolYear: c.Query("year"), Class: c.Query("class"),
		Status: workflow.Status(c.Query("status")), ImportID: c.Query("import"), Limit: listLimit + 1}
	for _, s := range []string{f.Kind, f.SchoolYear, f.Class, string(f.Status), f.ImportID} {
		if len(s) > 100 {
			h.fail(c, errBadForm)
			return
		}
	}
	docs, err := h.store.Documents(c.Request.Context(), f)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := documentsView{page: h.newPage(c, "documents.title", "progress"), Filter: f, Limit: listLimit}
	var head []string
	if f.Kind != "" {
		head = append(head, kindName(v.Lang, f.Kind))
	}
	if f.Class != "" {
		head = append(head, tr(v.Lang, "label.class", f.Class))
	}
	if f.SchoolYear != "" {
		head = append(head, yearLabel(v.Lang, f.Kind, f.SchoolYear))
	}
	if f.Status != "" {
		head = append(head, statusName(v.Lang, f.Status))
	}
	if f.ImportID != "" {
		head = append(head, tr(v.Lang, "documents.of_import", f.ImportID))
	}
	v.Heading = strings.Join(head, " · ")
	if len(docs) > listLimit {
		docs, v.Truncated = docs[:listLimit], true
	}
	for _, d := range docs {
		v.Docs = append(v.Docs, listDoc{ID: d.ID, Title: d.Title, Class: d.Class, Year: d.SchoolYear,
			Status: statusName(v.Lang, d.Status), StatusClass: statusClass(d.Status), Done: d.SignedCount(), Total: len(d.Steps)})
	}
	h.render(c, http.StatusOK, "documents.html", v)
}
