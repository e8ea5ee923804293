// Package reqid carries a request ID, a short opaque string that ties the
// log lines of one HTTP request together, through a context.Context.
//
// An ID either comes from the client (an X-Request-ID header set by a
// reverse proxy, so that its logs and ours can be joined) or is made here
// from 16 random bytes. An ID is only a correlation key: it proves nothing
// and grants nothing, so one sent by any client is accepted as long as it is
// Valid. Valid keeps IDs short and free of spaces, quotes and control
// characters, so that they can be written into log lines and response
// headers as they are.
//
// Known limits: nothing stops two clients from sending the same ID, so an ID
// taken from a request may name several requests in the logs.
package reqid

import (
	"context"
	"encoding/hex"
	"io"
)

// MaxLen is the length of the longest valid ID.
const MaxLen = 64

// ctxKey is the context key of the request ID.
type ctxKey struct{}

// With returns a copy of ctx that carries id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the request ID carried by ctx, or "" when it carries none.
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// New makes an ID of 16 bytes read from r (crypto/rand.Reader in
// production), in lower-case hex. If r fails, which crypto/rand.Reader does
// not, the ID is made of what was read followed by zeros: a request ID is
// never worth failing a request for.
func New(r io.Reader) string {
	var b [16]byte
	_, _ = io.ReadFull(r, b[:])
	return hex.EncodeToString(b[:])
}

// Valid reports whether id is 1 to MaxLen characters of A–Z, a–z, 0–9,
// '.', '_' and '-'.
func Valid(id string) bool {
	if len(id) == 0 || len(id) > MaxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}
