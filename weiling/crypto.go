package weiling

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Callback crypto errors. Decrypt and Encrypt wrap one of them; none ever
// carries the key or the message.
var (
	// ErrInvalidAESKey: the EncodingAESKey is not 43 base64 characters
	// decoding to 32 bytes.
	ErrInvalidAESKey = errors.New("weiling: invalid EncodingAESKey (want 43 base64 characters)")
	// ErrDecrypt: the ciphertext is not valid base64, not a whole number of
	// AES blocks, or decrypts to a malformed message (padding, length).
	ErrDecrypt = errors.New("weiling: cannot decrypt callback message")
)

// callbackBlockSize is the PKCS#7 block size of the WeCom-style message
// encryption (32, not AES's 16).
const callbackBlockSize = 32

// maxCallbackMessage caps a decrypted message's declared length.
const maxCallbackMessage = 16 << 20

// Sign computes a callback msg_signature the way weiling (and WeCom) does:
// the four strings (Token, timestamp, nonce, and encrypt_msg or echostr)
// sorted, concatenated without separator, SHA-1, lower-case hex.
func Sign(token, timestamp, nonce, encrypt string) string {
	parts := []string{token, timestamp, nonce, encrypt}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// aesKey decodes an EncodingAESKey: base64(EncodingAESKey + "=") = 32 bytes.
func aesKey(encodingAESKey string) (cipher.Block, []byte, error) {
	if len(encodingAESKey) != 43 {
		return nil, nil, ErrInvalidAESKey
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, nil, ErrInvalidAESKey
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, nil, ErrInvalidAESKey
	}
	return block, key[:aes.BlockSize], nil
}

// Decrypt decrypts a callback's encrypt_msg (or a URL check's echostr) with
// the EncodingAESKey: AES-256-CBC with key = base64(EncodingAESKey+"="), IV =
// the key's first 16 bytes, PKCS#7 padding to 32 bytes, and a plaintext of 16
// random bytes, a 4-byte big-endian length N, N bytes of message, then a
// trailing id (WeCom's receiveid; presumably weiling's app id). msg is the
// message and receiveID the trailing id, which Decrypt returns but never
// checks.
//
// Malformed input (bad key, bad base64, a length that is not a multiple of
// 16, bad padding, a length prefix past the end) returns an error wrapping
// ErrInvalidAESKey or ErrDecrypt; Decrypt never panics.
func Decrypt(encodingAESKey, encryptMsg string) (msg []byte, receiveID string, err error) {
	block, iv, err := aesKey(encodingAESKey)
	if err != nil {
		return nil, "", err
	}
	return decrypt(block, iv, encryptMsg)
}

func decrypt(block cipher.Block, iv []byte, encryptMsg string) ([]byte, string, error) {
	ct, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encryptMsg))
	if err != nil {
		return nil, "", fmt.Errorf("%w: ciphertext is not base64", ErrDecrypt)
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, "", fmt.Errorf("%w: ciphertext length %d is not a positive multiple of %d", ErrDecrypt, len(ct), aes.BlockSize)
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, ct)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > callbackBlockSize || pad > len(plain) {
		return nil, "", fmt.Errorf("%w: bad padding", ErrDecrypt)
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			return nil, "", fmt.Errorf("%w: bad padding", ErrDecrypt)
		}
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, "", fmt.Errorf("%w: message too short", ErrDecrypt)
	}
	n := binary.BigEndian.Uint32(plain[16:20])
	if n > maxCallbackMessage || int(n) > len(plain)-20 {
		return nil, "", fmt.Errorf("%w: bad length prefix", ErrDecrypt)
	}
	msg := plain[20 : 20+int(n)]
	return msg, string(plain[20+int(n):]), nil
}

// Encrypt encrypts msg for a callback the way weiling does (see Decrypt),
// appending receiveID (the app id, to_app) after the message, with 16 bytes
// from crypto/rand in front. Fakes and tests use it to produce callbacks.
func Encrypt(encodingAESKey string, msg []byte, receiveID string) (string, error) {
	return EncryptWithRandom(rand.Reader, encodingAESKey, msg, receiveID)
}

// EncryptWithRandom is Encrypt with the 16 leading random bytes read from r
// (tests use a fixed reader to get a known ciphertext).
func EncryptWithRandom(r io.Reader, encodingAESKey string, msg []byte, receiveID string) (string, error) {
	block, iv, err := aesKey(encodingAESKey)
	if err != nil {
		return "", err
	}
	if len(msg) > maxCallbackMessage {
		return "", fmt.Errorf("weiling: message of %d bytes is too large to encrypt", len(msg))
	}
	n := 20 + len(msg) + len(receiveID)
	pad := callbackBlockSize - n%callbackBlockSize
	plain := make([]byte, n+pad)
	if _, err := io.ReadFull(r, plain[:16]); err != nil {
		return "", fmt.Errorf("weiling: reading random bytes: %w", err)
	}
	binary.BigEndian.PutUint32(plain[16:20], uint32(len(msg)))
	copy(plain[20:], msg)
	copy(plain[20+len(msg):], receiveID)
	for i := n; i < len(plain); i++ {
		plain[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(plain, plain)
	return base64.StdEncoding.EncodeToString(plain), nil
}

// CheckEncodingAESKey reports whether key is a usable EncodingAESKey (43
// base64 characters decoding to 32 bytes; the vendor console issues 43
// letters and digits).
func CheckEncodingAESKey(key string) error {
	_, _, err := aesKey(key)
	return err
}
