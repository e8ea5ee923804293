package staffweb

import (
	"bytes"
	"context"
	"crypto/subtle"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/workflow"
)

// maxCertUpload bounds an uploaded certificate chain (the workflow keeps
// at most 64 KiB of PEM; a DER upload grows by a third as PEM).
const maxCertUpload = 48 << 10

// soonDays: a signing certificate that ends within this many days is
// flagged on the account pages.
const soonDays = 30

// keyView is an account's signing key as the account pages show it.
type keyView struct {
	// Kind is "hsm", "usb" or "none"; Label its words.
	Kind, Label string
	// URI is an HSM key's pkcs11: URI (it holds no PIN).
	URI string
	// CN and Issuer are the common names of the signing certificate
	// and of its issuer; NotBefore and NotAfter its validity.
	CN, Issuer          string
	NotBefore, NotAfter time.Time
	// State is "ok", "soon" (ends within soonDays), "expired", or
	// "unreadable"; "" without a key. StateLabel is its words.
	State, StateLabel string
}

// accountRow is an account as the list and its page show it.
type accountRow struct {
	ID, Name, Username string
	// Roles is the roles written out.
	Roles       string
	Key         keyView
	Disabled    bool
	LockedUntil time.Time // zero when not locked now
	Created     time.Time
	// Self: the account is the signed-in administrator's.
	Self bool
	// State is "active", "disabled" or "locked"; StateLabel its words
	// and StateClass its badge.
	State, StateLabel, StateClass string
}

// roleOption is a role checkbox or choice.
type roleOption struct {
	Role    workflow.Role
	Name    string
	Checked bool
}

// accountsView is the list of an organisation's accounts with the form
// that creates one.
type accountsView struct {
	page
	OrgName string
	Rows    []accountRow
	// The creation form: the roles of the organisation's kind, and what
	// was typed when it was refused (never the password).
	Roles              []roleOption
	Username, FullName string
}

// assignmentRow is an assignment in the account's table.
type assignmentRow struct {
	workflow.Assignment
	RoleName string
}

// accountView is one account's page.
type accountView struct {
	page
	Acct        accountRow
	Assignments []assignmentRow
	// TeacherRoles are the assignment roles the account holds; the
	// assignment form is shown when there is one.
	TeacherRoles []roleOption
	// School: the account is a school's (assignments are a school's).
	School bool
	// Assign is the assignment form's values.
	Assign workflow.Assignment
	// KeyKind and KeyURI are the key form's values.
	KeyKind, KeyURI string
	CertLimit       string
}

// accountForms are the values a refused form is shown again with.
type accountForms struct {
	assign  *workflow.Assignment
	keyKind string
	keyURI  string
}

// accountDone are the notices a change redirects to (?done=).
var accountDone = []string{"created", "assigned", "unassigned", "key", "password", "disabled", "enabled"}

// accountActor is the audit actor of the signed-in person: the workflow
// records every change under it.
func accountActor(a *workflow.Account) string { return "account:" + a.ID }

// accountAdmin returns the signed-in administrator and their organisation,
// or fails the request with 403.
func (h *Handler) accountAdmin(c *gin.Context) (*workflow.Account, *workflow.Org, bool) {
	a, org := sessionOf(c).Account, orgOf(c)
	if org == nil || !managesAccounts(a, org) {
		h.fail(c, workflow.ErrForbidden)
		return nil, nil, false
	}
	return a, org, true
}

