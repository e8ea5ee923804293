// Package staffweb serves the pages and the API that school and Sở staff
// use to sign documents with kyso: everything under /staff/.
//
// The pages (Vietnamese by default, English with ?lang=en, remembered in a
// cookie) are rendered on the server with html/template and work without
// JavaScript; one small script only adds "select all" boxes. They are:
// the login form; the queue of documents waiting for the signed-in person,
// signed in one batch with the PIN of their key in the service's HSM, or
// downloaded as a zip to sign on their own USB token with kyso sign and
// uploaded back; the result of a batch, document by document; a document's
// page with its signing steps, a preview of the PDF, its audit trail and,
// for the organisation's administrator, a correction form; the progress of
// the organisation by kind, year and class; the import of data files; and,
// for a school's IT administrator (school_admin) and a Sở's (so_admin), the
// organisation's accounts (create one, assign classes, register the
// signing key's certificate, reset the password, disable and enable) and
// their own API tokens (make one, revoke one).
// The staff API (/staff/api/v1/) takes data files and gives progress to
// systems holding a bearer API token.
//
// What it checks:
//   - Sessions are the workflow's (Auth.Session): an HttpOnly, SameSite=Strict
//     cookie scoped to /staff, Secure when configured. An expired session
//     sends a GET to the login page (with a same-site next address) and
//     answers a POST with 401.
//   - Every form posted in a session carries the session's CSRF token in a
//     field "csrf" (workflow.CheckCSRF); the login form carries a token
//     that must equal a pre-session cookie (double submit). Forms have size
//     limits: Config.MaxImport for data files and corrections,
//     Config.MaxUpload for signed documents, 48 KiB for a certificate
//     chain, 1 MiB for the others.
//   - Login attempts are limited per client (Config.LoginPerMinute).
//   - Nothing in a form says who signs: handlers pass the session's account
//     to the workflow, which enforces who signs which step, in what order.
//     Pages check the roles that may see them; a document is shown only to
//     its signers and its organisation's administrators and principal, and
//     is "not found" for everybody else.
//   - The PIN is read from the request body into a byte slice without going
//     through Go's form parsing, passed to the workflow, and zeroed when the
//     batch returns, with the body it came from. It is never logged nor
//     written back into a page.
//   - The account pages are for the administrators of a school (school_admin)
//     and of a Sở (so_admin), for their own organisation's accounts only:
//     another organisation's account is "not found", as is another
//     person's API token. New passwords are typed twice and read like the
//     PIN, never through Go's form parsing; they are checked against the
//     workflow's policy, hashed by Auth and never written back into a page.
//     An administrator cannot disable their own account. Every change goes
//     through the workflow with the actor "account:ID", which audits it.
//     A new API token's secret is shown once, on the page that answers the
//     form (never logged, never cached), and only its hash is kept.
//   - Errors become a status and a message in each language in one place
//     (classify); the cause of a server-side failure is logged with the
//     request ID and the account ID, never a PIN, password, name or
//     document content. Refusals (4xx) are logged by code only, since the
//     workflow's messages about data files may quote the data.
//   - Every response carries a strict Content-Security-Policy (no inline
//     script or style, frames only from the site itself), nosniff,
//     Referrer-Policy: no-referrer, and Cache-Control: no-store except for
//     the static files.
//
// Known limits: a signing batch runs inside its HTTP request, so a long
// batch needs the server's write timeout to allow for it; it is not stopped
// when the browser goes away: it stops between two documents when the
// service's grace period ends (workflow.Service.Stopping) and is abandoned
// when the service aborts what still runs (Config.Stopping).
// The PIN's bytes may still be in the HTTP server's read buffer, which this
// package cannot wipe, and the PKCS#11 layer (crypto11) holds the PIN as a
// Go string while the batch's key is open: it is unreachable once the batch
// ends but not wiped. The login rate limit keys on the client address (the
// TCP peer unless Config.TrustedProxies names the proxy in front; an IPv6
// address by its /64); successful logins do not count; it keeps at most
// 100,000 clients and forgets a random hundredth of them when full.
// The workflow's own import limit (workflow.DefaultMaxImport) applies on top
// of Config.MaxImport. Messages the workflow writes about a data file
// (import errors, correction errors) are shown as the workflow words them, in
// English; so are the workflow's words about a refused account, key,
// assignment or token form, shown under a message that names the field. The
// field is read from those words (the workflow has no typed field error).
// Making an API token is a POST answered with the page that shows the
// secret: reloading that page posts again and makes another token. A new
// HSM key URI is registered with its certificate chain uploaded again.
// Tokens made on the pages last 1 to 730 days (the command line also makes
// tokens that never expire).
package staffweb
