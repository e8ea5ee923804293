package hsm

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/youmark/pkcs8"
)

// PEM block types in key files.
const (
	pemEncryptedKey = "ENCRYPTED PRIVATE KEY"
	pemPlainKey     = "PRIVATE KEY"
	pemCertificate  = "CERTIFICATE"
)

// FileKeyIterations is the PBKDF2-HMAC-SHA256 iteration count GenerateFileKey
// writes (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).
const FileKeyIterations = 600_000

// Bounds on the key-derivation parameters Open accepts from a key file, so a
// crafted file cannot make it work for hours or allocate gigabytes.
const (
	maxPBKDF2Iterations = 10_000_000
	maxScryptMemory     = 1 << 30 // bytes: 128 * N * r
	maxScryptP          = 16
)

var (
	oidPBES2          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidScrypt         = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
	oidHMACWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES128CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

// keyFile is the decoded structure of a PEM key file.
type keyFile struct {
	encrypted []byte        // EncryptedPrivateKeyInfo DER, already checked by checkPBES2
	plain     crypto.Signer // parsed unencrypted key
	certs     []*x509.Certificate
}

// decodeKeyFile splits a PEM key file into its key and certificates and
// checks their structure. It runs no key derivation, so it is cheap on any
// input. Text outside PEM blocks is ignored, as openssl does; a damaged
// block is an error, never skipped.
func decodeKeyFile(data []byte) (*keyFile, error) {
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrMalformedKeyFile, maxKeyFileSize)
	}
	kf := &keyFile{}
	keys, blocks := 0, 0
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		blocks++
		if len(block.Headers) > 0 {
			return nil, fmt.Errorf("%w: PEM block %d (%s) has headers: legacy PEM encryption is not supported, convert with openssl pkcs8 -topk8 -v2 aes-256-cbc", ErrUnsupportedKey, blocks, block.Type)
		}
		switch block.Type {
		case pemEncryptedKey:
			keys++
			if err := checkPBES2(block.Bytes); err != nil {
				return nil, err
			}
			kf.encrypted = block.Bytes
		case pemPlainKey:
			keys++
			priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: PRIVATE KEY block: %v", ErrMalformedKeyFile, err)
			}
			signer, err := checkSigningKey(priv)
			if err != nil {
				return nil, err
			}
			kf.plain = signer
		case pemCertificate:
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: certificate %d: %v", ErrMalformedKeyFile, len(kf.certs)+1, err)
			}
			kf.certs = append(kf.certs, cert)
		case "RSA PRIVATE KEY", "EC PRIVATE KEY":
			return nil, fmt.Errorf("%w: %s block: convert to encrypted PKCS #8 with openssl pkcs8 -topk8 -v2 aes-256-cbc", ErrUnsupportedKey, block.Type)
		default:
			return nil, fmt.Errorf("%w: unexpected PEM block %q", ErrMalformedKeyFile, block.Type)
		}
	}
	// pem.Decode skips a block it cannot decode and carries on with the
	// next one, so count the block openings to catch damaged blocks.
	if begins := bytes.Count(data, []byte("-----BEGIN ")); begins != blocks {
		return nil, fmt.Errorf("%w: %d PEM blocks begin but %d decode: the file is damaged or truncated", ErrMalformedKeyFile, begins, blocks)
	}
	switch {
	case keys == 0:
		return nil, fmt.Errorf("%w: no private key block", ErrMalformedKeyFile)
	case keys > 1:
		return nil, fmt.Errorf("%w: %d private key blocks, want one", ErrMalformedKeyFile, keys)
	}
	return kf, nil
}

type encryptedPrivateKeyInfo struct {
	Algorithm     pkix.AlgorithmIdentifier
	EncryptedData []byte
}

type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt           []byte
	IterationCount int
	PRF            pkix.AlgorithmIdentifier `asn1:"optional"`
}

type scryptParams struct {
	Salt                     []byte
	CostParameter            int
	BlockSize                int
	ParallelizationParameter int
}

// unmarshalAll parses exactly one DER value into v.
func unmarshalAll(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return errors.New("trailing data")
	}
	return nil
}

