package staffweb

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/workflow"
)

// progressRow is a row of the progress table.
type progressRow struct {
	workflow.ProgressRow
	KindName string
	// Link lists the row's documents.
	Link string
}

// progressKind sums the rows of one kind.
type progressKind struct {
	Kind, Name                      string
	Documents, Waiting, Signed      int
	Published, Superseded           int
	SignaturesDone, SignaturesTotal int
	Rows                            []progressRow
}

// progressView is the progress page.
type progressView struct {
	page
	Kinds []progressKind
}

// progressPage shows the organisation's documents counted by kind, year
// and class.
func (h *Handler) progressPage(c *gin.Context) {
	a := sessionOf(c).Account
	if !canProgress(a) {
		h.fail(c, workflow.ErrForbidden)
		return
	}
	rows, err := h.store.Progress(c.Request.Context(), a.OrgID)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := progressView{page: h.newPage(c, "progress.title", "progress")}
	index := map[string]int{}
	for _, r := range rows {
		i, ok := index[r.Kind]
		if !ok {
			i = len(v.Kinds)
			index[r.Kind] = i
			v.Kinds = append(v.Kinds, progressKind{Kind: r.Kind, Name: kindName(v.Lang, r.Kind)})
		}
		k := &v.Kinds[i]
		k.Documents += r.Documents
		k.Waiting += r.Waiting
		k.Signed += r.Signed
		k.Published += r.Published
		k.Superseded += r.Superseded
		k.SignaturesDone += r.SignaturesDone
		k.SignaturesTotal += r.SignaturesTotal
		q := url.Values{"kind": {r.Kind}, "year": {r.SchoolYear}, "class": {r.Class}}
		k.Rows = append(k.Rows, progressRow{ProgressRow: r, KindName: k.Name, Link: "/staff/documents?" + q.Encode()})
	}
	slices.SortStableFunc(v.Kinds, func(x, y progressKind) int { return kindOrder(x.Kind) - kindOrder(y.Kind) })
	h.render(c, http.StatusOK, "progress.html", v)
}
