package staffweb

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/workflow"
	"github.com/kyso-vn/kyso/workflow/workflowtest"
)

// loginWith logs username in with password through the form.
func (f *fixture) loginWith(t *testing.T, username, password string) *client {
	t.Helper()
	c := f.client(t)
	c.get("/staff/login")
	r := c.post("/staff/login", url.Values{"csrf": {c.csrf}, "username": {username}, "password": {password}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d %q, want 303", username, r.StatusCode, r.code())
	}
	c.get("/staff/queue")
	return c
}

// loginFails checks that username cannot log in with password.
func (f *fixture) loginFails(t *testing.T, username, password string) {
	t.Helper()
	c := f.client(t)
	c.get("/staff/login")
	c.post("/staff/login", url.Values{"csrf": {c.csrf}, "username": {username}, "password": {password}}).
		want(t, http.StatusUnauthorized, "bad_credentials")
}

// usbChain issues a signing certificate for a new key, as a person's own
// USB token would hold, and returns the chain as PEM.
func usbChain(t *testing.T, env *workflowtest.Env, cn string) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := env.CA.IssueSigner(rand.Reader, k.Public(), devca.Subject{CommonName: cn, Organization: "Trường THPT Chuyên Bến Tre"},
		env.Clock.Now().Add(-time.Hour), 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return devca.CertsPEM(append([]*x509.Certificate{cert}, env.CA.Chain()...)...)
}

// fieldOf is the field an error banner names, or "".
var fieldRE = regexp.MustCompile(`data-field="([a-z0-9_]+)"`)

func (r *response) field() string {
	if m := fieldRE.FindStringSubmatch(r.body); m != nil {
		return m[1]
	}
	return ""
}

// wantField checks the status, the error code and the field named.
func (r *response) wantField(t *testing.T, status int, code, field string) {
	t.Helper()
	r.want(t, status, code)
	if got := r.field(); got != field {
		t.Fatalf("%s %s: field %q, want %q\n%.3000s", r.Request.Method, r.Request.URL.Path, got, field, r.body)
	}
}

// snapshot is every account with its assignments, to tell that a refused
// form changed nothing.
func snapshot(t *testing.T, s *workflow.Store) string {
	t.Helper()
	ctx := context.Background()
	accts, err := s.Accounts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, a := range accts {
		as, err := s.Assignments(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%+v %+v\n", a, as)
	}
	return b.String()
}

// TestAccountsAccess: only a school's or a Sở's IT administrator manages
// accounts, and only their own organisation's; another's is "not found".
func TestAccountsAccess(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	id := func(u string) string { return f.env.Account(t, u).ID }
	before := snapshot(t, f.env.Store)
	tests := []struct {
		user, method, path string
		status             int
		code               string
	}{
		{workflowtest.MathTeacher, "GET", "/staff/accounts", http.StatusForbidden, "forbidden"},
		{workflowtest.Principal, "GET", "/staff/accounts", http.StatusForbidden, "forbidden"},
		{workflowtest.Director, "GET", "/staff/accounts", http.StatusForbidden, "forbidden"},
		{workflowtest.MathTeacher, "GET", "/staff/accounts/" + id(workflowtest.MathTeacher), http.StatusForbidden, "forbidden"},
		{workflowtest.MathTeacher, "GET", "/staff/tokens", http.StatusForbidden, "forbidden"},
		{workflowtest.MathTeacher, "POST", "/staff/accounts/" + id(workflowtest.Homeroom) + "/disable", http.StatusForbidden, "forbidden"},
		{workflowtest.MathTeacher, "POST", "/staff/tokens", http.StatusForbidden, "forbidden"},
		{workflowtest.SchoolAdmin, "GET", "/staff/accounts", http.StatusOK, ""},
		{workflowtest.DeptAdmin, "GET", "/staff/accounts", http.StatusOK, ""},
		{workflowtest.SchoolAdmin, "GET", "/staff/accounts/" + id(workflowtest.MathTeacher), http.StatusOK, ""},
		{workflowtest.SchoolAdmin, "GET", "/staff/accounts/" + id(workflowtest.DeptAdmin), http.StatusNotFound, "not_found"},
		{workflowtest.SchoolAdmin, "GET", "/staff/accounts/" + id(workflowtest.Director), http.StatusNotFound, "not_found"},
		{workflowtest.DeptAdmin, "GET", "/staff/accounts/" + id(workflowtest.MathTeacher), http.StatusNotFound, "not_found"},
		{workflowtest.SchoolAdmin, "GET", "/staff/accounts/0123456789abcdef", http.StatusNotFound, "not_found"},
		{workflowtest.SchoolAdmin, "POST", "/staff/accounts/" + id(workflowtest.DeptAdmin) + "/disable", http.StatusNotFound, "not_found"},
		{workflowtest.DeptAdmin, "POST", "/staff/accounts/" + id(workflowtest.MathTeacher) + "/password", http.StatusNotFound, "not_found"},
		{workflowtest.DeptAdmin, "POST", "/staff/accounts/" + id(workflowtest.MathTeacher) + "/assign", http.StatusNotFound, "not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.user+" "+tc.method+" "+tc.path, func(t *testing.T) {
			c := f.login(t, tc.user)
			var r *response
			if tc.method == "GET" {
				r = c.get(tc.path)
			} else {
				pw := "một-mật-khẩu-mới-toanh"
				r = c.post(tc.path, url.Values{"csrf": {c.csrf}, "password": {pw}, "password2": {pw}, "name": {"x"}, "scopes": {"read"}, "days": {"9"},
					"role": {"subject_teacher"}, "school_year": {workflowtest.Year}, "class": {"11B2"}, "subject": {"Toán"}})
			}
			r.want(t, tc.status, tc.code)
		})
	}
	if after := snapshot(t, f.env.Store); after != before {
		t.Fatalf("refused requests changed accounts:\n%s\nwant\n%s", after, before)
	}
	f.login(t, workflowtest.MathTeacher) // the password is unchanged

	// The navigation offers the pages to administrators only; each lists
	// its own organisation's accounts and offers its kind's roles.
	for _, tc := range []struct {
		user        string
		nav         bool
		lists, not  string
		roles, none []workflow.Role
	}{
		{workflowtest.SchoolAdmin, true, workflowtest.MathTeacher, workflowtest.DeptAdmin,
			[]workflow.Role{workflow.RoleSchoolAdmin, workflow.RoleSubjectTeacher, workflow.RoleHomeroomTeacher, workflow.RolePrincipal, workflow.RoleSealKeeper},
			[]workflow.Role{workflow.RoleDirector, workflow.RoleDepartmentAdmin}},
		{workflowtest.DeptAdmin, true, workflowtest.Director, workflowtest.SchoolAdmin,
			[]workflow.Role{workflow.RoleDirector, workflow.RoleDepartmentAdmin},
			[]workflow.Role{workflow.RoleSchoolAdmin, workflow.RoleSubjectTeacher}},
		{workflowtest.Principal, false, "", "", nil, nil},
	} {
		c := f.login(t, tc.user)
		if got := strings.Contains(c.get("/staff/queue").body, `href="/staff/accounts"`); got != tc.nav {
			t.Errorf("%s: accounts in the navigation %v, want %v", tc.user, got, tc.nav)
		}
		if !tc.nav {
			continue
		}
		r := c.get("/staff/accounts")
		if !strings.Contains(r.body, `data-account="`+tc.lists+`"`) || strings.Contains(r.body, `data-account="`+tc.not+`"`) {
			t.Errorf("%s: the list does not show %s only among the two", tc.user, tc.lists)
		}
		for _, role := range tc.roles {
			if !strings.Contains(r.body, `name="roles" value="`+string(role)+`"`) {
				t.Errorf("%s: role %s not offered", tc.user, role)
			}
		}
		for _, role := range tc.none {
			if strings.Contains(r.body, `name="roles" value="`+string(role)+`"`) {
				t.Errorf("%s: role %s offered", tc.user, role)
			}
		}
	}
}

// TestAccountLifecycle: an administrator creates an account, assigns it,
// registers its USB token's certificate, resets its password, disables and
// enables it; the person logs in; every change is audited under the
// administrator's account.
func TestAccountLifecycle(t *testing.T) {
	tests := []struct {
		name, admin, username, fullName string
		roles                           []workflow.Role
		assign                          *workflow.Assignment
	}{
		{"school teacher", workflowtest.SchoolAdmin, "lan.pham", "Phạm Thị Lan", []workflow.Role{workflow.RoleSubjectTeacher, workflow.RoleHomeroomTeacher},
			&workflow.Assignment{Role: workflow.RoleSubjectTeacher, SchoolYear: workflowtest.Year, Class: "10A2", Subject: "Toán"}},
		{"Sở director", workflowtest.DeptAdmin, "hung.vo", "Võ Văn Hùng", []workflow.Role{workflow.RoleDirector}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, workflowtest.Options{}, nil)
			ctx := context.Background()
			admin := f.login(t, tc.admin)
			adminID := f.env.Account(t, tc.admin).ID
			password := "Mật khẩu ban đầu 2025"
			admin.get("/staff/accounts")
			form := url.Values{"csrf": {admin.csrf}, "username": {"  " + strings.ToUpper(tc.username) + " "}, "full_name": {tc.fullName},
				"password": {password}, "password2": {password}}
			for _, r := range tc.roles {
				form.Add("roles", string(r))
			}
			r := admin.post("/staff/accounts", form)
			if r.StatusCode != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "?done=created") {
				t.Fatalf("create: %d %q %s\n%.2000s", r.StatusCode, r.code(), r.Header.Get("Location"), r.body)
			}
			a, err := f.env.Store.AccountByUsername(ctx, tc.username)
			if err != nil {
				t.Fatal(err)
			}
			if a.FullName != tc.fullName || !slices.Equal(a.Roles, tc.roles) || a.KeyKind != workflow.KeyNone || a.OrgID != f.env.Account(t, tc.admin).OrgID {
				t.Fatalf("created %+v", a)
			}
			page := "/staff/accounts/" + a.ID
			if p := admin.get(r.Header.Get("Location")); p.StatusCode != http.StatusOK || !strings.Contains(p.body, `class="banner ok"`) {
				t.Fatalf("account page after creation: %d", p.StatusCode)
			}
			if strings.Contains(f.log.String(), password) {
				t.Fatal("the password is in the log")
			}

			if tc.assign != nil {
				x := *tc.assign
				r = admin.post(page+"/assign", url.Values{"csrf": {admin.csrf}, "role": {string(x.Role)}, "school_year": {x.SchoolYear}, "class": {x.Class}, "subject": {x.Subject}})
				if r.StatusCode != http.StatusSeeOther {
					t.Fatalf("assign: %d %q\n%.2000s", r.StatusCode, r.code(), r.body)
				}
				x.AccountID = a.ID
				if as, _ := f.env.Store.Assignments(ctx, a.ID); !slices.Equal(as, []workflow.Assignment{x}) {
					t.Fatalf("assignments %+v, want %+v", as, x)
				}
				if p := admin.get(page); !strings.Contains(p.body, `action="`+page+`/unassign"`) {
					t.Fatal("the account page has no remove button for the assignment")
				}
			}

			chain := usbChain(t, f.env, tc.fullName)
			r = admin.postMultipart(page+"/key", url.Values{"csrf": {admin.csrf}, "key_kind": {"usb"}, "key_uri": {"pkcs11:token=typed-before"}},
				upload{"certificates", "chain.pem", chain})
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("key: %d %q\n%.3000s", r.StatusCode, r.code(), r.body)
			}
			if a, _ = f.env.Store.Account(ctx, a.ID); a.KeyKind != workflow.KeyUSB || a.KeyURI != "" || a.Certificates == "" {
				t.Fatalf("key not registered: %+v", a)
			}
			p := admin.get(page)
			if !strings.Contains(p.body, `data-key="usb"`) || !strings.Contains(p.body, tc.fullName) || !strings.Contains(p.body, "02/06/2026") {
				t.Errorf("the account page does not show the USB key, its name and its end:\n%.4000s", p.body)
			}

			person := f.loginWith(t, tc.username, password)
			if q := person.get("/staff/queue"); !strings.Contains(q.body, `id="usb"`) {
				t.Error("the new signer's queue does not explain USB signing")
			}
			person.get("/staff/accounts").want(t, http.StatusForbidden, "forbidden")

			newPassword := "Mật khẩu thứ hai 2025"
			r = admin.post(page+"/password", url.Values{"csrf": {admin.csrf}, "password": {newPassword}, "password2": {newPassword}})
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("password: %d %q", r.StatusCode, r.code())
			}
			if q := person.get("/staff/queue"); q.StatusCode != http.StatusSeeOther {
				t.Errorf("the person's session survived the new password: %d", q.StatusCode)
			}
			f.loginFails(t, tc.username, password)
			person = f.loginWith(t, tc.username, newPassword)

			admin.post(page+"/disable", url.Values{"csrf": {admin.csrf}})
			if a, _ = f.env.Store.Account(ctx, a.ID); !a.Disabled {
				t.Fatal("not disabled")
			}
			if q := person.get("/staff/queue"); q.StatusCode != http.StatusSeeOther {
				t.Errorf("the disabled person's session survived: %d", q.StatusCode)
			}
			f.loginFails(t, tc.username, newPassword)
			if l := admin.get("/staff/accounts"); !regexp.MustCompile(`data-account="` + tc.username + `" class="off">(?s:.*?)data-state="disabled"`).MatchString(l.body) {
				t.Error("the list does not show the account disabled")
			}
			admin.post(page+"/enable", url.Values{"csrf": {admin.csrf}})
			f.loginWith(t, tc.username, newPassword)

			if tc.assign != nil {
				x := *tc.assign
				r = admin.post(page+"/unassign", url.Values{"csrf": {admin.csrf}, "role": {string(x.Role)}, "school_year": {x.SchoolYear}, "class": {x.Class}, "subject": {x.Subject}})
				if as, _ := f.env.Store.Assignments(ctx, a.ID); r.StatusCode != http.StatusSeeOther || len(as) != 0 {
					t.Fatalf("unassign: %d, left %v", r.StatusCode, as)
				}
				// Removing it again: not found, on the account's page.
				admin.post(page+"/unassign", url.Values{"csrf": {admin.csrf}, "role": {string(x.Role)}, "school_year": {x.SchoolYear}, "class": {x.Class}, "subject": {x.Subject}}).
					want(t, http.StatusNotFound, "not_found")
			}

			// Every change is the administrator's in the audit log.
			entries, err := f.env.Store.AuditLog(ctx, a.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			changes := 0
			for _, e := range entries {
				switch e.Action {
				case workflow.ActionCreateAccount, workflow.ActionUpdateAccount, workflow.ActionAssign:
					changes++
					if e.Actor != "account:"+adminID {
						t.Errorf("audit %s by %q, want account:%s", e.Action, e.Actor, adminID)
					}
				}
			}
			want := 5 // create, key, password, disable, enable
			if tc.assign != nil {
				want += 2
			}
			if changes != want {
				t.Errorf("%d changes audited, want %d: %+v", changes, want, entries)
			}

			// An administrator cannot disable themselves.
			admin.post("/staff/accounts/"+adminID+"/disable", url.Values{"csrf": {admin.csrf}}).want(t, http.StatusForbidden, "disable_self")
			if me, _ := f.env.Store.Account(ctx, adminID); me.Disabled {
				t.Fatal("the administrator disabled themselves")
			}
		})
	}
}

