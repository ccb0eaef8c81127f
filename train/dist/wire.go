package dist

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// magic opens every hello; the trailing digit is the protocol version.
const magic = "gocnnRV2"

const (
	accepted byte = 0
	refused  byte = 1
)

// hello is what a joining rank tells rank 0.
type hello struct {
	worldSize, rank, devices int
}

func writeHello(w io.Writer, h hello) error {
	var b [len(magic) + 12]byte
	copy(b[:], magic)
	binary.BigEndian.PutUint32(b[len(magic):], uint32(h.worldSize))
	binary.BigEndian.PutUint32(b[len(magic)+4:], uint32(h.rank))
	binary.BigEndian.PutUint32(b[len(magic)+8:], uint32(h.devices))
	_, err := w.Write(b[:])
	return err
}

func readHello(r io.Reader) (hello, error) {
	var b [len(magic) + 12]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return hello{}, err
	}
	if string(b[:len(magic)]) != magic {
		return hello{}, fmt.Errorf("not a gocnn rendezvous hello (%q)", b[:len(magic)])
	}
	return hello{
		worldSize: int(binary.BigEndian.Uint32(b[len(magic):])),
		rank:      int(binary.BigEndian.Uint32(b[len(magic)+4:])),
		devices:   int(binary.BigEndian.Uint32(b[len(magic)+8:])),
	}, nil
}

// writeReply sends id, or reason when it is not nil.
func writeReply(w io.Writer, id ID, reason error) error {
	if reason == nil {
		_, err := w.Write(append([]byte{accepted}, id[:]...))
		return err
	}
	text := reason.Error()
	if len(text) > 1<<16-1 {
		text = text[:1<<16-1]
	}
	b := []byte{refused, 0, 0}
	binary.BigEndian.PutUint16(b[1:], uint16(len(text)))
	_, err := w.Write(append(b, text...))
	return err
}

// readReply returns the ID rank 0 sent, or its reason for refusing as an
// error.
func readReply(r io.Reader) (ID, error) {
	var id ID
	var status [1]byte
	if _, err := io.ReadFull(r, status[:]); err != nil {
		return id, err
	}
	switch status[0] {
	case accepted:
		_, err := io.ReadFull(r, id[:])
		return id, err
	case refused:
		var n [2]byte
		if _, err := io.ReadFull(r, n[:]); err != nil {
			return id, err
		}
		text := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(r, text); err != nil {
			return id, err
		}
		return id, errors.New(string(text))
	}
	return id, fmt.Errorf("unknown reply status %d", status[0])
}