// orgAccount loads the account of the path's :id: "not found" unless it
// belongs to the administrator's organisation.
func (h *Handler) orgAccount(c *gin.Context, admin *workflow.Account) (*workflow.Account, error) {
	id := c.Param("id")
	if id == "" || len(id) > 64 {
		return nil, workflow.ErrNotFound
	}
	a, err := h.store.Account(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	if a.OrgID != admin.OrgID {
		h.log(c).Info("account of another organisation hidden", "target_account_id", a.ID)
		return nil, workflow.ErrNotFound
	}
	return a, nil
}

// orgRoles are the roles an account of an organisation of kind k may
// hold, in the order pages show them.
func orgRoles(k workflow.OrgKind) []workflow.Role {
	var out []workflow.Role
	for _, r := range workflow.Roles {
		dept := r == workflow.RoleDirector || r == workflow.RoleDepartmentAdmin
		if dept == (k == workflow.OrgDepartment) {
			out = append(out, r)
		}
	}
	return out
}

// invalidFieldRE finds the field a workflow validation error names: the
// first of the known names, written before ":" or " " (`username "x":`,
// `certificates: ...`).
var invalidFieldRE = regexp.MustCompile(`(?:^|[\s:])(username|full_name|roles|password|key_kind|key_uri|certificates|role|school_year|class|subject|name|scopes|expires)(?:[:\s]|$)`)

// accountPrefixRE is the "account USERNAME: " a workflow error may begin
// with: a username may look like a field's name.
var accountPrefixRE = regexp.MustCompile(`^account [a-z0-9._-]+: `)

// invalidField splits a workflow error wrapping workflow.ErrInvalid into
// the form field it names ("" when none) and the workflow's words after
// "invalid value: ". The workflow's messages name the field but never
// quote a password or a PIN.
func invalidField(err error) (field, detail string) {
	msg := err.Error()
	mark := workflow.ErrInvalid.Error() + ": "
	if i := strings.LastIndex(msg, mark); i >= 0 {
		msg = msg[i+len(mark):]
	}
	detail = msg
	msg = accountPrefixRE.ReplaceAllString(msg, "")
	if m := invalidFieldRE.FindStringSubmatch(msg); m != nil {
		field = m[1]
	}
	if field == "expires" {
		field = "days" // the token form asks for a lifetime in days
	}
	return field, detail
}

// formError names the field of a workflow validation error (or fallback
// when the workflow's words name none). Other errors are returned as they
// are.
func formError(err error, fallback string) error {
	if err == nil || !errors.Is(err, workflow.ErrInvalid) {
		return err
	}
	field, detail := invalidField(err)
	if field == "" {
		field = fallback
	}
	if field == "" {
		return err
	}
	return &fieldError{Field: field, Code: "invalid_field", Detail: detail, Err: err}
}

// keyOf describes an account's key, its certificate read from the stored
// chain.
func keyOf(lang string, a *workflow.Account, now time.Time) keyView {
	k := keyView{Kind: "none", Label: tr(lang, "key.none"), URI: a.KeyURI}
	switch a.KeyKind {
	case workflow.KeyHSM:
		k.Kind, k.Label = "hsm", tr(lang, "key.hsm")
	case workflow.KeyUSB:
		k.Kind, k.Label = "usb", tr(lang, "key.usb")
	default:
		return k
	}
	k.State = "unreadable"
	if b, _ := pem.Decode([]byte(a.Certificates)); b != nil && b.Type == "CERTIFICATE" {
		if cert, err := x509.ParseCertificate(b.Bytes); err == nil {
			k.CN, k.Issuer = cert.Subject.CommonName, cert.Issuer.CommonName
			k.NotBefore, k.NotAfter = cert.NotBefore, cert.NotAfter
			switch {
			case !now.Before(cert.NotAfter):
				k.State = "expired"
			case now.Add(soonDays * 24 * time.Hour).After(cert.NotAfter):
				k.State = "soon"
			default:
				k.State = "ok"
			}
		}
	}
	k.StateLabel = tr(lang, "key.state_"+k.State)
	return k
}

// rowOf is an account as the pages show it.
func (h *Handler) rowOf(lang string, a *workflow.Account, admin *workflow.Account) accountRow {
	now := h.cfg.Now()
	r := accountRow{ID: a.ID, Name: a.FullName, Username: a.Username, Disabled: a.Disabled, Created: a.CreatedAt,
		Key: keyOf(lang, a, now), Self: a.ID == admin.ID}
	var roles []string
	for _, role := range a.Roles {
		roles = append(roles, roleName(lang, role))
	}
	r.Roles = strings.Join(roles, ", ")
	switch {
	case a.Disabled:
		r.State, r.StateClass, r.StateLabel = "disabled", "bad", tr(lang, "account.state_disabled")
	case a.LockedUntil.After(now):
		r.LockedUntil = a.LockedUntil
		r.State, r.StateClass, r.StateLabel = "locked", "warn", tr(lang, "account.state_locked", when(a.LockedUntil))
	default:
		r.State, r.StateClass, r.StateLabel = "active", "ok", tr(lang, "account.state_active")
	}
	return r
}

// accountsPage lists the organisation's accounts.
func (h *Handler) accountsPage(c *gin.Context) {
	_, org, ok := h.accountAdmin(c)
	if !ok {
		return
	}
	h.renderAccounts(c, http.StatusOK, org, nil, "", "", nil)
}

func (h *Handler) renderAccounts(c *gin.Context, status int, org *workflow.Org, err error, username, fullName string, roles []workflow.Role) {
	admin := sessionOf(c).Account
	v := accountsView{page: h.newPage(c, "accounts.title", "accounts"), OrgName: org.Name, Username: username, FullName: fullName}
	if err != nil {
		v.Error = h.errorView(c, err)
	}
	accts, lerr := h.store.Accounts(c.Request.Context(), org.ID)
	if lerr != nil {
		h.fail(c, lerr)
		return
	}
	for i := range accts {
		v.Rows = append(v.Rows, h.rowOf(v.Lang, &accts[i], admin))
	}
	for _, r := range orgRoles(org.Kind) {
		v.Roles = append(v.Roles, roleOption{Role: r, Name: roleName(v.Lang, r), Checked: slices.Contains(roles, r)})
	}
	h.render(c, status, "accounts.html", v)
}

// createAccount creates an account of the administrator's organisation
// from the form, whose password fields were read as bytes and are zeroed.
func (h *Handler) createAccount(c *gin.Context) {
	admin, org, ok := h.accountAdmin(c)
	if !ok {
		return
	}
	f := c.MustGet(ctxSecretForm).(*secretForm)
	defer f.wipe()
	username := strings.ToLower(strings.TrimSpace(f.values.Get("username")))
	fullName := strings.TrimSpace(f.values.Get("full_name"))
	var roles []workflow.Role
	for _, r := range f.values["roles"] {
		roles = append(roles, workflow.Role(r))
	}
	a := &workflow.Account{Username: username, FullName: fullName, OrgID: org.ID, Roles: roles}
	err := h.newAccount(c.Request.Context(), admin, a, f)
	f.wipe()
	if err != nil {
		h.renderAccounts(c, classify(err).Status, org, err, username, fullName, roles)
		return
	}
	h.log(c).Info("account created", "target_account_id", a.ID)
	c.Redirect(http.StatusSeeOther, "/staff/accounts/"+url.PathEscape(a.ID)+"?done=created")
}

// newAccount checks the passwords, hashes the first and creates a.
func (h *Handler) newAccount(ctx context.Context, admin, a *workflow.Account, f *secretForm) error {
	hash, err := h.newPasswordHash(ctx, f)
	if err != nil {
		return err
	}
	err = h.store.CreateAccount(ctx, a, hash, accountActor(admin))
	if errors.Is(err, workflow.ErrExists) {
		return &fieldError{Field: "username", Code: "username_taken", Err: err}
	}
	return formError(err, "")
}

// newPasswordHash checks the password typed twice against the policy and
// hashes it.
func (h *Handler) newPasswordHash(ctx context.Context, f *secretForm) (string, error) {
	pw, again := f.get("password"), f.get("password2")
	if err := workflow.CheckPasswordPolicy(pw); err != nil {
		return "", formError(err, "password")
	}
	if subtle.ConstantTimeCompare(pw, again) != 1 {
		return "", &fieldError{Field: "password2", Err: errPasswordMismatch}
	}
	hash, err := h.cfg.Auth.HashPassword(ctx, pw)
	return hash, formError(err, "password")
}

// accountPage shows one account of the organisation.
func (h *Handler) accountPage(c *gin.Context) {
	admin, _, ok := h.accountAdmin(c)
	if !ok {
		return
	}
	a, err := h.orgAccount(c, admin)
	if err != nil {
		h.fail(c, err)
		return
	}
	notice := ""
	if d := c.Query("done"); slices.Contains(accountDone, d) {
		notice = "account.done_" + d
	}
	h.renderAccount(c, http.StatusOK, a, nil, notice, accountForms{})
}

func (h *Handler) renderAccount(c *gin.Context, status int, a *workflow.Account, err error, notice string, kept accountForms) {
	admin, org := sessionOf(c).Account, orgOf(c)
	v := accountView{page: h.newPage(c, "account.title", "accounts"), School: org.Kind == workflow.OrgSchool,
		CertLimit: size(maxCertUpload)}
	v.Title = a.FullName
	if notice != "" {
		v.Notice = tr(v.Lang, notice)
	}
	if err != nil {
		v.Error = h.errorView(c, err)
	}
	v.Acct = h.rowOf(v.Lang, a, admin)
	list, lerr := h.store.Assignments(c.Request.Context(), a.ID)
	if lerr != nil {
		h.fail(c, lerr)
		return
	}
	for _, x := range list {
		v.Assignments = append(v.Assignments, assignmentRow{Assignment: x, RoleName: roleName(v.Lang, x.Role)})
	}
	v.Assign = workflow.Assignment{SchoolYear: schoolYearAt(h.cfg.Now())}
	if kept.assign != nil {
		v.Assign = *kept.assign
	}
	for _, r := range []workflow.Role{workflow.RoleSubjectTeacher, workflow.RoleHomeroomTeacher} {
		if a.Has(r) {
			v.TeacherRoles = append(v.TeacherRoles, roleOption{Role: r, Name: roleName(v.Lang, r), Checked: r == v.Assign.Role})
		}
	}
	v.KeyKind, v.KeyURI = v.Acct.Key.Kind, a.KeyURI
	if kept.keyKind != "" {
		v.KeyKind, v.KeyURI = kept.keyKind, kept.keyURI
	}
	h.render(c, status, "account.html", v)
}

// schoolYearAt is the school year to assign classes for at t: the one
// that starts in September, from August on, when schools assign classes.
func schoolYearAt(t time.Time) string {
	t = t.In(vietnam)
	y := t.Year()
	if t.Month() < time.August {
		y--
	}
	return fmt.Sprintf("%d-%d", y, y+1)
}

// accountChange runs a change of one account of the organisation: it
// loads the account (404 for another organisation's), runs change, and
// redirects to the account's page with a notice, or shows the page again
// with the refusal and the form's values.
func (h *Handler) accountChange(c *gin.Context, done string, change func(admin, a *workflow.Account) (accountForms, error)) {
	admin, _, ok := h.accountAdmin(c)
	if !ok {
		return
	}
	a, err := h.orgAccount(c, admin)
	if err != nil {
		h.fail(c, err)
		return
	}
	kept, err := change(admin, a)
	if err != nil {
		// Show the account as it is now: unchanged by the refusal.
		if fresh, ferr := h.store.Account(c.Request.Context(), a.ID); ferr == nil {
			a = fresh
		}
		h.renderAccount(c, classify(err).Status, a, err, "", kept)
		return
	}
	h.log(c).Info("account changed", "target_account_id", a.ID, "change", done)
	c.Redirect(http.StatusSeeOther, "/staff/accounts/"+url.PathEscape(a.ID)+"?done="+done)
}

// assignmentForm reads an assignment from a plain form.
func assignmentForm(c *gin.Context, accountID string) workflow.Assignment {
	pf := c.Request.PostForm
	return workflow.Assignment{AccountID: accountID, Role: workflow.Role(pf.Get("role")), SchoolYear: strings.TrimSpace(pf.Get("school_year")),
		Class: strings.TrimSpace(pf.Get("class")), Subject: strings.TrimSpace(pf.Get("subject"))}
}

// assign adds an assignment to the account.
func (h *Handler) assign(c *gin.Context) {
	h.accountChange(c, "assigned", func(admin, a *workflow.Account) (accountForms, error) {
		x := assignmentForm(c, a.ID)
		kept := accountForms{assign: &x}
		err := h.store.Assign(c.Request.Context(), x, accountActor(admin))
		if errors.Is(err, workflow.ErrExists) {
			field := "class"
			if x.Role == workflow.RoleSubjectTeacher {
				field = "subject"
			}
			return kept, &fieldError{Field: field, Code: "assignment_taken", Err: err}
		}
		return kept, formError(err, "role")
	})
}

// unassign removes an assignment of the account.
func (h *Handler) unassign(c *gin.Context) {
	h.accountChange(c, "unassigned", func(admin, a *workflow.Account) (accountForms, error) {
		return accountForms{}, formError(h.store.Unassign(c.Request.Context(), assignmentForm(c, a.ID), accountActor(admin)), "")
	})
}

// setKey records where the account's signing key is: in the service's
// HSM (pkcs11: URI and certificate chain), on a USB token (chain), or
// nowhere.
func (h *Handler) setKey(c *gin.Context) {
	h.accountChange(c, "key", func(admin, a *workflow.Account) (accountForms, error) {
		form := c.Request.MultipartForm
		value := func(k string) string {
			if v := form.Value[k]; len(v) > 0 {
				return strings.TrimSpace(v[0])
			}
			return ""
		}
		kindField, uri := value("key_kind"), value("key_uri")
		kept := accountForms{keyKind: kindField}
		// A URI with a PIN in it is refused and not written back.
		if !strings.Contains(strings.ToLower(uri), "pin") {
			kept.keyURI = uri
		}
		var kind workflow.KeyKind
		switch kindField {
		case "hsm":
			kind = workflow.KeyHSM
		case "usb":
			kind, uri = workflow.KeyUSB, "" // a URI typed before choosing USB is not the key's
		case "none":
			kind, uri = workflow.KeyNone, ""
		default:
			kept.keyKind = ""
			return kept, &fieldError{Field: "key_kind", Code: "invalid_field", Err: workflow.ErrInvalid}
		}
		if kind == workflow.KeyHSM && uri == "" {
			return kept, &fieldError{Field: "key_uri", Code: "invalid_field", Err: workflow.ErrInvalid}
		}
		var chain string
		if kind != workflow.KeyNone {
			_, data, err := h.formFile(c, "certificates", maxCertUpload)
			if err != nil {
				return kept, &fieldError{Field: "certificates", Err: err}
			}
			if chain, err = certificatesPEM(data); err != nil {
				return kept, formError(err, "certificates")
			}
		}
		return kept, formError(h.cfg.Service.SetKey(c.Request.Context(), a.ID, kind, uri, chain, accountActor(admin)), "certificates")
	})
}

// certificatesPEM returns an uploaded chain as PEM: PEM as it is, or
// DER certificates (a .cer file as Windows exports it) encoded as PEM.
// The workflow checks the chain itself.
func certificatesPEM(data []byte) (string, error) {
	if bytes.Contains(data, []byte("-----BEGIN")) {
		return string(data), nil
	}
	certs, err := x509.ParseCertificates(data)
	if err != nil || len(certs) == 0 {
		return "", fmt.Errorf("%w: certificates: neither PEM nor DER certificates", workflow.ErrInvalid)
	}
	var b strings.Builder
	for _, cert := range certs {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	}
	return b.String(), nil
}

// setPassword sets a new password typed twice. The account's sessions
// end and a lock-out is lifted.
func (h *Handler) setPassword(c *gin.Context) {
	f := c.MustGet(ctxSecretForm).(*secretForm)
	defer f.wipe()
	h.accountChange(c, "password", func(admin, a *workflow.Account) (accountForms, error) {
		hash, err := h.newPasswordHash(c.Request.Context(), f)
		f.wipe()
		if err != nil {
			return accountForms{}, err
		}
		return accountForms{}, h.store.SetPassword(c.Request.Context(), a.ID, hash, accountActor(admin))
	})
}

// setDisabled disables or enables the account. An administrator cannot
// disable their own account (nobody would be left to enable it).
func (h *Handler) setDisabled(disabled bool) gin.HandlerFunc {
	done := "enabled"
	if disabled {
		done = "disabled"
	}
	return func(c *gin.Context) {
		h.accountChange(c, done, func(admin, a *workflow.Account) (accountForms, error) {
			if disabled && a.ID == admin.ID {
				return accountForms{}, errSelfDisable
			}
			return accountForms{}, h.store.SetDisabled(c.Request.Context(), a.ID, disabled, accountActor(admin))
		})
	}
}
