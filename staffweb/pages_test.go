package staffweb

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/workflow"
	"github.com/kyso-vn/kyso/workflow/workflowtest"
)

// TestCSRFOnEveryPost posts to every POST route of a session without the
// form token and with a forged one: each is refused with 403 and changes
// nothing.
func TestCSRFOnEveryPost(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	docs := importAs(t, f.env, workflow.KindGradebook, "toan.csv", workflowtest.Gradebooks(t, 3, "Toán"))
	id := docs[0].ID
	ctx := context.Background()
	teacher := f.env.Account(t, workflowtest.MathTeacher)
	admin := f.env.Account(t, workflowtest.SchoolAdmin)
	_, tok, err := f.env.Store.CreateAPIToken(ctx, admin.ID, "SMIS", []workflow.Scope{workflow.ScopeRead}, time.Time{}, rand.Reader, "test:setup")
	if err != nil {
		t.Fatal(err)
	}
	acct := "/staff/accounts/" + teacher.ID
	newPassword := "một-mật-khẩu-khác-hẳn"
	routes := map[string]func(c *client, csrf string) *response{
		"/staff/logout": func(c *client, csrf string) *response {
			return c.post("/staff/logout", url.Values{"csrf": {csrf}})
		},
		"/staff/sign": func(c *client, csrf string) *response {
			return c.post("/staff/sign", url.Values{"csrf": {csrf}, "id": {id}, "pin": {f.env.People[workflowtest.MathTeacher].PIN}})
		},
		"/staff/usb/download": func(c *client, csrf string) *response {
			return c.post("/staff/usb/download", url.Values{"csrf": {csrf}, "id": {id}})
		},
		"/staff/usb/upload": func(c *client, csrf string) *response {
			return c.postMultipart("/staff/usb/upload", url.Values{"csrf": {csrf}}, upload{"files", workflow.FileName(id), []byte("%PDF-1.7")})
		},
		"/staff/imports": func(c *client, csrf string) *response {
			return c.postMultipart("/staff/imports", url.Values{"csrf": {csrf}, "kind": {workflow.KindGradebook}},
				upload{"file", "van.csv", workflowtest.Gradebooks(t, 3, "Ngữ văn")})
		},
		"/staff/documents/:id/correct": func(c *client, csrf string) *response {
			return c.postMultipart("/staff/documents/"+id+"/correct", url.Values{"csrf": {csrf}, "reason": {"sửa điểm"}},
				upload{"file", "toan.csv", workflowtest.Gradebooks(t, 3, "Toán")})
		},
		"/staff/accounts": func(c *client, csrf string) *response {
			return c.post("/staff/accounts", url.Values{"csrf": {csrf}, "username": {"forged.user"}, "full_name": {"Kẻ Giả Mạo"},
				"roles": {"school_admin"}, "password": {newPassword}, "password2": {newPassword}})
		},
		"/staff/accounts/:id/assign": func(c *client, csrf string) *response {
			return c.post(acct+"/assign", url.Values{"csrf": {csrf}, "role": {"subject_teacher"}, "school_year": {workflowtest.Year}, "class": {"12A9"}, "subject": {"Toán"}})
		},
		"/staff/accounts/:id/unassign": func(c *client, csrf string) *response {
			return c.post(acct+"/unassign", url.Values{"csrf": {csrf}, "role": {"subject_teacher"}, "school_year": {workflowtest.Year}, "class": {workflowtest.Class}, "subject": {"Toán"}})
		},
		"/staff/accounts/:id/key": func(c *client, csrf string) *response {
			return c.postMultipart(acct+"/key", url.Values{"csrf": {csrf}, "key_kind": {"none"}})
		},
		"/staff/accounts/:id/password": func(c *client, csrf string) *response {
			return c.post(acct+"/password", url.Values{"csrf": {csrf}, "password": {newPassword}, "password2": {newPassword}})
		},
		"/staff/accounts/:id/disable": func(c *client, csrf string) *response {
			return c.post(acct+"/disable", url.Values{"csrf": {csrf}})
		},
		"/staff/accounts/:id/enable": func(c *client, csrf string) *response {
			return c.post(acct+"/enable", url.Values{"csrf": {csrf}})
		},
		"/staff/tokens": func(c *client, csrf string) *response {
			return c.post("/staff/tokens", url.Values{"csrf": {csrf}, "name": {"forged"}, "scopes": {"import"}, "days": {"30"}})
		},
		"/staff/tokens/:id/revoke": func(c *client, csrf string) *response {
			return c.post("/staff/tokens/"+tok.ID+"/revoke", url.Values{"csrf": {csrf}})
		},
	}
	// Every POST route but the login (which has its own token) is here.
	for _, r := range f.h.gin.Routes() {
		if r.Method == http.MethodPost && r.Path != "/staff/login" && !strings.HasPrefix(r.Path, "/staff/api/") {
			if _, ok := routes[r.Path]; !ok {
				t.Errorf("POST %s is not tested for CSRF", r.Path)
			}
		}
	}
	for path, post := range routes {
		for _, forged := range []string{"", "forged-token", strings.Repeat("A", 43)} {
			t.Run(path+"/"+forged, func(t *testing.T) {
				// The math teacher signs id; the school admin imports
				// and corrects: each route is posted by someone who
				// could use it with the right token.
				user := workflowtest.MathTeacher
				if path == "/staff/imports" || path == "/staff/documents/:id/correct" ||
					strings.HasPrefix(path, "/staff/accounts") || strings.HasPrefix(path, "/staff/tokens") {
					user = workflowtest.SchoolAdmin
				}
				c := f.login(t, user)
				post(c, forged).want(t, http.StatusForbidden, "bad_csrf")
				if r := c.get("/staff/queue"); r.StatusCode != http.StatusOK {
					t.Fatalf("the session ended: %d", r.StatusCode)
				}
			})
		}
	}
	d, err := f.env.Store.Document(context.Background(), id)
	if err != nil || d.Status != workflow.StatusWaiting || d.Version != 1 {
		t.Fatalf("forged posts changed the document: %+v %v", d, err)
	}
	imports, _ := f.env.Store.Imports(context.Background(), workflowtest.SchoolID, 0)
	if len(imports) != 1 {
		t.Fatalf("%d imports, want 1: a forged import was taken", len(imports))
	}
	// Nor was an account created or changed, nor a token made or revoked.
	if _, err := f.env.Store.AccountByUsername(ctx, "forged.user"); !errors.Is(err, workflow.ErrNotFound) {
		t.Fatalf("a forged account was created: %v", err)
	}
	now, err := f.env.Store.Account(ctx, teacher.ID)
	if err != nil || now.Disabled || now.KeyKind != teacher.KeyKind || now.Certificates != teacher.Certificates {
		t.Fatalf("forged posts changed the teacher's account: %+v %v", now, err)
	}
	if as, _ := f.env.Store.Assignments(ctx, teacher.ID); len(as) != 1 {
		t.Fatalf("forged posts changed the teacher's assignments: %v", as)
	}
	f.login(t, workflowtest.MathTeacher) // the password is the fixture's still
	toks, _ := f.env.Store.APITokens(ctx, admin.ID)
	if len(toks) != 1 || !toks[0].RevokedAt.IsZero() {
		t.Fatalf("forged posts changed the admin's tokens: %+v", toks)
	}
}

