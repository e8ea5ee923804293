package staffweb

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/workflow"
)

// vietnam is the time zone pages show times in (UTC+7, no daylight saving
// time).
var vietnam = time.FixedZone("ICT", 7*3600)

// clock is a time as HH:MM in Vietnam.
func clock(t time.Time) string { return t.In(vietnam).Format("15:04") }

// when is a date and time as pages show them, "—" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(vietnam).Format("02/01/2006 15:04")
}

// size is a byte count as "32 MB" or "512 KB".
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// day is a date as pages show them, "—" for none.
func day(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(vietnam).Format("02/01/2006")
}

var templateFuncs = template.FuncMap{
	"when": when,
	"day":  day,
	"inc":  func(i int) int { return i + 1 },
	"percent": func(done, total int) int {
		if total <= 0 {
			return 0
		}
		return done * 100 / total
	},
}

// userView is the signed-in person as the header shows them.
type userView struct {
	Name     string
	Username string
	Roles    string
	Org      string
	// What the navigation offers.
	Signs, CanProgress, CanImport, CanAccounts bool
}

// page is what every page template gets; each page's view embeds it.
type page struct {
	Lang  string
	Title string
	// Nav is the navigation entry of the page ("queue", "progress",
	// "imports").
	Nav  string
	User *userView
	// CSRF is the token the page's forms carry: the session's, or the
	// login form's.
	CSRF string
	// LangURL switches the page to the other language.
	LangURL string
	Error   *errorView
	Notice  string
}

// Bad reports whether the page's error names the form field: the
// templates mark that field aria-invalid.
func (p page) Bad(field string) bool { return p.Error != nil && p.Error.Field == field }

// T is the message key in the page's language, formatted with args.
func (p page) T(key string, args ...any) string { return tr(p.Lang, key, args...) }

// Other is the other language's code.
func (p page) Other() string {
	if p.Lang == "en" {
		return "vi"
	}
	return "en"
}

// newPage fills the page frame of a request: language, person, CSRF
// token, and the link to the other language (to the same page for a GET,
// to nav's page after a POST).
func (h *Handler) newPage(c *gin.Context, titleKey, nav string) page {
	lang := langOf(c)
	p := page{Lang: lang, Title: tr(lang, titleKey), Nav: nav}
	other := "en"
	if lang == "en" {
		other = "vi"
	}
	target := c.Request.URL.Path
	q := url.Values{}
	if c.Request.Method == "GET" {
		q = c.Request.URL.Query()
	} else if nav != "" {
		target = "/staff/" + nav
	} else {
		target = "/staff/queue"
	}
	q.Set("lang", other)
	p.LangURL = target + "?" + q.Encode()
	if s := sessionOf(c); s != nil {
		a := s.Account
		p.CSRF = s.CSRF
		u := &userView{Name: a.FullName, Username: a.Username, Signs: a.KeyKind != workflow.KeyNone,
			CanProgress: canProgress(a), CanImport: canImport(a)}
		if o := orgOf(c); o != nil {
			u.CanAccounts = managesAccounts(a, o)
		}
		var roles []string
		for _, r := range a.Roles {
			roles = append(roles, roleName(lang, r))
		}
		u.Roles = strings.Join(roles, ", ")
		if o := orgOf(c); o != nil {
			u.Org = o.Name
		}
		p.User = u
	}
	return p
}

// canProgress: the roles that watch their organisation's progress.
func canProgress(a *workflow.Account) bool {
	return a.Has(workflow.RoleSchoolAdmin) || a.Has(workflow.RolePrincipal) || a.Has(workflow.RoleDepartmentAdmin) || a.Has(workflow.RoleDirector)
}

// canImport: the roles that import data files.
func canImport(a *workflow.Account) bool {
	return a.Has(workflow.RoleSchoolAdmin) || a.Has(workflow.RoleDepartmentAdmin)
}

// managesAccounts: a school's IT administrator manages the school's
// accounts, a Sở's the Sở's own (not its schools').
func managesAccounts(a *workflow.Account, org *workflow.Org) bool {
	switch org.Kind {
	case workflow.OrgSchool:
		return a.Has(workflow.RoleSchoolAdmin)
	case workflow.OrgDepartment:
		return a.Has(workflow.RoleDepartmentAdmin)
	}
	return false
}

// importKinds are the kinds a may import for org.
func importKinds(a *workflow.Account, org *workflow.Org) []string {
	switch {
	case org.Kind == workflow.OrgDepartment && a.Has(workflow.RoleDepartmentAdmin):
		return []string{workflow.KindDiploma}
	case org.Kind == workflow.OrgSchool && a.Has(workflow.RoleSchoolAdmin):
		return []string{workflow.KindGradebook, workflow.KindTranscript}
	}
	return nil
}

// mayView reports whether a may see document d: they sign it, or they are
// its organisation's administrator or principal.
func mayView(a *workflow.Account, d *workflow.Document) bool {
	for _, st := range d.Steps {
		if st.AccountID == a.ID {
			return true
		}
	}
	return a.OrgID == d.OrgID && (a.Has(workflow.RoleSchoolAdmin) || a.Has(workflow.RoleDepartmentAdmin) || a.Has(workflow.RolePrincipal))
}

// kindOrder sorts kinds as pages list them.
func kindOrder(kind string) int {
	switch kind {
	case workflow.KindDiploma:
		return 0
	case workflow.KindGradebook:
		return 1
	case workflow.KindTranscript:
		return 2
	}
	return 3
}

func roleName(lang string, r workflow.Role) string { return trOr(lang, "role."+string(r), string(r)) }
func kindName(lang, kind string) string            { return trOr(lang, "kind."+kind, kind) }
func statusName(lang string, s workflow.Status) string {
	return trOr(lang, "status."+string(s), string(s))
}
func actionName(lang, action string) string { return trOr(lang, "action."+action, action) }

// methodName names how a step was signed.
func methodName(lang, method string) string {
	switch method {
	case workflow.MethodHSM:
		return tr(lang, "method.hsm")
	case workflow.MethodUSB:
		return tr(lang, "method.usb")
	}
	return ""
}

// yearLabel is "Năm học 2024-2025" or, for a diploma, "Năm tốt nghiệp
// 2025".
func yearLabel(lang, kind, year string) string {
	if year == "" {
		return ""
	}
	if kind == workflow.KindDiploma {
		return tr(lang, "label.grad_year", year)
	}
	return tr(lang, "label.school_year", year)
}
