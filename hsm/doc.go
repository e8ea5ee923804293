// Package hsm opens signing keys and hands them over as a crypto.Signer plus
// a certificate chain (Key), the only thing that crosses from key storage to
// signing. Keys live on PKCS#11 tokens (named by RFC 7512 pkcs11: URIs, used
// through crypto11) or, for development, in encrypted PEM files (file: URIs).
//
// # Key URIs
//
// A token key:
//
//	pkcs11:token=Tr%C6%B0%E1%BB%9Dng%20A;object=hieu-truong?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/pin
//
// The token is selected by token= (its label) or serial=, never by slot
// number, since slot numbers change when tokens are initialised; manufacturer,
// model, slot-* and library-* attributes, when present, must match as well.
// The key pair is selected by object= (CKA_LABEL) and/or id= (CKA_ID,
// percent-encoded bytes) and must be the only match. The module comes from
// module-path (absolute; a file, or a directory searched for module-name),
// module-name (searched in the usual library directories), or
// Options.DefaultModule.
//
// A software key:
//
//	file:/etc/kyso/keys/dev.pem?pin-source=env:KYSO_KEY_PASSPHRASE
//	file:keys/dev.pem            (relative to the working directory)
//	file:///etc/kyso/keys/dev.pem
//
// The file holds one ENCRYPTED PRIVATE KEY block (PKCS #8 with PBES2: PBKDF2
// or scrypt, AES-CBC), as GenerateFileKey and "openssl pkcs8 -topk8 -v2
// aes-256-cbc" write, followed optionally by CERTIFICATE blocks, leaf first.
// Unencrypted PRIVATE KEY blocks are refused unless
// Options.AllowUnencryptedKey is set (throwaway test keys only); legacy
// "RSA PRIVATE KEY" and "EC PRIVATE KEY" blocks are refused.
//
// # PINs and passphrases
//
// Both URI kinds take the secret the same way, in this order:
//
//   - pin-value=SECRET in the query (avoid outside tests: it ends up in shell
//     history and process lists);
//   - pin-source=file:PATH: the file's contents less one trailing newline;
//   - pin-source=env:NAME: the environment variable NAME (a kyso extension
//     to RFC 7512);
//   - otherwise Options.Prompt, called once; with no Prompt (no terminal)
//     Open fails with ErrNoPINSource.
//
// A wrong PIN or passphrase fails at once with ErrWrongPIN and is never
// retried, so a token's retry counter only moves once per call. PINs never
// appear in errors; log URIs through RedactURI or Key.URI.
//
// # One login per token and process
//
// PKCS#11 login state belongs to the process: while one Key from a token is
// open, a second login to that token would succeed with any PIN. Open
// therefore refuses a token this process is already logged in to with
// ErrTokenInUse. Keep one Key per token open at a time, or reuse it; to hold
// several keys of one token (a network HSM with many signers' keys), log in
// once with OpenToken and take the keys with Token.Key: they share one
// context and sign concurrently.
//
// # Certificates
//
// The leaf is the first certificate in Options.Certificates when it holds
// the key's public key; else the certificate stored with the key (on the
// token with the same CKA_ID, or in the key file), followed by
// Options.Certificates as intermediates when they start with a CA
// certificate. A leaf for another key is refused
// with ErrCertificateMismatch, and every certificate must be issued by the
// next (ErrInvalidChain). ImportCertificate stores a leaf on the token so
// later Opens need no --cert.
package hsm