// checkPBES2 checks an EncryptedPrivateKeyInfo before any decryption: PBES2
// with PBKDF2 (HMAC-SHA1 or HMAC-SHA256) or scrypt, AES-CBC, sane parameters.
// After it passes, a failure to decrypt can only mean a wrong passphrase or
// damaged ciphertext.
func checkPBES2(der []byte) error {
	var info encryptedPrivateKeyInfo
	if err := unmarshalAll(der, &info); err != nil {
		return fmt.Errorf("%w: ENCRYPTED PRIVATE KEY block: %v", ErrMalformedKeyFile, err)
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return fmt.Errorf("%w: encryption scheme %s: only PBES2 is supported", ErrUnsupportedKey, info.Algorithm.Algorithm)
	}
	var params pbes2Params
	if err := unmarshalAll(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return fmt.Errorf("%w: PBES2 parameters: %v", ErrMalformedKeyFile, err)
	}
	kdf := params.KeyDerivationFunc
	switch {
	case kdf.Algorithm.Equal(oidPBKDF2):
		var p pbkdf2Params
		if err := unmarshalAll(kdf.Parameters.FullBytes, &p); err != nil {
			return fmt.Errorf("%w: PBKDF2 parameters: %v", ErrUnsupportedKey, err)
		}
		if len(p.PRF.Algorithm) > 0 && !p.PRF.Algorithm.Equal(oidHMACWithSHA1) && !p.PRF.Algorithm.Equal(oidHMACWithSHA256) {
			return fmt.Errorf("%w: PBKDF2 PRF %s: want HMAC-SHA256 or HMAC-SHA1", ErrUnsupportedKey, p.PRF.Algorithm)
		}
		if p.IterationCount < 1 || p.IterationCount > maxPBKDF2Iterations {
			return fmt.Errorf("%w: PBKDF2 iteration count %d out of range 1..%d", ErrUnsupportedKey, p.IterationCount, maxPBKDF2Iterations)
		}
		if len(p.Salt) < 8 || len(p.Salt) > 64 {
			return fmt.Errorf("%w: PBKDF2 salt of %d bytes", ErrUnsupportedKey, len(p.Salt))
		}
	case kdf.Algorithm.Equal(oidScrypt):
		var p scryptParams
		if err := unmarshalAll(kdf.Parameters.FullBytes, &p); err != nil {
			return fmt.Errorf("%w: scrypt parameters: %v", ErrUnsupportedKey, err)
		}
		n, r := p.CostParameter, p.BlockSize
		if n < 2 || n&(n-1) != 0 || r < 1 || p.ParallelizationParameter < 1 || p.ParallelizationParameter > maxScryptP ||
			n > maxScryptMemory/128 || r > maxScryptMemory/128/n {
			return fmt.Errorf("%w: scrypt parameters N=%d r=%d p=%d out of range", ErrUnsupportedKey, n, r, p.ParallelizationParameter)
		}
		if len(p.Salt) < 8 || len(p.Salt) > 64 {
			return fmt.Errorf("%w: scrypt salt of %d bytes", ErrUnsupportedKey, len(p.Salt))
		}
	default:
		return fmt.Errorf("%w: key derivation %s: want PBKDF2 or scrypt", ErrUnsupportedKey, kdf.Algorithm)
	}
	enc := params.EncryptionScheme
	if !enc.Algorithm.Equal(oidAES128CBC) && !enc.Algorithm.Equal(oidAES192CBC) && !enc.Algorithm.Equal(oidAES256CBC) {
		return fmt.Errorf("%w: cipher %s: want AES-CBC", ErrUnsupportedKey, enc.Algorithm)
	}
	var iv []byte
	if err := unmarshalAll(enc.Parameters.FullBytes, &iv); err != nil || len(iv) != 16 {
		return fmt.Errorf("%w: AES-CBC IV is not 16 bytes", ErrMalformedKeyFile)
	}
	if n := len(info.EncryptedData); n == 0 || n%16 != 0 {
		return fmt.Errorf("%w: encrypted key of %d bytes is not whole AES blocks", ErrMalformedKeyFile, n)
	}
	return nil
}

