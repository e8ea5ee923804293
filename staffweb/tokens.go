package staffweb

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/workflow"
)

// Lifetimes of API tokens made on the tokens page, in days. (The command
// line also makes tokens that never expire.)
const (
	defaultTokenDays = 90
	maxTokenDays     = 730
)

// tokenRow is an API token in the list.
type tokenRow struct {
	ID, Name string
	// Scopes is the scopes written out.
	Scopes                                string
	Created, Expires, LastUsed, RevokedAt time.Time
	State, StateLabel, StateClass         string
	Revocable                             bool
}

// scopeOption is a scope checkbox.
type scopeOption struct {
	Scope   workflow.Scope
	Name    string
	Checked bool
}

// tokensView is the administrator's API tokens page.
type tokensView struct {
	page
	Tokens []tokenRow
	// The creation form's values.
	Scopes []scopeOption
	Name   string
	Days   string
	// MaxDays bounds the lifetime.
	MaxDays int
	// Secret is the token just made, shown on this page only; NewID
	// its ID.
	Secret, NewID string
	// APIURL is the progress endpoint, for the example.
	APIURL string
}

// tokensPage lists the administrator's own API tokens.
func (h *Handler) tokensPage(c *gin.Context) {
	if _, _, ok := h.accountAdmin(c); !ok {
		return
	}
	v := h.tokensView(c, strconv.Itoa(defaultTokenDays), "", []workflow.Scope{workflow.ScopeImport})
	if c.Query("done") == "revoked" {
		v.Notice = tr(v.Lang, "tokens.done_revoked")
	}
	h.renderTokens(c, http.StatusOK, v)
}

// tokensView is the page with the form's values; renderTokens fills the
// list.
func (h *Handler) tokensView(c *gin.Context, days, name string, scopes []workflow.Scope) tokensView {
	v := tokensView{page: h.newPage(c, "tokens.title", "tokens"), Name: name, Days: days, MaxDays: maxTokenDays,
		APIURL: strings.TrimRight(h.cfg.Service.BaseURL, "/") + "/staff/api/v1/progress"}
	for _, sc := range workflow.Scopes {
		v.Scopes = append(v.Scopes, scopeOption{Scope: sc, Name: trOr(v.Lang, "scope."+string(sc), string(sc)), Checked: slices.Contains(scopes, sc)})
	}
	return v
}

func (h *Handler) renderTokens(c *gin.Context, status int, v tokensView) {
	a := sessionOf(c).Account
	toks, err := h.store.APITokens(c.Request.Context(), a.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	now := h.cfg.Now()
	// Newest first.
	for i := len(toks) - 1; i >= 0; i-- {
		t := toks[i]
		r := tokenRow{ID: t.ID, Name: t.Name, Created: t.CreatedAt, Expires: t.ExpiresAt, LastUsed: t.LastUsed, RevokedAt: t.RevokedAt}
		var scopes []string
		for _, sc := range t.Scopes {
			scopes = append(scopes, trOr(v.Lang, "scope."+string(sc), string(sc)))
		}
		r.Scopes = strings.Join(scopes, ", ")
		switch {
		case !t.RevokedAt.IsZero():
			r.State, r.StateClass = "revoked", "muted"
		case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
			r.State, r.StateClass = "expired", "muted"
		default:
			r.State, r.StateClass, r.Revocable = "active", "ok", true
		}
		r.StateLabel = tr(v.Lang, "tokens.state_"+r.State)
		v.Tokens = append(v.Tokens, r)
	}
	h.render(c, status, "tokens.html", v)
}

// createToken makes an API token for the administrator and shows its
// secret, once: the store keeps only its hash.
func (h *Handler) createToken(c *gin.Context) {
	admin, _, ok := h.accountAdmin(c)
	if !ok {
		return
	}
	pf := c.Request.PostForm
	name, days := strings.TrimSpace(pf.Get("name")), strings.TrimSpace(pf.Get("days"))
	var asked []workflow.Scope
	for _, s := range pf["scopes"] {
		asked = append(asked, workflow.Scope(s))
	}
	v := h.tokensView(c, days, name, asked)
	secret, tok, err := h.newToken(c, admin, name, days, pf["scopes"])
	if err != nil {
		v.Error = h.errorView(c, err)
		h.renderTokens(c, classify(err).Status, v)
		return
	}
	h.log(c).Info("API token created", "token_id", tok.ID)
	// A fresh form under the secret.
	v = h.tokensView(c, strconv.Itoa(defaultTokenDays), "", []workflow.Scope{workflow.ScopeImport})
	v.Secret, v.NewID = secret, tok.ID
	h.renderTokens(c, http.StatusCreated, v)
}

func (h *Handler) newToken(c *gin.Context, admin *workflow.Account, name, days string, scopes []string) (string, *workflow.APIToken, error) {
	n, err := strconv.Atoi(days)
	if err != nil || n < 1 || n > maxTokenDays {
		return "", nil, &fieldError{Field: "days", Err: errBadLifetime}
	}
	scs, err := workflow.ParseScopes(strings.Join(scopes, " "))
	if err != nil {
		return "", nil, formError(err, "scopes")
	}
	expires := h.cfg.Now().Add(time.Duration(n) * 24 * time.Hour)
	secret, tok, err := h.store.CreateAPIToken(c.Request.Context(), admin.ID, name, scs, expires, h.cfg.Auth.Rand, accountActor(admin))
	return secret, tok, formError(err, "name")
}

// revokeToken revokes one of the administrator's own tokens; another's is
// "not found".
func (h *Handler) revokeToken(c *gin.Context) {
	admin, _, ok := h.accountAdmin(c)
	if !ok {
		return
	}
	toks, err := h.store.APITokens(c.Request.Context(), admin.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	id := c.Param("id")
	if !slices.ContainsFunc(toks, func(t workflow.APIToken) bool { return t.ID == id }) {
		h.log(c).Info("API token of another account hidden")
		h.fail(c, workflow.ErrNotFound)
		return
	}
	if err := h.store.RevokeAPIToken(c.Request.Context(), id, accountActor(admin)); err != nil {
		h.fail(c, err)
		return
	}
	h.log(c).Info("API token revoked", "token_id", id)
	c.Redirect(http.StatusSeeOther, "/staff/tokens?done=revoked")
}
