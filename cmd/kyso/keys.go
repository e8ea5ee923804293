package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/internal/atomicfile"
)

// prompter asks for a PIN on the terminal without echo. Without a terminal
// it refuses: a PIN must then come from pin-source or pin-value.
func (e *env) prompter() func(prompt string) (string, error) {
	return func(prompt string) (string, error) {
		if !e.interactive {
			return "", errors.New("a PIN is needed but there is no terminal to ask on: add pin-source=file:PATH or pin-source=env:NAME to the key URI")
		}
		fmt.Fprint(e.stderr, prompt+": ")
		pin, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read PIN: %w", err)
		}
		return string(pin), nil
	}
}

func (e *env) hsmOptions(chain []*x509.Certificate) hsm.Options {
	return hsm.Options{Prompt: e.prompter(), Getenv: e.getenv, Certificates: chain}
}

// openKey opens the key named by uri; certPath (optional) is a PEM file
// with the signer's certificate followed by its chain.
func (e *env) openKey(uri, certPath string) (*hsm.Key, error) {
	var chain []*x509.Certificate
	if certPath != "" {
		var err error
		if chain, err = readCerts(certPath); err != nil {
			return nil, err
		}
	}
	k, err := hsm.Open(e.ctx, uri, e.hsmOptions(chain))
	if err != nil {
		return nil, fmt.Errorf("open key %s: %w", hsm.RedactURI(uri), err)
	}
	if len(k.Chain) == 0 {
		k.Close()
		return nil, fmt.Errorf("key %s has no certificate: pass --cert CERT.pem", hsm.RedactURI(uri))
	}
	return k, nil
}

func readCerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	certs, err := devca.ParseCertsPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return certs, nil
}

func cmdCA(e *env, args []string) error {
	if len(args) > 0 && args[0] == "serve" {
		return cmdCAServe(e, args[1:])
	}
	if len(args) > 0 && args[0] == "revoke" {
		return cmdCARevoke(e, args[1:])
	}
	if len(args) == 0 || (args[0] != "init" && args[0] != "--help" && args[0] != "-h") {
		return usagef("expected 'kyso ca init', 'kyso ca serve' or 'kyso ca revoke'")
	}
	if args[0] != "init" {
		args = []string{"--help"}
	} else {
		args = args[1:]
	}
	fs := newFlags(e, "ca init", "[--dir DIR] [--org NAME] [--url URL]", `
Create a development CA (a root and an issuing CA) in DIR, or show the one
already there. Signer certificates for 'kyso keys new' come from it, and
DIR/root.pem is the trust anchor to give to 'kyso verify --trust'.
With --url, every certificate the CA issues points to its CRL, OCSP responder
and CA certificate under URL, where 'kyso ca serve' answers; see also
'kyso ca revoke'. The URL cannot change once the CA exists.
The CA keys are stored unencrypted: this CA is for development and tests only.`)
	dir := fs.String("dir", filepath.Join(defaultDataDir(e), "ca"), "CA directory")
	org := fs.String("org", "", "organization named in the CA certificates (default \"kyso development\")")
	baseURL := fs.String("url", "", "base URL of the CA's revocation service, e.g. http://127.0.0.1:8789 (default: certificates carry no URLs)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	ca, created, err := devca.Init(*dir, e.rand, e.now(), devca.Options{Organization: *org, URL: *baseURL})
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(e.stdout, "created development CA in %s\n", *dir)
	} else {
		fmt.Fprintf(e.stdout, "development CA already in %s\n", *dir)
	}
	fmt.Fprintf(e.stdout, "root: %s\n", ca.Root.Subject.CommonName)
	fmt.Fprintf(e.stdout, "trust: %s\n", filepath.Join(*dir, devca.RootCertFile))
	if ca.URL() != "" {
		fmt.Fprintf(e.stdout, "url: %s\n", ca.URL())
	}
	return nil
}

