package weiling_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/weiling"
)

// WeCom's published sample (developer.work.weixin.qq.com, 加解密方案): the
// same algorithm weiling documents. Independent of this package.
const (
	wecomToken   = "QDG6eK"
	wecomKey     = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	wecomCorpID  = "wx5823bf96d3bd56c7"
	wecomEchoStr = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	wecomEncrypt = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)

// A vector computed with openssl in the shell (not with this package):
// key = base64 -d of key43+"=", iv = key[:16], plaintext =
// "0123456789abcdef" | uint32be(len(msg)) | msg | appID | PKCS#7 to 32,
// `openssl enc -aes-256-cbc -nopad`, base64.
const (
	vecKey    = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	vecRandom = "0123456789abcdef"
	vecMsg    = `{"header":{"event_type":"clue_add","time_stamp":"1611580672000","to_app":"wloa4376fe67dc041d474a79513ed70ae3db"},"event":{"clue_id":"Rw4Ed-aep4uP1_NPBh-SQ8SVxOpdHyLIPu2y_0Jr3bw"}}`
	vecAppID  = "wloa4376fe67dc041d474a79513ed70ae3db"
	vecCipher = "Q3stYC6hdFzMh9T8HCvyDNcO4QQCI41VyCDcljjb6XuPbrqH7QEZB1PtWBlPXsPUTC5UAVrUxTBXl4UBqAuf6N0NmkTbpUeLElZz97sECb7jDJ9pUfHZZwmz1vrme6U+TMELDZmVn1YCPiJNe9Zmvn/rj7R6qbtEiwGV5JsiR7z/mi2bg6e8Wwkrnqg9Z7MVlJ0ULoVsBEcqEtawFgE+qncdh0WUd6hjjC4ANHPSOhUqR9xTExTfU235BOwTmIwU+R8a3FJxHmsWUgltu4ZuVe7q1zPwvFjoukjPqe4sQmhJZpcNSJ8eAig82U+JGJxAcFE/kZGGYRusRkZLl3AITw=="
)

func TestSignKnownVectors(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", weiling.Sign(wecomToken, "1409659589", "263014780", wecomEchoStr))
	assert.Equal(t, "477715d11cdb4164915debcba66cb864d751f3e6", weiling.Sign(wecomToken, "1409659813", "1372623149", wecomEncrypt))
	// Order of the arguments does not matter: they are sorted.
	assert.Equal(t, weiling.Sign("a", "b", "c", "d"), weiling.Sign("d", "c", "b", "a"))
	// sha1("") of four empty strings.
	assert.Equal(t, "da39a3ee5e6b4b0d3255bfef95601890afd80709", weiling.Sign("", "", "", ""))
}

func TestDecryptKnownVectors(t *testing.T) {
	t.Parallel()
	msg, id, err := weiling.Decrypt(wecomKey, wecomEchoStr)
	require.NoError(t, err)
	assert.Equal(t, "1616140317555161061", string(msg))
	assert.Equal(t, wecomCorpID, id)

	msg, id, err = weiling.Decrypt(wecomKey, wecomEncrypt)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(msg), "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]>"))
	assert.Contains(t, string(msg), "<Content><![CDATA[hello]]></Content>")
	assert.Equal(t, wecomCorpID, id)

	msg, id, err = weiling.Decrypt(vecKey, vecCipher)
	require.NoError(t, err)
	assert.Equal(t, vecMsg, string(msg))
	assert.Equal(t, vecAppID, id)
}

func TestEncryptKnownVector(t *testing.T) {
	t.Parallel()
	got, err := weiling.EncryptWithRandom(strings.NewReader(vecRandom), vecKey, []byte(vecMsg), vecAppID)
	require.NoError(t, err)
	assert.Equal(t, vecCipher, got)
}

func TestEncryptDecryptRoundTrip(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 11, 12, 13, 31, 32, 33, 44, 100, 4096} {
		for _, rid := range []string{"", "wloa1", vecAppID} {
			msg := bytes.Repeat([]byte("卫"), n)[:n]
			enc, err := weiling.Encrypt(vecKey, msg, rid)
			require.NoError(t, err)
			raw, err := base64.StdEncoding.DecodeString(enc)
			require.NoError(t, err)
			assert.Zero(t, len(raw)%32, "padded to 32-byte blocks")
			got, gotID, err := weiling.Decrypt(vecKey, enc)
			require.NoError(t, err, "n=%d rid=%q", n, rid)
			assert.Equal(t, msg, got)
			assert.Equal(t, rid, gotID)
		}
	}
	// Random prefix: two encryptions differ.
	a, _ := weiling.Encrypt(vecKey, []byte("x"), "id")
	b, _ := weiling.Encrypt(vecKey, []byte("x"), "id")
	assert.NotEqual(t, a, b)
}