// TestAccountLocked: the list shows a locked account until when, and a new
// password lifts the lock.
func TestAccountLocked(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	for range workflow.DefaultPolicy.MaxFailures {
		f.loginFails(t, workflowtest.MathTeacher, "sai mật khẩu rồi")
	}
	admin := f.login(t, workflowtest.SchoolAdmin)
	list := admin.get("/staff/accounts")
	if !regexp.MustCompile(`data-account="` + workflowtest.MathTeacher + `"(?s:.*?)data-state="locked">[^<]*02/06/2025 15:15`).MatchString(list.body) {
		t.Fatalf("the list does not show the teacher locked until 15:15:\n%s", list.body)
	}
	pw := "mật khẩu sau khi khoá"
	id := f.env.Account(t, workflowtest.MathTeacher).ID
	r := admin.post("/staff/accounts/"+id+"/password", url.Values{"csrf": {admin.csrf}, "password": {pw}, "password2": {pw}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("password: %d %q", r.StatusCode, r.code())
	}
	f.loginWith(t, workflowtest.MathTeacher, pw)
}

// TestAccountBadInput: a refused form is answered 4xx naming the field,
// keeps what was typed but never a password or a PIN, and changes
// nothing.
func TestAccountBadInput(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	admin := f.login(t, workflowtest.SchoolAdmin)
	math := "/staff/accounts/" + f.env.Account(t, workflowtest.MathTeacher).ID
	lit := "/staff/accounts/" + f.env.Account(t, "ngoc.tran").ID
	mathName := f.env.Account(t, workflowtest.MathTeacher).FullName
	good := "Mật khẩu tốt 2025"
	create := func(username, fullName, pw, pw2 string, roles ...string) func() *response {
		return func() *response {
			return admin.post("/staff/accounts", url.Values{"csrf": {admin.csrf}, "username": {username}, "full_name": {fullName},
				"roles": roles, "password": {pw}, "password2": {pw2}})
		}
	}
	key := func(path, kind, uri string, cert []byte) func() *response {
		return func() *response {
			var files []upload
			if cert != nil {
				files = append(files, upload{"certificates", "chain.pem", cert})
			}
			return admin.postMultipart(path+"/key", url.Values{"csrf": {admin.csrf}, "key_kind": {kind}, "key_uri": {uri}}, files...)
		}
	}
	assign := func(path, role, year, class, subject string) func() *response {
		return func() *response {
			return admin.post(path+"/assign", url.Values{"csrf": {admin.csrf}, "role": {role}, "school_year": {year}, "class": {class}, "subject": {subject}})
		}
	}
	password := func(pw, pw2 string) func() *response {
		return func() *response {
			return admin.post(math+"/password", url.Values{"csrf": {admin.csrf}, "password": {pw}, "password2": {pw2}})
		}
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	privateKey := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	const pin = "246813579"
	tests := []struct {
		name   string
		post   func() *response
		status int
		code   string
		field  string
		// kept is text the page shows again; secret must not be in it.
		kept, secret string
	}{
		{"short password", create("new.one", "Người Mới", "ngắn", "ngắn", "subject_teacher"), 400, "invalid_field", "password", `value="new.one"`, "ngắn"},
		{"one character repeated", create("new.one", "Người Mới", "aaaaaaaaaaaa", "aaaaaaaaaaaa", "subject_teacher"), 400, "invalid_field", "password", `value="Người Mới"`, "aaaaaaaaaaaa"},
		{"passwords differ", create("new.one", "Người Mới", good, good+"!", "subject_teacher"), 400, "password_mismatch", "password2", `value="subject_teacher" checked`, good},
		{"bad username", create("Bad Name!", "Người Mới", good, good, "subject_teacher"), 400, "invalid_field", "username", `value="bad name!"`, good},
		{"username taken", create(workflowtest.MathTeacher, "Người Mới", good, good, "subject_teacher"), 409, "username_taken", "username", "", good},
		{"no name", create("new.one", "  ", good, good, "subject_teacher"), 400, "invalid_field", "full_name", "", good},
		{"no role", create("new.one", "Người Mới", good, good), 400, "invalid_field", "roles", "", good},
		{"a Sở's role in a school", create("new.one", "Người Mới", good, good, "so_director"), 400, "invalid_field", "roles", "", good},
		{"certificate of another name", key(math, "usb", "", usbChain(t, f.env, "Người Khác")), 400, "invalid_field", "certificates", `value="usb" checked`, ""},
		{"private key for a certificate", key(math, "usb", "", privateKey), 400, "invalid_field", "certificates", "", strings.Split(string(privateKey), "\n")[1]},
		{"no certificate", key(math, "usb", "", nil), 400, "no_file", "certificates", "", ""},
		{"not a certificate", key(math, "usb", "", []byte("hello")), 400, "invalid_field", "certificates", "", ""},
		{"URI with the PIN", key(math, "hsm", "pkcs11:token=kyso-ha.nguyen;object=sign?pin-value="+pin, usbChain(t, f.env, mathName)), 400, "invalid_field", "key_uri", `value="hsm" checked`, pin},
		{"HSM without URI", key(math, "hsm", "", usbChain(t, f.env, mathName)), 400, "invalid_field", "key_uri", "", ""},
		{"URI not pkcs11", key(math, "hsm", "https://example.com/key", usbChain(t, f.env, mathName)), 400, "invalid_field", "key_uri", "https://example.com/key", ""},
		{"unknown key kind", key(math, "cloud", "", nil), 400, "invalid_field", "key_kind", "", ""},
		{"class taken", assign(lit, "subject_teacher", workflowtest.Year, workflowtest.Class, "Toán"), 409, "assignment_taken", "subject", `value="10A1"`, ""},
		{"bad school year", assign(math, "subject_teacher", "2024-2026", "10A2", "Toán"), 400, "invalid_field", "school_year", `value="2024-2026"`, ""},
		{"role not held", assign(math, "homeroom_teacher", workflowtest.Year, "10A2", ""), 400, "invalid_field", "role", "", ""},
		{"subject teacher without subject", assign(math, "subject_teacher", workflowtest.Year, "10A2", ""), 400, "invalid_field", "subject", "", ""},
		{"new password short", password("ngắn quá", "ngắn quá"), 400, "invalid_field", "password", "", "ngắn quá"},
		{"new passwords differ", password(good, "Mật khẩu khác 2025"), 400, "password_mismatch", "password2", "", good},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			admin.get("/staff/accounts")
			before := snapshot(t, f.env.Store)
			r := tc.post()
			r.wantField(t, tc.status, tc.code, tc.field)
			if tc.kept != "" && !strings.Contains(r.body, tc.kept) {
				t.Errorf("the form lost %s", tc.kept)
			}
			if tc.secret != "" && strings.Contains(r.body, tc.secret) {
				t.Errorf("the page shows %q", tc.secret)
			}
			if after := snapshot(t, f.env.Store); after != before {
				t.Fatalf("a refused form changed accounts:\n%s\nwant\n%s", after, before)
			}
		})
	}
	f.login(t, workflowtest.MathTeacher) // the password is the fixture's still
	if strings.Contains(f.log.String(), pin) || strings.Contains(f.log.String(), good) {
		t.Error("a PIN or a password is in the log")
	}
}

