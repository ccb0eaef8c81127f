package train

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	// protowire appends single protobuf fields (tag, varint, fixed64,
	// length-delimited bytes) and nothing else: enough to hand-encode the
	// five fields of TensorBoard's Event and Summary messages without
	// generated code from TensorFlow's .proto files or a reflection-based
	// runtime. The module was already in go.sum (through gorgonia).
	"google.golang.org/protobuf/encoding/protowire"
)

// eventFilePrefix starts the name of every TensorBoard event file; TensorBoard
// reads each file of a folder whose name holds "tfevents".
const eventFilePrefix = "events.out.tfevents."

// Scalar is one named value of a TensorBoard summary, e.g. "train/loss".
type Scalar struct {
	Tag   string
	Value float64
}

// EventWriter writes TensorBoard event files: TFRecord-framed Event
// protocol buffers holding scalar summaries. Each event goes to the file in
// one write, so a crash loses at most the event being written; Sync makes
// the written ones durable.
type EventWriter struct {
	f    *os.File
	path string
}

// OpenEventWriter creates a new event file in dir named
// events.out.tfevents.<unix seconds>.<host> (with a ".N" suffix if that
// name is taken, e.g. by a run resumed within the same second) and writes
// its file_version event. A resumed run opens a new file; TensorBoard
// merges the files of a folder.
func OpenEventWriter(dir string, now time.Time) (*EventWriter, error) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	base := filepath.Join(dir, fmt.Sprintf("%s%d.%s", eventFilePrefix, now.Unix(), host))
	path := base
	var f *os.File
	for n := 1; ; n++ {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
		path = fmt.Sprintf("%s.%d", base, n)
	}
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	w := &EventWriter{f: f, path: path}
	if err := w.write(fileVersionEvent(now)); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// Path returns the file's path.
func (w *EventWriter) Path() string { return w.path }

// Scalars writes one event at step and wall time holding the scalars whose
// values are finite; NaN marks a value not measured and is left out.
func (w *EventWriter) Scalars(step int64, wall time.Time, scalars []Scalar) error {
	var summary []byte
	for _, s := range scalars {
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			continue
		}
		summary = protowire.AppendTag(summary, 1, protowire.BytesType) // Summary.value
		summary = protowire.AppendBytes(summary, summaryValue(s))
	}
	if summary == nil {
		return nil
	}
	ev := eventHeader(wall, step)
	ev = protowire.AppendTag(ev, 5, protowire.BytesType) // Event.summary
	return w.write(protowire.AppendBytes(ev, summary))
}

// Sync flushes the file to stable storage.
func (w *EventWriter) Sync() error {
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("train: %s: %w", w.path, err)
	}
	return nil
}

// Close closes the file.
func (w *EventWriter) Close() error { return w.f.Close() }

// write appends one TFRecord holding data to the file.
func (w *EventWriter) write(data []byte) error {
	if _, err := w.f.Write(tfRecord(data)); err != nil {
		return fmt.Errorf("train: %s: %w", w.path, err)
	}
	return nil
}

// summaryValue encodes a Summary.Value: tag (1) and simple_value (2, a
// float32).
func summaryValue(s Scalar) []byte {
	b := protowire.AppendTag(nil, 1, protowire.BytesType)
	b = protowire.AppendString(b, s.Tag)
	b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, math.Float32bits(float32(s.Value)))
}

// eventHeader encodes an Event's wall_time (1, seconds as a double) and
// step (2).
func eventHeader(wall time.Time, step int64) []byte {
	b := protowire.AppendTag(nil, 1, protowire.Fixed64Type)
	b = protowire.AppendFixed64(b, math.Float64bits(float64(wall.UnixNano())/1e9))
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(step))
}

// fileVersionEvent is the event that opens every event file: file_version
// (3) "brain.Event:2", the version TensorBoard reads.
func fileVersionEvent(wall time.Time) []byte {
	b := eventHeader(wall, 0)
	b = protowire.AppendTag(b, 3, protowire.BytesType)
	return protowire.AppendString(b, "brain.Event:2")
}

// castagnoli is the CRC-32C table TFRecord's checksums use.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskedCRC is TFRecord's masked CRC-32C of b: rotated right by 15 bits
// plus a constant, so that a CRC of data holding CRCs stays well mixed.
func maskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, castagnoli)
	return (c>>15 | c<<17) + 0xa282ead8
}

// tfRecord frames data as a TFRecord: its length (uint64, little endian),
// the masked CRC of those 8 bytes, data, and the masked CRC of data.
func tfRecord(data []byte) []byte {
	rec := binary.LittleEndian.AppendUint64(make([]byte, 0, len(data)+16), uint64(len(data)))
	rec = binary.LittleEndian.AppendUint32(rec, maskedCRC(rec[:8]))
	rec = append(rec, data...)
	return binary.LittleEndian.AppendUint32(rec, maskedCRC(data))
}

// isEventFile reports whether name is that of a TensorBoard event file.
func isEventFile(name string) bool { return strings.HasPrefix(name, eventFilePrefix) }
