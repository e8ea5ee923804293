package staffweb

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/workflow"
)

// queueDoc is a document of the queue.
type queueDoc struct {
	ID, Title string
	// Step is the title of the signature the person makes.
	Step    string
	Created time.Time
	// Done and Total count the document's signatures.
	Done, Total int
	Checked     bool
}

// queueGroup is the documents of one kind, year and class.
type queueGroup struct {
	ID    string
	Kind  string
	Label string
	Docs  []queueDoc
}

// queueView is the queue page.
type queueView struct {
	page
	Groups []queueGroup
	Count  int
	HSM    bool
	USB    bool
	// UploadLimit is the upload limit, written out.
	UploadLimit string
	MaxBatch    int
}

// queuePage lists the documents waiting for the person.
func (h *Handler) queuePage(c *gin.Context) {
	h.renderQueue(c, http.StatusOK, nil, nil)
}

// renderQueue shows the queue, with an error banner and the documents
// that were ticked when a batch was refused as a whole.
func (h *Handler) renderQueue(c *gin.Context, status int, err error, checked []string) {
	sess := sessionOf(c)
	a := sess.Account
	docs, qerr := h.store.Queue(c.Request.Context(), a.ID)
	if qerr != nil {
		h.fail(c, qerr)
		return
	}
	v := queueView{page: h.newPage(c, "queue.title", "queue"), Count: len(docs),
		HSM: a.KeyKind == workflow.KeyHSM, USB: a.KeyKind == workflow.KeyUSB,
		UploadLimit: size(h.cfg.MaxUpload), MaxBatch: h.cfg.Service.MaxBatch}
	if err != nil {
		v.Error = h.errorView(c, err)
	}
	index := map[string]int{}
	for _, d := range docs {
		key := d.Kind + "\x00" + d.SchoolYear + "\x00" + d.Class
		i, ok := index[key]
		if !ok {
			i = len(v.Groups)
			index[key] = i
			label := []string{kindName(v.Lang, d.Kind)}
			switch {
			case d.Kind == workflow.KindDiploma && d.Class != "":
				label = append(label, d.Class) // the graduates' school
			case d.Class != "":
				label = append(label, tr(v.Lang, "label.class", d.Class))
			}
			if y := yearLabel(v.Lang, d.Kind, d.SchoolYear); y != "" {
				label = append(label, y)
			}
			v.Groups = append(v.Groups, queueGroup{Kind: d.Kind, Label: strings.Join(label, " · ")})
		}
		qd := queueDoc{ID: d.ID, Title: d.Title, Created: d.CreatedAt, Done: d.SignedCount(), Total: len(d.Steps),
			Checked: slices.Contains(checked, d.ID)}
		if st, err := d.StepFor(a.ID); err == nil {
			qd.Step = st.Title
		}
		v.Groups[i].Docs = append(v.Groups[i].Docs, qd)
	}
	slices.SortStableFunc(v.Groups, func(x, y queueGroup) int { return kindOrder(x.Kind) - kindOrder(y.Kind) })
	for i := range v.Groups {
		v.Groups[i].ID = fmt.Sprintf("g%d", i+1)
	}
	h.render(c, status, "queue.html", v)
}

// resultItem is one document of a batch's result.
type resultItem struct {
	ID, Title string
	// Outcome is the item's outcome (workflow.Outcome*, or "sent"), Label
	// its words and Class its badge.
	Outcome, Label, Class string
	// Reason says in plain words why a document was not signed, or what
	// is still pending.
	Reason string
	// Detail is the workflow's own words about a refused upload.
	Detail string
	// PublicURL is the public verification page of a published document.
	PublicURL string
}

// resultView is the result page of a batch or an upload.
type resultView struct {
	page
	Heading                   string
	Items                     []resultItem
	Signed, Published, Failed int
	Skipped                   int
}

// renderResult shows a batch's outcome, document by document.
func (h *Handler) renderResult(c *gin.Context, headingKey string, res *workflow.BatchResult) {
	v := resultView{page: h.newPage(c, "result.title", "queue"), Signed: res.Signed, Published: res.Published, Failed: res.Failed}
	v.Heading = tr(v.Lang, headingKey)
	for _, it := range res.Items {
		ri := resultItem{ID: it.DocumentID, Title: it.Title, Outcome: it.Outcome}
		if ri.Title == "" {
			ri.Title = it.DocumentID
		}
		switch it.Outcome {
		case workflow.OutcomePublished:
			ri.Class = "ok"
			ri.PublicURL = strings.TrimRight(h.cfg.Service.BaseURL, "/") + "/v/" + url.PathEscape(it.DocumentID)
		case workflow.OutcomeSigned:
			ri.Class = "ok"
			if it.Err != nil {
				// Signed and stored; registration is retried.
				ri.Class, ri.Reason = "warn", tr(v.Lang, "result.pending")
			}
		case workflow.OutcomeSkipped:
			ri.Class = "muted"
			v.Skipped++
		default:
			ri.Class = "bad"
		}
		ri.Label = trOr(v.Lang, "outcome."+it.Outcome, it.Outcome)
		if it.Err != nil && ri.Reason == "" {
			ri.Reason = classify(it.Err).Message(v.Lang)
			var ue *workflow.UploadError
			if errors.As(it.Err, &ue) {
				ri.Detail = ue.Reason
			}
		}
		v.Items = append(v.Items, ri)
	}
	h.render(c, http.StatusOK, "result.html", v)
}

