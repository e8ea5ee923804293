package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/kyso-vn/kyso/workflow"
)

func cmdStaffOrg(e *env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return usagef("kyso staff org add --config FILE --id ID --kind school|department --name NAME [--parent ID]")
	}
	fs := newFlags(e, "staff org add", "--config FILE --id ID --kind school|department --name NAME [--parent ID]", `
Add a school or a Sở. NAME is the name exactly as documents print it
("Trường THPT Chuyên Bến Tre"); imports refuse records of another name.`)
	config := fs.String("config", "", "the service's configuration file")
	id := fs.String("id", "", "short code: lower-case letters, digits and '-'")
	kind := fs.String("kind", "school", "school or department (a Sở)")
	name := fs.String("name", "", "the name as documents print it")
	parent := fs.String("parent", "", "a school's Sở (its --id)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	st, err := openStaff(e, *config)
	if err != nil {
		return err
	}
	defer st.store.Close()
	org := workflow.Org{ID: *id, Kind: workflow.OrgKind(*kind), Name: *name, Parent: *parent}
	if err := st.store.CreateOrg(e.ctx, org, cliActor); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added %s %s\n", *kind, *id)
	return nil
}

// keyFlags are the flags naming an account's signing key.
type keyFlags struct{ hsmURI, cert, usbCert *string }

func (k keyFlags) apply(e *env, st *staffEnv, id string) error {
	if *k.hsmURI == "" && *k.usbCert == "" {
		return nil
	}
	// The certificate must chain to the service's trust roots, as the
	// account pages check.
	roots, err := readCerts(st.cfg.Trust.Roots)
	if err != nil {
		return fmt.Errorf("trust.roots: %w", err)
	}
	svc := &workflow.Service{Store: st.store, Roots: roots, Now: e.now}
	switch {
	case *k.hsmURI != "" && *k.usbCert != "":
		return usagef("give --hsm-uri with --cert, or --usb-cert, not both")
	case *k.hsmURI != "":
		if *k.cert == "" {
			return usagef("--hsm-uri needs --cert (the person's certificate and its chain, PEM)")
		}
		pemText, err := readCertsPEM(*k.cert)
		if err != nil {
			return fmt.Errorf("--cert: %w", err)
		}
		return svc.SetKey(e.ctx, id, workflow.KeyHSM, *k.hsmURI, pemText, cliActor)
	case *k.usbCert != "":
		pemText, err := readCertsPEM(*k.usbCert)
		if err != nil {
			return fmt.Errorf("--usb-cert: %w", err)
		}
		return svc.SetKey(e.ctx, id, workflow.KeyUSB, "", pemText, cliActor)
	}
	return nil
}

func cmdStaffUser(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("kyso staff user add|key|password|disable|enable --config FILE --username U ...")
	}
	verb := args[0]
	fs := newFlags(e, "staff user "+verb, "--config FILE --username U [flags]", `
Manage staff accounts. 'add' creates one and asks for its password (twice on
a terminal; otherwise one line on standard input, or --password-file). Roles:
school_admin, subject_teacher, homeroom_teacher, principal, seal_keeper,
so_director, so_admin. A signer's key is in the service's HSM (--hsm-uri, a
pkcs11: URI without PIN, with --cert) or on their own USB token (--usb-cert);
the certificate's common name must be the person's name.`)
	config := fs.String("config", "", "the service's configuration file")
	username := fs.String("username", "", "login name: lower-case letters, digits, '.', '_', '-'")
	name := fs.String("name", "", "full name as documents print it (add)")
	org := fs.String("org", "", "the person's school or Sở (add)")
	roles := fs.String("roles", "", "comma-separated roles (add)")
	pwFile := fs.String("password-file", "", "read the password from this file instead of asking")
	k := keyFlags{fs.String("hsm-uri", "", "pkcs11: URI of the person's key in the service's HSM (no PIN)"),
		fs.String("cert", "", "PEM file: the HSM key's certificate and chain"),
		fs.String("usb-cert", "", "PEM file: the certificate and chain of the person's own USB token")}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *username == "" {
		return usagef("--username is required")
	}
	st, err := openStaff(e, *config)
	if err != nil {
		return err
	}
	defer st.store.Close()
	auth := workflow.NewAuth(st.store, workflow.DefaultPolicy, workflow.DefaultPasswordParams, e.rand)
	if verb == "add" {
		var rs []workflow.Role
		for _, r := range splitList(*roles) {
			rs = append(rs, workflow.Role(r))
		}
		hash, err := newPassword(e, auth, *pwFile)
		if err != nil {
			return err
		}
		a := &workflow.Account{Username: *username, FullName: *name, OrgID: *org, Roles: rs}
		if err := st.store.CreateAccount(e.ctx, a, hash, cliActor); err != nil {
			return err
		}
		if err := k.apply(e, st, a.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added %s (%s)\n", a.Username, a.ID)
		return nil
	}
	a, err := st.store.AccountByUsername(e.ctx, *username)
	if err != nil {
		return err
	}
	switch verb {
	case "key":
		return k.apply(e, st, a.ID)
	case "password":
		hash, err := newPassword(e, auth, *pwFile)
		if err != nil {
			return err
		}
		return st.store.SetPassword(e.ctx, a.ID, hash, cliActor)
	case "disable", "enable":
		return st.store.SetDisabled(e.ctx, a.ID, verb == "disable", cliActor)
	}
	return usagef("kyso staff user: unknown action %q", verb)
}