var secretRE = regexp.MustCompile(`kyso_[0-9a-f]{16}_[A-Za-z0-9_-]{43}`)

// api calls the staff API with a bearer token.
func (c *client) api(method, path, token string) *response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.f.srv.URL+path, strings.NewReader("a,b\n"))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/csv")
	return c.do(req)
}

// TestTokenPages: an administrator makes an API token, sees its secret
// once, uses it on the API with its scope only, and revokes it.
func TestTokenPages(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	ctx := context.Background()
	adminID := f.env.Account(t, workflowtest.SchoolAdmin).ID
	admin := f.login(t, workflowtest.SchoolAdmin)
	if r := admin.get("/staff/tokens"); r.StatusCode != http.StatusOK || strings.Contains(r.body, `data-token="`) {
		t.Fatalf("tokens page: %d", r.StatusCode)
	}

	t.Run("bad input", func(t *testing.T) {
		tests := []struct {
			name        string
			form        url.Values
			status      int
			code, field string
		}{
			{"no lifetime", url.Values{"name": {"SMIS"}, "scopes": {"read"}}, 400, "bad_lifetime", "days"},
			{"lifetime 0", url.Values{"name": {"SMIS"}, "scopes": {"read"}, "days": {"0"}}, 400, "bad_lifetime", "days"},
			{"lifetime too long", url.Values{"name": {"SMIS"}, "scopes": {"read"}, "days": {"100000"}}, 400, "bad_lifetime", "days"},
			{"no scope", url.Values{"name": {"SMIS"}, "days": {"30"}}, 400, "invalid_field", "scopes"},
			{"unknown scope", url.Values{"name": {"SMIS"}, "scopes": {"admin"}, "days": {"30"}}, 400, "invalid_field", "scopes"},
			{"no name", url.Values{"name": {" "}, "scopes": {"read"}, "days": {"30"}}, 400, "invalid_field", "name"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tc.form.Set("csrf", admin.csrf)
				r := admin.post("/staff/tokens", tc.form)
				r.wantField(t, tc.status, tc.code, tc.field)
				if secretRE.MatchString(r.body) {
					t.Error("a refused form shows a secret")
				}
			})
		}
		if toks, _ := f.env.Store.APITokens(ctx, adminID); len(toks) != 0 {
			t.Fatalf("refused forms made %d tokens", len(toks))
		}
	})

	r := admin.post("/staff/tokens", url.Values{"csrf": {admin.csrf}, "name": {"SMIS đọc tiến độ"}, "scopes": {"read"}, "days": {"30"}})
	r.want(t, http.StatusCreated, "")
	secrets := secretRE.FindAllString(r.body, -1)
	if len(secrets) != 1 || !strings.Contains(r.body, "data-once") {
		t.Fatalf("the result page shows %d secrets, want one with the warning:\n%s", len(secrets), r.body)
	}
	secret := secrets[0]
	if strings.Contains(f.log.String(), secret) {
		t.Error("the secret is in the log")
	}
	toks, err := f.env.Store.APITokens(ctx, adminID)
	if err != nil || len(toks) != 1 || !slices.Equal(toks[0].Scopes, []workflow.Scope{workflow.ScopeRead}) ||
		!toks[0].ExpiresAt.Equal(workflowtest.Start.Add(30*24*time.Hour)) {
		t.Fatalf("tokens %+v %v", toks, err)
	}
	tok := toks[0]
	list := admin.get("/staff/tokens")
	if strings.Contains(list.body, secret) || !strings.Contains(list.body, `data-token="`+tok.ID+`" data-state="active"`) {
		t.Fatalf("the list shows the secret again or not the token:\n%s", list.body)
	}

	system := f.client(t)
	if r := system.api("GET", "/staff/api/v1/progress", secret); r.StatusCode != http.StatusOK || !strings.Contains(r.body, `"progress"`) {
		t.Fatalf("progress with the token: %d %s", r.StatusCode, r.body)
	}
	if r := system.api("POST", "/staff/api/v1/imports?kind=gradebook&name=x.csv", secret); r.StatusCode != http.StatusForbidden {
		t.Fatalf("import with a read token: %d, want 403", r.StatusCode)
	}
	if list := admin.get("/staff/tokens"); strings.Contains(list.body, "Chưa dùng") {
		t.Error("the list does not show the token's use")
	}

	// Another administrator cannot revoke it: not found.
	other := f.login(t, workflowtest.DeptAdmin)
	other.get("/staff/tokens")
	other.post("/staff/tokens/"+tok.ID+"/revoke", url.Values{"csrf": {other.csrf}}).want(t, http.StatusNotFound, "not_found")
	if r := system.api("GET", "/staff/api/v1/progress", secret); r.StatusCode != http.StatusOK {
		t.Fatalf("the token stopped working after another's revocation: %d", r.StatusCode)
	}

	r = admin.post("/staff/tokens/"+tok.ID+"/revoke", url.Values{"csrf": {admin.csrf}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/staff/tokens?done=revoked" {
		t.Fatalf("revoke: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if r := system.api("GET", "/staff/api/v1/progress", secret); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("progress with a revoked token: %d, want 401", r.StatusCode)
	}
	if list := admin.get("/staff/tokens"); !strings.Contains(list.body, `data-token="`+tok.ID+`" data-state="revoked"`) ||
		strings.Contains(list.body, `action="/staff/tokens/`+tok.ID+`/revoke"`) {
		t.Error("the list does not show the token revoked, without a button")
	}
	entries, _ := f.env.Store.AuditLog(ctx, tok.ID, 10)
	for _, e := range entries {
		if e.Actor != "account:"+adminID {
			t.Errorf("audit %s by %q, want the administrator", e.Action, e.Actor)
		}
	}
	if len(entries) != 2 {
		t.Errorf("%d audit entries for the token, want create and revoke", len(entries))
	}
}

// TestParsePasswordForm: both password fields are read as bytes, neither
// is among the string values, and each may appear once.
func TestParsePasswordForm(t *testing.T) {
	f, err := parseSecretForm([]byte("csrf=x&password=m%E1%BA%ADt+kh%E1%BA%A9u&username=a.b&password2=other&roles=principal&roles=seal_keeper"), "password", "password2")
	if err != nil {
		t.Fatal(err)
	}
	if string(f.get("password")) != "mật khẩu" || string(f.secret) != "mật khẩu" || string(f.get("password2")) != "other" ||
		f.values.Has("password") || f.values.Has("password2") || len(f.values["roles"]) != 2 || f.values.Get("username") != "a.b" {
		t.Fatalf("parsed %q %q %v", f.get("password"), f.get("password2"), f.values)
	}
	first, second := f.get("password"), f.get("password2")
	f.wipe()
	if strings.Trim(string(first), "\x00") != "" || strings.Trim(string(second), "\x00") != "" {
		t.Error("wipe left a password")
	}
	for _, bad := range []string{"password=a&password2=b&password2=c", "password2=%zz", "password=a&x=%zz"} {
		if _, err := parseSecretForm([]byte(bad), "password", "password2"); !errors.Is(err, errBadForm) {
			t.Errorf("parseSecretForm(%q): %v, want errBadForm", bad, err)
		}
	}
	if f, err := parseSecretForm([]byte("csrf=x"), "password", "password2"); err != nil || f.get("password") != nil || f.secret != nil {
		t.Errorf("no password: %v %v", f, err)
	}
}

func TestInvalidField(t *testing.T) {
	tests := []struct {
		err           error
		field, detail string
	}{
		{fmt.Errorf("create account: %w", fmt.Errorf("%w: username %q: want 3 to 64", workflow.ErrInvalid, "a: class: b")), "username", `username "a: class: b": want 3 to 64`},
		{fmt.Errorf("create account: %w", fmt.Errorf("%w: account class: full_name: want 1 to 200", workflow.ErrInvalid)), "full_name", "account class: full_name: want 1 to 200"},
		{fmt.Errorf("set key of x: %w: key_uri: remove pin-value", workflow.ErrInvalid), "key_uri", "key_uri: remove pin-value"},
		{fmt.Errorf("set key of x: %w: certificates: the signer's common name \"A\" is not the account's full name", workflow.ErrInvalid), "certificates", `certificates: the signer's common name "A" is not the account's full name`},
		{fmt.Errorf("assign x: %w: school_year %q: want YYYY-YYYY", workflow.ErrInvalid, "2024"), "school_year", `school_year "2024": want YYYY-YYYY`},
		{fmt.Errorf("create API token: %w: expires: in the past", workflow.ErrInvalid), "days", "expires: in the past"},
		{fmt.Errorf("%w: password: fewer than 10 characters", workflow.ErrInvalid), "password", "password: fewer than 10 characters"},
		{fmt.Errorf("%w: something else", workflow.ErrInvalid), "", "something else"},
	}
	for _, tc := range tests {
		field, detail := invalidField(tc.err)
		if field != tc.field || detail != tc.detail {
			t.Errorf("invalidField(%v) = %q %q, want %q %q", tc.err, field, detail, tc.field, tc.detail)
		}
	}
	pe := classify(formError(fmt.Errorf("set key of x: %w: key_uri: remove pin-value", workflow.ErrInvalid), ""))
	if pe.Status != http.StatusBadRequest || pe.Code != "invalid_field" || pe.Field != "key_uri" ||
		pe.Message("vi") != "Giá trị ở mục “URI pkcs11 của khoá” không hợp lệ." || pe.Message("en") != "The value of “The key's pkcs11 URI” is not valid." {
		t.Errorf("classify of a key_uri refusal: %+v %q %q", pe, pe.Message("vi"), pe.Message("en"))
	}
	if err := formError(errors.New("disk on fire"), "x"); classify(err).Code != "internal" {
		t.Errorf("formError turned a failure into %q", classify(err).Code)
	}
}

// TestAccountMessages: the messages the account pages pick by name exist.
func TestAccountMessages(t *testing.T) {
	var keys []string
	for _, d := range accountDone {
		keys = append(keys, "account.done_"+d)
	}
	for _, s := range []string{"ok", "soon", "expired", "unreadable"} {
		keys = append(keys, "key.state_"+s)
	}
	for _, s := range []string{"active", "expired", "revoked"} {
		keys = append(keys, "tokens.state_"+s)
	}
	for _, f := range []string{"username", "full_name", "roles", "password", "password2", "key_kind", "key_uri", "certificates",
		"role", "school_year", "class", "subject", "name", "scopes", "days"} {
		keys = append(keys, "field."+f)
	}
	for _, sc := range workflow.Scopes {
		keys = append(keys, "scope."+string(sc))
	}
	for _, k := range keys {
		if _, ok := messages[k]; !ok {
			t.Errorf("no message %q", k)
		}
	}
}

func TestCertificatesPEM(t *testing.T) {
	ca, err := devca.New(rand.Reader, workflowtest.Start, devca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	chain := ca.Chain()
	pemChain := devca.CertsPEM(chain...)
	var der []byte
	for _, c := range chain {
		der = append(der, c.Raw...)
	}
	for _, in := range [][]byte{pemChain, der} {
		got, err := certificatesPEM(in)
		if err != nil || got != string(pemChain) {
			t.Errorf("certificatesPEM: %v, got\n%s", err, got)
		}
	}
	if _, err := certificatesPEM([]byte("not a certificate")); !errors.Is(err, workflow.ErrInvalid) {
		t.Errorf("certificatesPEM of text: %v, want ErrInvalid", err)
	}
}

// FuzzCertificatesPEM: whatever is uploaded, the conversion returns PEM
// that holds the same certificates, or ErrInvalid.
func FuzzCertificatesPEM(f *testing.F) {
	ca, err := devca.New(rand.Reader, workflowtest.Start, devca.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(devca.CertsPEM(ca.Chain()...))
	f.Add(ca.Chain()[0].Raw)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte{0x30, 0x82, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := certificatesPEM(data)
		if err != nil {
			if !errors.Is(err, workflow.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if strings.Contains(string(data), "-----BEGIN") {
			if got != string(data) {
				t.Fatal("PEM input changed")
			}
			return
		}
		certs, err := x509.ParseCertificates(data)
		if err != nil {
			t.Fatalf("accepted DER that does not parse: %v", err)
		}
		var n int
		for rest := []byte(got); ; n++ {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				break
			}
			if string(b.Bytes) != string(certs[n].Raw) {
				t.Fatalf("certificate %d changed", n)
			}
		}
		if n != len(certs) {
			t.Fatalf("%d PEM blocks for %d certificates", n, len(certs))
		}
	})
}

// TestBrowserAccounts does what a school's IT administrator does in a
// browser: opens the accounts, creates a teacher, assigns a class,
// registers the teacher's USB token certificate, fails a form, and makes
// an API token. With STAFFWEB_SCREENSHOTS=DIR it saves the pages as
// 20-accounts-*.png.
func TestBrowserAccounts(t *testing.T) {
	ctx := browser(t)
	env := workflowtest.New(t, workflowtest.Options{USB: []string{"ngoc.tran"}})
	ts := site(t, env)
	shots := &shooter{t: t, ctx: ctx, dir: os.Getenv("STAFFWEB_SCREENSHOTS"), width: 1280}
	if shots.dir != "" {
		if err := os.MkdirAll(shots.dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return strings.TrimSpace(v)
	}
	// Lock an account, for the list to show it.
	for range workflow.DefaultPolicy.MaxFailures {
		_, _ = env.Auth.Login(context.Background(), workflowtest.Homeroom, []byte("sai mật khẩu"))
	}
	do(
		chromedp.Navigate(ts.URL+"/staff/"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), workflowtest.SchoolAdmin),
		chromedp.SendKeys(chromedp.CSS("#password"), workflowtest.Password),
		chromedp.Click(chromedp.CSS(`form.stack button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("nav.main")),
		chromedp.Click(chromedp.CSS(`nav.main a[href="/staff/accounts"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.accounts")),
	)
	shots.shot("20-accounts-list")

	const pw = "Mật khẩu ban đầu 2025"
	do(
		chromedp.Click(chromedp.CSS("#new summary")),
		chromedp.WaitVisible(chromedp.CSS("#full_name")),
		chromedp.SendKeys(chromedp.CSS("#username"), "lan.pham"),
		chromedp.SendKeys(chromedp.CSS("#full_name"), "Phạm Thị Lan"),
		chromedp.Click(chromedp.CSS(`input[name=roles][value=subject_teacher]`)),
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.SendKeys(chromedp.CSS("#password2"), pw+"x"),
		chromedp.Click(chromedp.CSS(`#new button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.banner[data-code]`)),
	)
	if got := text(".banner[data-code] strong"); got != "Hai lần nhập mật khẩu không giống nhau." {
		t.Fatalf("refusal says %q", got)
	}
	shots.shot("20-accounts-refused")
	do(
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.SendKeys(chromedp.CSS("#password2"), pw),
		chromedp.Click(chromedp.CSS(`#new button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#assignments")),
		chromedp.SendKeys(chromedp.CSS("#class"), "10A2"),
		chromedp.SendKeys(chromedp.CSS("#subject"), "Toán"),
		chromedp.Click(chromedp.CSS(`#assignments button[type="submit"]:not(.small)`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-assignment]`)),
	)
	// A certificate of another name first: refused, naming the field.
	dir := t.TempDir()
	wrong := filepath.Join(dir, "nguoi-khac.pem")
	if err := os.WriteFile(wrong, usbChain(t, env, "Phạm Thị Lành"), 0o644); err != nil {
		t.Fatal(err)
	}
	do(
		chromedp.Click(chromedp.CSS(`input[name=key_kind][value=usb]`)),
		chromedp.SetUploadFiles(chromedp.CSS("#certificates"), []string{wrong}),
		chromedp.Click(chromedp.CSS(`#signing-key button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.banner[data-field="certificates"]`)),
	)
	shots.shot("20-accounts-key-refused")
	path := filepath.Join(dir, "lan-pham.pem")
	if err := os.WriteFile(path, usbChain(t, env, "Phạm Thị Lan"), 0o644); err != nil {
		t.Fatal(err)
	}
	do(
		chromedp.Click(chromedp.CSS(`input[name=key_kind][value=usb]`)),
		chromedp.SetUploadFiles(chromedp.CSS("#certificates"), []string{path}),
		chromedp.Click(chromedp.CSS(`#signing-key button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dd [data-key="usb"]`)),
	)
	shots.shot("20-accounts-account")
	a, err := env.Store.AccountByUsername(context.Background(), "lan.pham")
	if err != nil || a.KeyKind != workflow.KeyUSB {
		t.Fatalf("lan.pham: %+v %v", a, err)
	}

	// An HSM signer's page, in English.
	do(chromedp.Navigate(ts.URL+"/staff/accounts/"+env.Account(t, workflowtest.MathTeacher).ID+"?lang=en"), chromedp.WaitVisible(chromedp.CSS("#signing-key")))
	shots.shot("20-accounts-hsm-en")
	do(chromedp.Navigate(ts.URL+"/staff/tokens?lang=vi"), chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "SMIS gửi sổ điểm"),
		chromedp.Click(chromedp.CSS(`input[name=scopes][value=read]`)),
		chromedp.Click(chromedp.CSS(`#create button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#secret")),
	)
	secret, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('secret').value`))
	if err != nil || !secretRE.MatchString(secret) {
		t.Fatalf("secret %q %v", secret, err)
	}
	shots.shot("20-accounts-token")
	shots.width, shots.mobile = 390, true
	do(chromedp.EmulateViewport(390, 900, chromedp.EmulateScale(2)), chromedp.Navigate(ts.URL+"/staff/accounts"), chromedp.WaitVisible(chromedp.CSS("table.accounts")))
	shots.shot("20-accounts-list-mobile")
}