func cmdKeys(e *env, args []string) error {
	if len(args) == 0 || (args[0] != "new" && args[0] != "--help" && args[0] != "-h") {
		return usagef("expected 'kyso keys new'")
	}
	if args[0] != "new" {
		args = []string{"--help"}
	} else {
		args = args[1:]
	}
	fs := newFlags(e, "keys new", "--key URI --name NAME --cert-out CERT.pem [flags]", `
Create a signing key and certify it with the development CA.

With a pkcs11: URI the key pair is generated inside the token as a signing-only,
non-extractable key labelled with the URI's object name, and the certificate is
stored on the token next to it (so 'kyso sign' needs no --cert). With a file:
URI the key is written as an encrypted PKCS#8 PEM file; its passphrase comes
from the URI's pin-source (or a prompt). Either way CERT.pem receives the
certificate followed by the CA chain.

Examples:
  kyso keys new --key 'pkcs11:token=school;object=director?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin' \
      --name 'Nguyễn Văn Nghĩa' --title 'Giám đốc' --org 'Sở Giáo dục và Đào tạo Bến Tre' --cert-out director.pem
  kyso keys new --key 'file:director.key?pin-source=env:KYSO_PIN' --name 'Nguyễn Văn Nghĩa' --cert-out director.pem`)
	uri := fs.String("key", "", "where to create the key: pkcs11: URI (RFC 7512) or file: URI")
	caDir := fs.String("ca", filepath.Join(defaultDataDir(e), "ca"), "development CA directory (see 'kyso ca init')")
	name := fs.String("name", "", "the key holder's full name (certificate common name)")
	title := fs.String("title", "", "the holder's title, e.g. \"Giám đốc\"")
	org := fs.String("org", "", "the holder's organization")
	province := fs.String("province", "", "province")
	staffID := fs.String("staff-id", "", "a staff identifier for the certificate's serialNumber attribute (never a citizen ID)")
	algo := fs.String("algo", "rsa2048", "key algorithm: rsa2048, rsa3072, p256 or p384")
	certOut := fs.String("cert-out", "", "file to write the certificate and chain to (PEM)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *uri == "":
		return usagef("--key is required")
	case strings.TrimSpace(*name) == "":
		return usagef("--name is required")
	case *certOut == "":
		return usagef("--cert-out is required")
	case fs.NArg() != 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	alg, err := hsm.ParseAlgorithm(*algo)
	if err != nil {
		return usagef("--algo: %v", err)
	}
	ca, err := devca.Load(*caDir)
	if err != nil {
		return fmt.Errorf("%w (run 'kyso ca init --dir %s' first)", err, *caDir)
	}
	subj := devca.Subject{CommonName: normalize(*name), Title: normalize(*title), Organization: normalize(*org), Province: normalize(*province), SerialNumber: *staffID}
	cert, err := createKey(e, *uri, alg, ca, subj)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(*certOut, devca.CertsPEM(append([]*x509.Certificate{cert}, ca.Chain()...)...), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "key: %s\n", hsm.RedactURI(*uri))
	fmt.Fprintf(e.stdout, "certificate: %s (%s)\n", *certOut, cert.Subject.CommonName)
	return nil
}

// createKey makes the key named by uri and returns its new certificate.
func createKey(e *env, uri string, alg hsm.Algorithm, ca *devca.CA, subj devca.Subject) (*x509.Certificate, error) {
	if strings.HasPrefix(uri, "pkcs11:") {
		k, err := hsm.GenerateTokenKey(e.ctx, uri, alg, e.hsmOptions(nil))
		if err != nil {
			return nil, fmt.Errorf("generate key in token %s: %w", hsm.RedactURI(uri), err)
		}
		pub := k.Signer.Public()
		// One login per token and process: log out before the certificate
		// is stored in a session of its own.
		if err := k.Close(); err != nil {
			return nil, err
		}
		cert, err := ca.IssueSigner(e.rand, pub, subj, e.now(), 0)
		if err != nil {
			return nil, err
		}
		chain := append([]*x509.Certificate{cert}, ca.Chain()...)
		if err := hsm.ImportCertificates(e.ctx, uri, chain, e.hsmOptions(nil)); err != nil {
			return nil, fmt.Errorf("store certificate in token: %w", err)
		}
		return cert, nil
	}
	u, err := hsm.ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if u.Scheme != hsm.SchemeFile {
		return nil, fmt.Errorf("--key: want a pkcs11: or file: URI, got %q", hsm.RedactURI(uri))
	}
	path := u.Path
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("%s already exists; refusing to overwrite a key", path)
	}
	pass, err := hsm.Secret(u, e.hsmOptions(nil), "Passphrase for the new key "+path)
	if err != nil {
		return nil, err
	}
	pemKey, signer, err := hsm.GenerateFileKey(alg, pass)
	if err != nil {
		return nil, err
	}
	cert, err := ca.IssueSigner(e.rand, signer.Public(), subj, e.now(), 0)
	if err != nil {
		return nil, err
	}
	// The key file holds the encrypted key, then its certificate and chain,
	// so that 'kyso sign --key file:...' needs no --cert.
	data := append(pemKey, devca.CertsPEM(append([]*x509.Certificate{cert}, ca.Chain()...)...)...)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return nil, err
	}
	return cert, nil
}