// newPassword reads a new password and hashes it.
func newPassword(e *env, auth *workflow.Auth, file string) (string, error) {
	var pw []byte
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--password-file: %w", err)
		}
		pw = bytes.TrimRight(b, "\r\n")
	case e.interactive:
		fmt.Fprint(e.stderr, "New password: ")
		a, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(e.stderr, "Again: ")
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		if !bytes.Equal(a, b) {
			return "", errors.New("the two passwords differ")
		}
		pw = a
	default:
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", errors.New("no password on standard input (or give --password-file)")
		}
		pw = []byte(strings.TrimRight(line, "\r\n"))
	}
	return auth.HashPassword(e.ctx, pw)
}

func cmdStaffAssign(e *env, args []string) error {
	fs := newFlags(e, "staff assign", "--config FILE --username U --role R --year 2024-2025 --class 10A1 [--subject S]", `
Assign a subject teacher to a class and subject, or a homeroom teacher to a
class, for a school year. Imports send each signature to the one account
assigned to it.`)
	config := fs.String("config", "", "the service's configuration file")
	username := fs.String("username", "", "the teacher")
	role := fs.String("role", "", "subject_teacher or homeroom_teacher")
	year := fs.String("year", "", "school year, e.g. 2024-2025")
	class := fs.String("class", "", "class, e.g. 10A1")
	subject := fs.String("subject", "", "subject as documents print it (subject teachers)")
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := openStaff(e, *config)
	if err != nil {
		return err
	}
	defer st.store.Close()
	a, err := st.store.AccountByUsername(e.ctx, *username)
	if err != nil {
		return err
	}
	return st.store.Assign(e.ctx, workflow.Assignment{AccountID: a.ID, Role: workflow.Role(*role), SchoolYear: *year, Class: *class, Subject: *subject}, cliActor)
}

func cmdStaffToken(e *env, args []string) error {
	if len(args) == 0 || (args[0] != "new" && args[0] != "revoke") {
		return usagef("kyso staff token new --config FILE --username U --name NAME --scopes import,read [--expires 2160h] | revoke --config FILE ID")
	}
	fs := newFlags(e, "staff token "+args[0], "--config FILE ...", `
API tokens let a school's management system push data files
(POST /staff/api/v1/imports, scope import) and read progress (scope read) as
the account they belong to. The secret is printed once; only its hash is
kept. Revoke with its ID.`)
	config := fs.String("config", "", "the service's configuration file")
	username := fs.String("username", "", "the account the token acts as")
	name := fs.String("name", "", "what the token is for")
	scopes := fs.String("scopes", "import", "comma-separated scopes: import, read")
	expires := fs.Duration("expires", 90*24*time.Hour, "lifetime (0: never expires)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	st, err := openStaff(e, *config)
	if err != nil {
		return err
	}
	defer st.store.Close()
	if args[0] == "revoke" {
		if fs.NArg() != 1 {
			return usagef("kyso staff token revoke: give the token's ID")
		}
		return st.store.RevokeAPIToken(e.ctx, fs.Arg(0), cliActor)
	}
	a, err := st.store.AccountByUsername(e.ctx, *username)
	if err != nil {
		return err
	}
	sc, err := workflow.ParseScopes(*scopes)
	if err != nil {
		return err
	}
	var until time.Time
	if *expires > 0 {
		until = e.now().Add(*expires)
	}
	secret, tok, err := st.store.CreateAPIToken(e.ctx, a.ID, *name, sc, until, e.rand, cliActor)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "token %s created; the secret below is shown once:\n", tok.ID)
	fmt.Fprintln(e.stdout, secret)
	return nil
}