// maxSelection bounds the documents one form may tick. The workflow signs
// the first Service.MaxBatch of them and leaves the rest for the next
// batch, so a Sở director can tick a province's diplomas at once.
const maxSelection = 50000

// checkSelection checks the documents ticked before the workflow is
// called.
func (h *Handler) checkSelection(ids []string) error {
	switch {
	case len(ids) == 0:
		return errNoSelection
	case len(ids) > maxSelection:
		return errTooLargeBatch
	}
	return nil
}

// sign signs the ticked documents with the person's HSM key and the PIN
// typed for this batch.
func (h *Handler) sign(c *gin.Context) {
	f := c.MustGet(ctxSecretForm).(*secretForm)
	defer f.wipe()
	ids := f.values["id"]
	if err := h.checkSelection(ids); err != nil {
		h.renderQueue(c, classify(err).Status, err, ids)
		return
	}
	if len(f.secret) == 0 {
		h.renderQueue(c, http.StatusBadRequest, errNoPIN, ids)
		return
	}
	a := sessionOf(c).Account
	ctx, cancel := h.batchContext(c)
	defer cancel()
	start := time.Now()
	res, err := h.cfg.Service.SignBatch(ctx, a, ids, f.secret)
	f.wipe()
	if err != nil {
		h.renderQueue(c, classify(err).Status, err, ids)
		return
	}
	h.log(c).Info("batch signed", "documents", len(ids), "signed", res.Signed, "published", res.Published,
		"failed", res.Failed, "duration_ms", time.Since(start).Milliseconds())
	h.renderResult(c, "result.signed_heading", res)
}

// usbDownload sends the ticked documents as a zip to sign on a USB token.
func (h *Handler) usbDownload(c *gin.Context) {
	ids := c.Request.PostForm["id"]
	if err := h.checkSelection(ids); err != nil {
		h.renderQueue(c, classify(err).Status, err, ids)
		return
	}
	files, res, err := h.cfg.Service.Download(c.Request.Context(), sessionOf(c).Account, ids)
	if err != nil {
		h.renderQueue(c, classify(err).Status, err, ids)
		return
	}
	if len(files) == 0 {
		h.renderResult(c, "result.download_heading", res)
		return
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	now := h.cfg.Now()
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: path.Base(f.Name), Method: zip.Deflate, Modified: now})
		if err == nil {
			_, err = w.Write(f.Data)
		}
		if err != nil {
			h.fail(c, err)
			return
		}
	}
	if left := len(res.Items) - len(files); left > 0 {
		// Say in the archive which ticked documents it does not hold and
		// why, rather than leave them out silently.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "KHONG-TAI-VE.txt", Method: zip.Deflate, Modified: now})
		if err != nil {
			h.fail(c, err)
			return
		}
		lang := langOf(c)
		fmt.Fprintf(w, "%s\r\n\r\n", tr(lang, "download.left_out", left))
		for _, it := range res.Items {
			if it.Err != nil {
				fmt.Fprintf(w, "%s  %s  %s\r\n", it.DocumentID, it.Title, tr(lang, "err."+classify(it.Err).Code))
			}
		}
	}
	if err := zw.Close(); err != nil {
		h.fail(c, err)
		return
	}
	h.log(c).Info("usb download", "documents", len(files), "refused", len(res.Items)-len(files))
	name := "kyso-cho-ky-" + now.In(vietnam).Format("20060102-1504") + ".zip"
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, "application/zip", b.Bytes())
}

// usbUpload takes the documents signed on a USB token.
func (h *Handler) usbUpload(c *gin.Context) {
	fhs := c.Request.MultipartForm.File["files"]
	if len(fhs) == 0 {
		h.renderQueue(c, http.StatusBadRequest, errNoFile, nil)
		return
	}
	if len(fhs) > h.cfg.Service.MaxBatch {
		h.renderQueue(c, http.StatusBadRequest, errTooLargeBatch, nil)
		return
	}
	var files []workflow.File
	var total int64
	for _, fh := range fhs {
		if total += fh.Size; total > h.cfg.MaxUpload {
			h.fail(c, &tooLargeError{h.cfg.MaxUpload})
			return
		}
		r, err := fh.Open()
		if err != nil {
			h.fail(c, err)
			return
		}
		data, err := io.ReadAll(io.LimitReader(r, h.cfg.MaxUpload+1))
		r.Close()
		if err != nil {
			h.fail(c, err)
			return
		}
		files = append(files, workflow.File{Name: fh.Filename, Data: data})
	}
	ctx, cancel := h.batchContext(c)
	defer cancel()
	res, err := h.cfg.Service.Upload(ctx, sessionOf(c).Account, files)
	if err != nil {
		h.renderQueue(c, classify(err).Status, err, nil)
		return
	}
	h.log(c).Info("usb upload", "files", len(files), "signed", res.Signed, "published", res.Published, "failed", res.Failed)
	h.renderResult(c, "result.upload_heading", res)
}
