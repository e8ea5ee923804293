package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/kyso-vn/kyso/internal/atomicfile"
	"github.com/kyso-vn/kyso/signer"
)

func normalize(s string) string { return norm.NFC.String(strings.TrimSpace(s)) }

func defaultDataDir(e *env) string {
	if d := e.getenv("KYSO_DATA"); d != "" {
		return d
	}
	return "kyso-data"
}

func cmdSign(e *env, args []string) error {
	fs := newFlags(e, "sign", "--key URI [--cert CERT.pem] [flags] IN.pdf OUT.pdf", `
Add an approval signature to IN.pdf and write OUT.pdf. The key is named by an
RFC 7512 pkcs11: URI (a token or HSM) or a file: URI (an encrypted PKCS#8 key
file); the PIN comes from the URI's pin-source or pin-value, or a prompt.
--cert may be left out when the token or key file holds the certificate.

Example:
  kyso sign --key 'pkcs11:token=school;object=director?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin' \
      --reason 'Phê duyệt' --location 'Bến Tre' in.pdf out.pdf`)
	uri := fs.String("key", "", "signing key URI (pkcs11: or file:)")
	certPath := fs.String("cert", "", "PEM file with the signer's certificate, then its chain")
	name := fs.String("name", "", "signer name in the signature (default: the certificate's common name)")
	reason := fs.String("reason", "", "reason for signing")
	location := fs.String("location", "", "place of signing")
	contact := fs.String("contact", "", "contact information")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *uri == "" {
		return usagef("--key is required")
	}
	if fs.NArg() != 2 {
		return usagef("expected IN.pdf and OUT.pdf, got %d arguments", fs.NArg())
	}
	in, out := fs.Arg(0), fs.Arg(1)
	if abs(in) == abs(out) {
		return usagef("OUT.pdf must differ from IN.pdf")
	}
	st, err := os.Stat(in)
	if err != nil {
		return err
	}
	if st.Size() > signer.MaxInputSize {
		return fmt.Errorf("%s: %d bytes is over the %d-byte limit", in, st.Size(), signer.MaxInputSize)
	}
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	k, err := e.openKey(*uri, *certPath)
	if err != nil {
		return err
	}
	defer k.Close()
	opts := signer.Options{
		Name:        normalize(*name),
		Reason:      normalize(*reason),
		Location:    normalize(*location),
		ContactInfo: normalize(*contact),
		Time:        e.now(),
	}
	if opts.Name == "" {
		opts.Name = k.Chain[0].Subject.CommonName
	}
	signed, err := signer.Sign(context.Background(), data, k.Signer, k.Chain, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if err := atomicfile.Write(out, signed, 0o644); err != nil {
		return err
	}
	e.log.Info("signed", "in", in, "out", out, "signer", k.Chain[0].Subject.CommonName)
	fmt.Fprintf(e.stdout, "signed: %s\n", out)
	return nil
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
