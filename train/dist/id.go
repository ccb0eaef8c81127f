package dist

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
)

// IDSize is the length of an ID: NCCL_UNIQUE_ID_BYTES.
const IDSize = 128

// ID is the opaque identifier rank 0 makes and every rank needs to join
// one communicator.
type ID [IDSize]byte

// String returns the first bytes of the ID in hex, enough to tell two IDs
// apart in a log.
func (id ID) String() string { return hex.EncodeToString(id[:8]) + "..." }

// RandomID returns an ID of random bytes: a stand-in for NCCL's
// ncclGetUniqueId where there is no NCCL (tests, CPU runs).
func RandomID() (ID, error) {
	var id ID
	_, err := rand.Read(id[:])
	return id, err
}

// ParseURL returns the host:port of a -dist-url of the form
// tcp://host:port, or an error naming what is wrong with it.
func ParseURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("-dist-url %q: %w", s, err)
	}
	if u.Scheme != "tcp" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.User != nil || u.RawQuery != "" {
		return "", fmt.Errorf("-dist-url %q: want tcp://host:port", s)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil || host == "" || port == "" {
		return "", fmt.Errorf("-dist-url %q: want tcp://host:port", s)
	}
	return u.Host, nil
}