// encryptRaw encrypts an arbitrary plaintext with the key's CBC setup, to
// build malformed messages.
func encryptRaw(t *testing.T, key43 string, plain []byte) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(key43 + "=")
	require.NoError(t, err)
	block, err := aes.NewCipher(key)
	require.NoError(t, err)
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out)
}

func TestDecryptRejects(t *testing.T) {
	t.Parallel()
	valid, err := weiling.Encrypt(vecKey, []byte(vecMsg), vecAppID)
	require.NoError(t, err)
	raw, _ := base64.StdEncoding.DecodeString(valid)
	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)-1] ^= 0x01 // last block: garbles the padding
	flippedFirst := append([]byte(nil), raw...)
	flippedFirst[17] ^= 0x80 // CBC: flips a bit of the length prefix in block 2

	block32 := func(fill byte, last byte) []byte {
		b := bytes.Repeat([]byte{fill}, 32)
		b[31] = last
		return b
	}
	lenTooBig := make([]byte, 64)
	copy(lenTooBig[16:20], []byte{0, 0, 1, 0}) // N = 256 > available
	for i := 48; i < 64; i++ {
		lenTooBig[i] = 16
	}
	short := block32(0, 20) // 12 bytes left after padding: no length prefix
	for i := 12; i < 32; i++ {
		short[i] = 20
	}
	mixedPad := block32(0, 4)
	mixedPad[29] = 3

	tests := []struct {
		name, key, msg string
		want           error
	}{
		{"key 42 chars", vecKey[:42], valid, weiling.ErrInvalidAESKey},
		{"key 44 chars", vecKey + "A", valid, weiling.ErrInvalidAESKey},
		{"key bad base64", strings.Repeat("!", 43), valid, weiling.ErrInvalidAESKey},
		{"key empty", "", valid, weiling.ErrInvalidAESKey},
		{"not base64", vecKey, "%%%not-base64%%%", weiling.ErrDecrypt},
		{"empty", vecKey, "", weiling.ErrDecrypt},
		{"not a block multiple", vecKey, base64.StdEncoding.EncodeToString(raw[:len(raw)-3]), weiling.ErrDecrypt},
		{"15 bytes", vecKey, base64.StdEncoding.EncodeToString(make([]byte, 15)), weiling.ErrDecrypt},
		{"flipped last byte", vecKey, base64.StdEncoding.EncodeToString(flipped), weiling.ErrDecrypt},
		{"wrong key", "zyxwvutsrqponmlkjihgfedcba9876543210ZYXWVUT", valid, weiling.ErrDecrypt},
		{"pad 0", vecKey, encryptRaw(t, vecKey, block32(0, 0)), weiling.ErrDecrypt},
		{"pad 33", vecKey, encryptRaw(t, vecKey, block32(0, 33)), weiling.ErrDecrypt},
		{"pad bytes differ", vecKey, encryptRaw(t, vecKey, mixedPad), weiling.ErrDecrypt},
		{"length past the end", vecKey, encryptRaw(t, vecKey, lenTooBig), weiling.ErrDecrypt},
		{"no room for length", vecKey, encryptRaw(t, vecKey, short), weiling.ErrDecrypt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var msg []byte
			var err error
			require.NotPanics(t, func() { msg, _, err = weiling.Decrypt(tt.key, tt.msg) })
			require.Error(t, err)
			assert.True(t, errors.Is(err, tt.want), "got %v", err)
			assert.Nil(t, msg)
			assert.NotContains(t, err.Error(), vecKey)
		})
	}
	// A flipped bit in an early block either fails or changes the message:
	// it never yields the original.
	msg, _, err := weiling.Decrypt(vecKey, base64.StdEncoding.EncodeToString(flippedFirst))
	if err == nil {
		assert.NotEqual(t, vecMsg, string(msg))
	}
}

func TestEncryptRejects(t *testing.T) {
	t.Parallel()
	_, err := weiling.Encrypt("short", []byte("x"), "id")
	require.ErrorIs(t, err, weiling.ErrInvalidAESKey)
	_, err = weiling.EncryptWithRandom(strings.NewReader("too short"), vecKey, []byte("x"), "id")
	require.Error(t, err)
	require.NoError(t, weiling.CheckEncodingAESKey(vecKey))
	require.ErrorIs(t, weiling.CheckEncodingAESKey(vecKey[1:]), weiling.ErrInvalidAESKey)
}

func BenchmarkDecrypt(b *testing.B) {
	for b.Loop() {
		if _, _, err := weiling.Decrypt(vecKey, vecCipher); err != nil {
			b.Fatal(err)
		}
	}
}