var docLinkRE = regexp.MustCompile(`name="id" value="([^"]+)"`)

// queueIDs are the documents a queue page offers.
func queueIDs(r *response) []string {
	var out []string
	for _, m := range docLinkRE.FindAllStringSubmatch(r.body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestSignBatch(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	docs := importAs(t, f.env, workflow.KindGradebook, "toan.csv", workflowtest.Gradebooks(t, 5, "Toán"))
	id := docs[0].ID
	c := f.login(t, workflowtest.MathTeacher)
	q := c.get("/staff/queue")
	if got := queueIDs(q); !slices.Equal(got, []string{id}) {
		t.Fatalf("queue offers %v, want [%s]", got, id)
	}
	for _, want := range []string{`name="pin" type="password" autocomplete="off"`, `action="/staff/sign"`} {
		if !strings.Contains(q.body, want) {
			t.Errorf("the queue of an HSM account lacks %s", want)
		}
	}

	t.Run("wrong PIN", func(t *testing.T) {
		r := c.post("/staff/sign", url.Values{"csrf": {c.csrf}, "id": {id}, "pin": {"99999999"}})
		r.want(t, http.StatusBadRequest, "wrong_pin")
		if strings.Contains(r.body, "99999999") {
			t.Error("the page echoes the PIN")
		}
		if !strings.Contains(r.body, `value="`+id+`" id="d-`+id+`" checked`) {
			t.Error("the documents ticked are not ticked again")
		}
		if d, _ := f.env.Store.Document(context.Background(), id); d.SignedCount() != 0 {
			t.Fatal("signed with a wrong PIN")
		}
	})
	t.Run("nothing ticked", func(t *testing.T) {
		c.post("/staff/sign", url.Values{"csrf": {c.csrf}, "pin": {"1234"}}).want(t, http.StatusBadRequest, "no_selection")
	})
	t.Run("no PIN", func(t *testing.T) {
		c.post("/staff/sign", url.Values{"csrf": {c.csrf}, "id": {id}}).want(t, http.StatusBadRequest, "no_pin")
	})
	t.Run("ok", func(t *testing.T) {
		pin := f.env.People[workflowtest.MathTeacher].PIN
		r := c.post("/staff/sign", url.Values{"csrf": {c.csrf}, "id": {id}, "pin": {pin}})
		r.want(t, http.StatusOK, "")
		if !strings.Contains(r.body, `data-document="`+id+`" data-outcome="published"`) {
			t.Fatalf("result page does not show %s published:\n%s", id, r.body)
		}
		if strings.Contains(r.body, pin) || strings.Contains(f.log.String(), pin) {
			t.Error("the PIN is in the page or the log")
		}
		if d, _ := f.env.Store.Document(context.Background(), id); d.Status != workflow.StatusPublished {
			t.Fatalf("document %s is %s, want published", id, d.Status)
		}
		if got := queueIDs(c.get("/staff/queue")); len(got) != 0 {
			t.Fatalf("queue after signing: %v", got)
		}
	})
}

// TestTeachersApart: a teacher neither sees nor signs another teacher's
// document, whatever the form says.
func TestTeachersApart(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	math := importAs(t, f.env, workflow.KindGradebook, "toan.csv", workflowtest.Gradebooks(t, 3, "Toán"))[0].ID
	lit := importAs(t, f.env, workflow.KindGradebook, "van.csv", workflowtest.Gradebooks(t, 3, "Ngữ văn"))[0].ID
	c := f.login(t, workflowtest.MathTeacher)
	if got := queueIDs(c.get("/staff/queue")); !slices.Equal(got, []string{math}) {
		t.Fatalf("the math teacher's queue: %v, want only %s", got, math)
	}
	c.get("/staff/documents/"+lit).want(t, http.StatusNotFound, "not_found")
	c.get("/staff/documents/"+lit+"/pdf").want(t, http.StatusNotFound, "not_found")
	if r := c.get("/staff/documents/" + math); r.StatusCode != http.StatusOK {
		t.Fatalf("own document: %d", r.StatusCode)
	}
	pin := f.env.People[workflowtest.MathTeacher].PIN
	r := c.post("/staff/sign", url.Values{"csrf": {c.csrf}, "id": {lit}, "pin": {pin}})
	r.want(t, http.StatusOK, "")
	if !strings.Contains(r.body, `data-document="`+lit+`" data-outcome="failed"`) {
		t.Fatalf("signing another's document is not refused:\n%s", r.body)
	}
	if d, _ := f.env.Store.Document(context.Background(), lit); d.SignedCount() != 0 {
		t.Fatal("the math teacher signed the literature gradebook")
	}
	// Nor through the USB route.
	r = c.post("/staff/usb/download", url.Values{"csrf": {c.csrf}, "id": {lit}})
	r.want(t, http.StatusBadRequest, "wrong_key_kind")
}

func TestUSBDownloadUpload(t *testing.T) {
	f := newFixture(t, workflowtest.Options{USB: []string{workflowtest.MathTeacher}}, nil)
	id := importAs(t, f.env, workflow.KindGradebook, "toan.csv", workflowtest.Gradebooks(t, 3, "Toán"))[0].ID
	c := f.login(t, workflowtest.MathTeacher)
	q := c.get("/staff/queue")
	for _, want := range []string{`action="/staff/usb/download"`, `action="/staff/usb/upload"`, "kyso sign", "--out da-ky --yes cho-ky"} {
		if !strings.Contains(q.body, want) {
			t.Errorf("the queue of a USB account lacks %s", want)
		}
	}
	if strings.Contains(q.body, `name="pin"`) {
		t.Error("the queue of a USB account asks for a PIN")
	}
	// A document that is not the teacher's is left out, and the archive
	// says so.
	r := c.post("/staff/usb/download", url.Values{"csrf": {c.csrf}, "id": {id, "7KQ2M9P-X4R8T1B-HC0WZ3D"}})
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("download: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(strings.NewReader(r.body), int64(len(r.body)))
	if err != nil || len(zr.File) != 2 || zr.File[0].Name != workflow.FileName(id) || zr.File[1].Name != "KHONG-TAI-VE.txt" {
		t.Fatalf("zip: %v %v", zr, err)
	}
	rc, _ := zr.File[0].Open()
	sent, _ := io.ReadAll(rc)
	rc.Close()
	p := f.env.People[workflowtest.MathTeacher]
	signed, err := signer.Sign(context.Background(), sent, p.Key, p.Chain, signer.Options{Field: "gvbm-toan", Name: p.Chain[0].Subject.CommonName, Time: f.env.Clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	// A file that is not the document sent is refused on its own.
	tampered := bytes.Replace(signed, []byte("/CreationDate (D:2025"), []byte("/CreationDate (D:2024"), 1)
	r = c.postMultipart("/staff/usb/upload", url.Values{"csrf": {c.csrf}}, upload{"files", workflow.FileName(id), tampered})
	r.want(t, http.StatusOK, "")
	if !strings.Contains(r.body, `data-outcome="failed"`) {
		t.Fatalf("tampered upload not refused:\n%s", r.body)
	}
	r = c.postMultipart("/staff/usb/upload", url.Values{"csrf": {c.csrf}}, upload{"files", workflow.FileName(id), signed})
	if !strings.Contains(r.body, `data-document="`+id+`" data-outcome="published"`) {
		t.Fatalf("upload not published:\n%s", r.body)
	}
	c.postMultipart("/staff/usb/upload", url.Values{"csrf": {c.csrf}}).want(t, http.StatusBadRequest, "no_file")
}

func TestImportPages(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, func(c *Config) { c.MaxImport = 64 << 10 })
	t.Run("forbidden to others", func(t *testing.T) {
		for _, u := range []string{workflowtest.MathTeacher, workflowtest.Principal, workflowtest.Director} {
			c := f.login(t, u)
			c.get("/staff/imports").want(t, http.StatusForbidden, "forbidden")
			c.postMultipart("/staff/imports", url.Values{"csrf": {c.csrf}, "kind": {workflow.KindGradebook}},
				upload{"file", "toan.csv", workflowtest.Gradebooks(t, 3, "Toán")}).want(t, http.StatusForbidden, "forbidden")
		}
	})
	c := f.login(t, workflowtest.SchoolAdmin)
	page := c.get("/staff/imports")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, `value="gradebook"`) || strings.Contains(page.body, `value="diploma"`) {
		t.Fatalf("import page of the school admin: %d", page.StatusCode)
	}
	t.Run("ok", func(t *testing.T) {
		r := c.postMultipart("/staff/imports", url.Values{"csrf": {c.csrf}, "kind": {workflow.KindGradebook}},
			upload{"file", "toan.csv", workflowtest.Gradebooks(t, 3, "Toán")})
		r.want(t, http.StatusOK, "")
		if !strings.Contains(r.body, `data-status="imported"`) {
			t.Fatal("no success shown")
		}
	})
	t.Run("refused", func(t *testing.T) {
		bad := bytes.Replace(workflowtest.Gradebooks(t, 3, "Ngữ văn"), []byte("2024-2025"), []byte("2024-2026"), 1)
		r := c.postMultipart("/staff/imports", url.Values{"csrf": {c.csrf}, "kind": {workflow.KindGradebook}}, upload{"file", "van.csv", bad})
		r.want(t, http.StatusUnprocessableEntity, "import_refused")
		if !strings.Contains(r.body, "van.csv") {
			t.Errorf("the problems do not name the file:\n%s", r.body)
		}
		imports, _ := f.env.Store.Imports(context.Background(), workflowtest.SchoolID, 0)
		if len(imports) != 2 {
			t.Fatalf("%d imports recorded, want 2", len(imports))
		}
		// The recorded result has its own page, for the org's admins only.
		refused := imports[0]
		if len(refused.Errors) == 0 {
			refused = imports[1]
		}
		c.get("/staff/imports/"+refused.ID).want(t, http.StatusOK, "import_refused")
		f.login(t, workflowtest.DeptAdmin).get("/staff/imports/"+refused.ID).want(t, http.StatusNotFound, "not_found")
	})
	t.Run("oversize", func(t *testing.T) {
		big := bytes.Repeat([]byte("x"), 70<<10)
		c.postMultipart("/staff/imports", url.Values{"csrf": {c.csrf}, "kind": {workflow.KindGradebook}}, upload{"file", "big.csv", big}).
			want(t, http.StatusRequestEntityTooLarge, "too_large")
		bigger := bytes.Repeat([]byte("x"), 200<<10)
		c.postMultipart("/staff/imports", url.Values{"csrf": {c.csrf}, "kind": {workflow.KindGradebook}}, upload{"file", "big.csv", bigger}).
			want(t, http.StatusRequestEntityTooLarge, "too_large")
	})
	t.Run("kind not the role's", func(t *testing.T) {
		c.postMultipart("/staff/imports", url.Values{"csrf": {c.csrf}, "kind": {workflow.KindDiploma}},
			upload{"file", "d.csv", workflowtest.Diplomas(t, 2)}).want(t, http.StatusBadRequest, "bad_kind")
	})
}

func TestDocumentPage(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	id := importAs(t, f.env, workflow.KindGradebook, "toan.csv", workflowtest.Gradebooks(t, 3, "Toán"))[0].ID
	teacher := f.login(t, workflowtest.MathTeacher)
	pin := f.env.People[workflowtest.MathTeacher].PIN
	teacher.post("/staff/sign", url.Values{"csrf": {teacher.csrf}, "id": {id}, "pin": {pin}}).want(t, http.StatusOK, "")

	for _, u := range []string{workflowtest.SchoolAdmin, workflowtest.Principal, workflowtest.MathTeacher} {
		c := f.login(t, u)
		r := c.get("/staff/documents/" + id)
		r.want(t, http.StatusOK, "")
		for _, want := range []string{`src="/staff/documents/` + id + `/pdf"`, `data-status="published"`, workflowtest.MathTeacher, workflowtest.SchoolAdmin} {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s: the document page lacks %q", u, want)
			}
		}
		if strings.Contains(r.body, "account:") {
			t.Errorf("%s: the audit trail shows account IDs, not usernames", u)
		}
		hasForm := strings.Contains(r.body, `action="/staff/documents/`+id+`/correct"`)
		if hasForm != (u == workflowtest.SchoolAdmin) {
			t.Errorf("%s: correction form shown %v", u, hasForm)
		}
		pdf := c.get("/staff/documents/" + id + "/pdf")
		if pdf.StatusCode != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(pdf.Header.Get("Content-Disposition"), "inline") || pdf.Header.Get("Cache-Control") != "no-store" ||
			!strings.HasPrefix(pdf.body, "%PDF-") {
			t.Errorf("%s: PDF %d %v", u, pdf.StatusCode, pdf.Header)
		}
		log, err := f.env.Store.AuditLog(context.Background(), id, 1)
		if err != nil || len(log) != 1 || log[0].Action != workflow.ActionViewPDF || log[0].Actor != "account:"+f.env.Account(t, u).ID {
			t.Errorf("%s: opening the PDF is not in the audit log: %+v %v", u, log, err)
		}
	}
	for _, u := range []string{"ngoc.tran", workflowtest.DeptAdmin, workflowtest.Director, workflowtest.SealKeeper} {
		c := f.login(t, u)
		c.get("/staff/documents/"+id).want(t, http.StatusNotFound, "not_found")
		c.get("/staff/documents/"+id+"/pdf").want(t, http.StatusNotFound, "not_found")
	}

	t.Run("correction", func(t *testing.T) {
		admin := f.login(t, workflowtest.SchoolAdmin)
		admin.get("/staff/documents/" + id)
		admin.postMultipart("/staff/documents/"+id+"/correct", url.Values{"csrf": {admin.csrf}},
			upload{"file", "toan.csv", workflowtest.Gradebooks(t, 3, "Toán")}).want(t, http.StatusBadRequest, "no_reason")
		fixed := bytes.Replace(workflowtest.Gradebooks(t, 3, "Toán"), []byte(",8.5"), []byte(",9.0"), 1)
		r := admin.postMultipart("/staff/documents/"+id+"/correct", url.Values{"csrf": {admin.csrf}, "reason": {"Sửa điểm nhập nhầm"}},
			upload{"file", "toan.csv", fixed})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("correction: %d %q\n%s", r.StatusCode, r.code(), r.body)
		}
		next := admin.get(r.Header.Get("Location"))
		if next.StatusCode != http.StatusOK || !strings.Contains(next.body, "Sửa điểm nhập nhầm") || !strings.Contains(next.body, `href="/staff/documents/`+id+`"`) {
			t.Fatalf("corrected document page: %d", next.StatusCode)
		}
		// The teacher may not correct.
		teacher := f.login(t, workflowtest.MathTeacher)
		teacher.get("/staff/documents/" + id)
		teacher.postMultipart("/staff/documents/"+id+"/correct", url.Values{"csrf": {teacher.csrf}, "reason": {"x"}},
			upload{"file", "toan.csv", fixed}).want(t, http.StatusForbidden, "forbidden")
	})
}

func TestProgressPages(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	importAs(t, f.env, workflow.KindGradebook, "toan.csv", workflowtest.Gradebooks(t, 3, "Toán", "Ngữ văn"))
	for _, u := range []string{workflowtest.MathTeacher, workflowtest.SealKeeper} {
		c := f.login(t, u)
		c.get("/staff/progress").want(t, http.StatusForbidden, "forbidden")
		c.get("/staff/documents?kind=gradebook").want(t, http.StatusForbidden, "forbidden")
		if strings.Contains(c.get("/staff/queue").body, `href="/staff/progress"`) {
			t.Errorf("%s: the navigation offers the progress page", u)
		}
	}
	c := f.login(t, workflowtest.Principal)
	r := c.get("/staff/progress")
	r.want(t, http.StatusOK, "")
	link := "/staff/documents?class=10A1&amp;kind=gradebook&amp;year=2024-2025"
	if !strings.Contains(r.body, `<progress value="0" max="2">`) || !strings.Contains(r.body, link) {
		t.Fatalf("progress page lacks the bar or the link:\n%s", r.body)
	}
	l := c.get(strings.ReplaceAll(link, "&amp;", "&"))
	l.want(t, http.StatusOK, "")
	if n := strings.Count(l.body, `class="badge warn">`); n != 2 {
		t.Errorf("list shows %d waiting documents, want 2", n)
	}
	// The Sở sees its own (none), not the school's.
	dept := f.login(t, workflowtest.Director)
	if r := dept.get("/staff/progress"); strings.Contains(r.body, "10A1") {
		t.Error("the Sở's progress shows a school's class")
	}
}

func TestNotFound(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	c := f.login(t, workflowtest.MathTeacher)
	c.get("/staff/nothing/here").want(t, http.StatusNotFound, "no_route")
	c.get("/staff/documents/7KQ2M9P-X4R8T1B-HC0WZ3D").want(t, http.StatusNotFound, "not_found")
	c.get("/staff/static/../staffweb.go").want(t, http.StatusNotFound, "no_route")
	if r := c.get("/staff/"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/staff/queue" {
		t.Errorf("/staff/: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
}

// TestSignAfterStop: once the service stops, a batch signs nothing.
func TestSignAfterStop(t *testing.T) {
	stopping, stop := context.WithCancel(context.Background())
	f := newFixture(t, workflowtest.Options{}, func(c *Config) { c.Stopping = stopping })
	id := importAs(t, f.env, workflow.KindGradebook, "toan.csv", workflowtest.Gradebooks(t, 3, "Toán"))[0].ID
	c := f.login(t, workflowtest.MathTeacher)
	stop()
	r := c.post("/staff/sign", url.Values{"csrf": {c.csrf}, "id": {id}, "pin": {f.env.People[workflowtest.MathTeacher].PIN}})
	// Depending on where the workflow notices, the batch is refused as a
	// whole (503) or the document is listed as not signed.
	switch {
	case r.StatusCode == http.StatusServiceUnavailable && r.code() == "stopped":
	case r.StatusCode == http.StatusOK && strings.Contains(r.body, `data-document="`+id+`" data-outcome="failed"`):
	default:
		t.Fatalf("sign after stop: %d %q, want 503 stopped or the document listed as not signed", r.StatusCode, r.code())
	}
	if d, _ := f.env.Store.Document(context.Background(), id); d.SignedCount() != 0 {
		t.Fatal("signed after the service stopped")
	}
}