// checkSigningKey accepts RSA keys of at least 2048 bits and ECDSA keys on
// P-256, P-384 or P-521.
func checkSigningKey(priv any) (crypto.Signer, error) {
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < 2048 {
			return nil, fmt.Errorf("%w: RSA key of %d bits, want at least 2048", ErrUnsupportedKey, bits)
		}
		return k, nil
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return k, nil
		}
		return nil, fmt.Errorf("%w: ECDSA curve %s", ErrUnsupportedKey, k.Curve.Params().Name)
	default:
		return nil, fmt.Errorf("%w: key type %T: want RSA or ECDSA", ErrUnsupportedKey, priv)
	}
}

func openFileKey(u *URI, opts *Options) (*Key, error) {
	data, err := opts.readFile(u.Path, maxKeyFileSize)
	if err != nil {
		return nil, fmt.Errorf("read key file %s: %w", u.Path, err)
	}
	kf, err := decodeKeyFile(data)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", u.Path, err)
	}
	signer := kf.plain
	if kf.encrypted != nil {
		pass, err := opts.secret(u, fmt.Sprintf("Passphrase for %s: ", u.Path))
		if err != nil {
			return nil, fmt.Errorf("key file %s: %w", u.Path, err)
		}
		priv, err := pkcs8.ParsePKCS8PrivateKey(kf.encrypted, pass)
		clear(pass)
		if err != nil {
			// The structure was checked; CBC has no integrity check, so a
			// wrong passphrase and a damaged ciphertext look the same.
			return nil, fmt.Errorf("key file %s: %w", u.Path, ErrWrongPIN)
		}
		if signer, err = checkSigningKey(priv); err != nil {
			return nil, fmt.Errorf("key file %s: %w", u.Path, err)
		}
	} else if !opts.AllowUnencryptedKey {
		return nil, fmt.Errorf("key file %s: %w: encrypt it with openssl pkcs8 -topk8 -v2 aes-256-cbc", u.Path, ErrUnencryptedKey)
	}
	chain, err := buildChain(signer.Public(), kf.certs, opts.Certificates, opts.AllowMissingCertificate)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", u.Path, err)
	}
	return &Key{Signer: signer, Chain: chain, URI: u.String(), Label: u.Path}, nil
}

// GenerateFileKey makes a new software signing key and returns it as a PEM
// "ENCRYPTED PRIVATE KEY" block (PKCS #8, PBES2 with PBKDF2-HMAC-SHA256 at
// FileKeyIterations iterations and AES-256-CBC, readable by openssl) together
// with the key. Append CERTIFICATE blocks, leaf first, to make a file Open
// reads with its chain.
//
// Randomness comes from crypto/rand: since Go 1.26 key generation ignores any
// other reader, so none is taken (tests can use testing/cryptotest).
func GenerateFileKey(alg Algorithm, passphrase []byte) ([]byte, crypto.Signer, error) {
	if len(passphrase) == 0 {
		return nil, nil, fmt.Errorf("generate key: %w: a file key needs a passphrase", ErrEmptyPIN)
	}
	var priv crypto.Signer
	var err error
	switch {
	case alg.rsaBits() > 0:
		priv, err = rsa.GenerateKey(rand.Reader, alg.rsaBits())
	case alg.curve() != nil:
		priv, err = ecdsa.GenerateKey(alg.curve(), rand.Reader)
	default:
		return nil, nil, fmt.Errorf("generate key: %w: %v", ErrUnknownAlgorithm, alg)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("generate %v key: %w", alg, err)
	}
	der, err := pkcs8.MarshalPrivateKey(priv, passphrase, &pkcs8.Opts{
		Cipher: pkcs8.AES256CBC,
		KDFOpts: pkcs8.PBKDF2Opts{
			SaltSize:       16,
			IterationCount: FileKeyIterations,
			HMACHash:       crypto.SHA256,
		},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("encrypt %v key: %w", alg, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemEncryptedKey, Bytes: der}), priv, nil
}
