package staffweb

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/workflow"
)

// kindOption is a choice of the import form's kind select.
type kindOption struct {
	Kind, Name string
	Selected   bool
}

// importRow is an earlier import in the list.
type importRow struct {
	workflow.ImportResult
	KindName string
	// Problems counts the problems of a refused import.
	Problems int
}

// importsView is the import page: the form and the latest imports.
type importsView struct {
	page
	Kinds       []kindOption
	Recent      []importRow
	ImportLimit string
}

// importProblem is one problem of a refused import, split into the file,
// row (or record), column and field it names when the workflow's words
// allow; Where is those written out in the page's language.
type importProblem struct {
	File, Unit, Number, Column, Field, Text string
	Where                                   string
}

// importView is the result of one import.
type importView struct {
	page
	Result   *workflow.ImportResult
	KindName string
	Refused  bool
	Problems []importProblem
}

// importAdmin returns the signed-in account and the kinds it imports, or
// fails the request with 403.
func (h *Handler) importAdmin(c *gin.Context) ([]string, bool) {
	a := sessionOf(c).Account
	kinds := importKinds(a, orgOf(c))
	if !canImport(a) || len(kinds) == 0 {
		h.fail(c, workflow.ErrForbidden)
		return nil, false
	}
	return kinds, true
}

// importsPage shows the import form and the organisation's latest imports.
func (h *Handler) importsPage(c *gin.Context) {
	kinds, ok := h.importAdmin(c)
	if !ok {
		return
	}
	h.renderImports(c, http.StatusOK, kinds, "", nil)
}

func (h *Handler) renderImports(c *gin.Context, status int, kinds []string, selected string, err error) {
	v := importsView{page: h.newPage(c, "imports.title", "imports"), ImportLimit: size(h.cfg.MaxImport)}
	for _, k := range kinds {
		v.Kinds = append(v.Kinds, kindOption{Kind: k, Name: kindName(v.Lang, k), Selected: k == selected})
	}
	recent, rerr := h.store.Imports(c.Request.Context(), sessionOf(c).Account.OrgID, 20)
	if rerr != nil {
		h.fail(c, rerr)
		return
	}
	for _, r := range recent {
		row := importRow{ImportResult: r, KindName: kindName(v.Lang, r.Kind)}
		for _, e := range r.Errors {
			row.Problems += len(problemLines(e))
		}
		v.Recent = append(v.Recent, row)
	}
	if err != nil {
		v.Error = h.errorView(c, err)
	}
	h.render(c, status, "imports.html", v)
}

// importPost imports a data file and shows the result: 200 when the
// documents were created, 422 with the problems when the file was refused.
func (h *Handler) importPost(c *gin.Context) {
	kinds, ok := h.importAdmin(c)
	if !ok {
		return
	}
	kind := ""
	if v := c.Request.MultipartForm.Value["kind"]; len(v) > 0 {
		kind = v[0]
	}
	if !slices.Contains(kinds, kind) {
		h.renderImports(c, http.StatusBadRequest, kinds, "", errBadKind)
		return
	}
	name, data, err := h.formFile(c, "file", h.cfg.MaxImport)
	if errors.Is(err, errTooLarge) {
		h.fail(c, err)
		return
	}
	if err != nil {
		h.renderImports(c, classify(err).Status, kinds, kind, err)
		return
	}
	res, err := h.cfg.Service.Import(c.Request.Context(), sessionOf(c).Account, kind, name, data)
	if err != nil && !errors.Is(err, workflow.ErrImportRefused) {
		h.renderImports(c, classify(err).Status, kinds, kind, err)
		return
	}
	h.log(c).Info("import", "import_id", res.ID, "kind", kind, "documents", res.Documents, "problems", len(res.Errors))
	status := http.StatusOK
	if err != nil {
		status = http.StatusUnprocessableEntity
	}
	h.renderImport(c, status, res)
}

// importPage shows an earlier import's result.
func (h *Handler) importPage(c *gin.Context) {
	if _, ok := h.importAdmin(c); !ok {
		return
	}
	res, err := h.store.ImportByID(c.Request.Context(), c.Param("id"))
	if err == nil && res.OrgID != sessionOf(c).Account.OrgID {
		err = workflow.ErrNotFound
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	h.renderImport(c, http.StatusOK, res)
}

func (h *Handler) renderImport(c *gin.Context, status int, res *workflow.ImportResult) {
	v := importView{page: h.newPage(c, "import.title", "imports"), Result: res, Refused: len(res.Errors) > 0}
	v.KindName = kindName(v.Lang, res.Kind)
	for _, e := range res.Errors {
		for _, line := range problemLines(e) {
			p := splitProblem(line)
			p.Where = p.where(v.Lang)
			v.Problems = append(v.Problems, p)
		}
	}
	h.render(c, status, "import.html", v)
}

// problemREs match the workflow's words about a data file: the file, the
// row (or record) and column with the field's name in brackets, or the
// file and row followed by "field NAME:".
var problemREs = []*regexp.Regexp{
	regexp.MustCompile(`^(?:(.+?) )?(row|record) ([0-9]+)(?: column ([A-Z]+))? \("([^"]+)"\): (.+)$`),
	regexp.MustCompile(`^(?:(.+?) )?(row|record) ([0-9]+)()(?:: [^:]*?)?: field "?([^":]+)"?: (.+)$`),
}

// splitProblem splits a problem into file, row, column, field and text
// when it names them, else keeps it whole.
func splitProblem(s string) importProblem {
	for _, re := range problemREs {
		if m := re.FindStringSubmatch(s); m != nil {
			return importProblem{File: m[1], Unit: m[2], Number: m[3], Column: m[4], Field: m[5], Text: m[6]}
		}
	}
	return importProblem{Text: s}
}

// where writes out a problem's place: "dòng 4, cột P".
func (p importProblem) where(lang string) string {
	if p.Number == "" {
		return ""
	}
	w := tr(lang, "import."+p.Unit, p.Number)
	if p.Column != "" {
		w += ", " + tr(lang, "import.column", p.Column)
	}
	return w
}

// problemLines splits an error that lists several problems ("3
// problems:" then one per line, as package templates writes them) into
// its problems.
func problemLines(e string) []string {
	head, rest, ok := strings.Cut(e, "\n")
	if !ok || !strings.HasSuffix(head, " problems:") {
		return []string{e}
	}
	var out []string
	for _, l := range strings.Split(rest, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
