package train

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// TestMaskedCRC checks the CRC-32C of the standard check string
// "123456789" (0xE3069283) under TFRecord's mask, undone as TensorFlow's
// crc32c::Unmask does.
func TestMaskedCRC(t *testing.T) {
	m := maskedCRC([]byte("123456789"))
	rot := m - 0xa282ead8
	if got := rot>>17 | rot<<15; got != 0xE3069283 {
		t.Errorf("unmasked CRC-32C of 123456789 = %#x, want 0xE3069283 (masked %#x)", got, m)
	}
}

// event is a decoded Event as the tests compare them; Values holds the
// summary's tag and simple_value pairs in order.
type event struct {
	WallTime    float64 `json:"wall_time"`
	Step        int64   `json:"step"`
	FileVersion string  `json:"file_version"`
	Values      [][2]any
}

// readEvents reads an event file with the Go side's own decoder: it checks
// each record's framing and CRCs, then decodes the Event fields by number.
func readEvents(t *testing.T, path string) []event {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var evs []event
	for len(b) > 0 {
		if len(b) < 16 {
			t.Fatalf("%s: %d bytes left, less than a record's framing", path, len(b))
		}
		n := binary.LittleEndian.Uint64(b)
		if binary.LittleEndian.Uint32(b[8:]) != maskedCRC(b[:8]) || uint64(len(b)) < n+16 {
			t.Fatalf("%s: bad length %d or its CRC", path, n)
		}
		data := b[12 : 12+n]
		if binary.LittleEndian.Uint32(b[12+n:]) != maskedCRC(data) {
			t.Fatalf("%s: bad data CRC", path)
		}
		evs = append(evs, decodeEvent(t, data))
		b = b[16+n:]
	}
	return evs
}

// decodeEvent decodes the Event fields the writer sets.
func decodeEvent(t *testing.T, b []byte) event {
	t.Helper()
	var ev event
	eachField(t, b, func(num protowire.Number, typ protowire.Type, v []byte) {
		switch {
		case num == 1 && typ == protowire.Fixed64Type:
			x, _ := protowire.ConsumeFixed64(v)
			ev.WallTime = math.Float64frombits(x)
		case num == 2 && typ == protowire.VarintType:
			x, _ := protowire.ConsumeVarint(v)
			ev.Step = int64(x)
		case num == 3 && typ == protowire.BytesType:
			s, _ := protowire.ConsumeString(v)
			ev.FileVersion = s
		case num == 5 && typ == protowire.BytesType:
			summary, _ := protowire.ConsumeBytes(v)
			eachField(t, summary, func(_ protowire.Number, _ protowire.Type, v []byte) {
				val, _ := protowire.ConsumeBytes(v)
				var pair [2]any
				eachField(t, val, func(num protowire.Number, _ protowire.Type, v []byte) {
					if num == 1 {
						pair[0], _ = protowire.ConsumeString(v)
					} else {
						x, _ := protowire.ConsumeFixed32(v)
						pair[1] = float64(math.Float32frombits(x))
					}
				})
				ev.Values = append(ev.Values, pair)
			})
		default:
			t.Fatalf("unexpected Event field %d of type %d", num, typ)
		}
	})
	return ev
}

// eachField calls f with each field's number, type and value bytes.
func eachField(t *testing.T, b []byte, f func(protowire.Number, protowire.Type, []byte)) {
	t.Helper()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("bad tag: %v", protowire.ParseError(n))
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			t.Fatalf("bad field %d: %v", num, protowire.ParseError(m))
		}
		f(num, typ, b[n:n+m])
		b = b[n+m:]
	}
}

// writeSample writes an event file of two scalar events (one value NaN,
// left out) into dir and returns its path and the events it should hold.
func writeSample(t *testing.T, dir string) (string, []event) {
	t.Helper()
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	w, err := OpenEventWriter(dir, start)
	if err != nil {
		t.Fatal(err)
	}
	wall := start.Add(1500 * time.Millisecond)
	if err := w.Scalars(10, wall, []Scalar{{"train/loss", 2.5}, {"train/top1", math.NaN()}, {"train/lr", 0.125}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Scalars(1<<40, wall, []Scalar{{"val/iou/3", 61.5}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	sec := float64(start.Unix())
	return w.Path(), []event{
		{WallTime: sec, FileVersion: "brain.Event:2"},
		{WallTime: sec + 1.5, Step: 10, Values: [][2]any{{"train/loss", 2.5}, {"train/lr", 0.125}}},
		{WallTime: sec + 1.5, Step: 1 << 40, Values: [][2]any{{"val/iou/3", 61.5}}},
	}
}

// TestEventWriterRoundTrip reads back what EventWriter wrote, and checks
// that a second file opened in the same second gets a name of its own.
func TestEventWriterRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path, want := writeSample(t, dir)
	host, _ := os.Hostname()
	if filepath.Base(path) != fmt.Sprintf("events.out.tfevents.%d.%s", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Unix(), host) {
		t.Errorf("event file named %s", filepath.Base(path))
	}
	if got := readEvents(t, path); !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%v\nwant\n%v", got, want)
	}
	again, _ := writeSample(t, dir)
	if again != path+".1" {
		t.Errorf("second file in the same second is %s, want %s.1", again, path)
	}
}

// TestEventFileReadByPython has Python's protobuf runtime (Debian's
// python3-protobuf) read the file: testdata/read_events.py checks the
// framing with its own CRC-32C and parses Events by their field numbers.
func TestEventFileReadByPython(t *testing.T) {
	python := pythonWithProtobuf(t)
	path, want := writeSample(t, t.TempDir())
	out, err := exec.Command(python, "testdata/read_events.py", path).Output()
	if err != nil {
		t.Fatalf("read_events.py: %v\n%s", err, out)
	}
	var got []event
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var ev struct {
			event
			Values [][2]any `json:"values"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("read_events.py printed %q: %v", line, err)
		}
		if len(ev.Values) > 0 { // the file_version event's [] stays nil
			ev.event.Values = ev.Values
		}
		got = append(got, ev.event)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Python read\n%v\nwant\n%v", got, want)
	}
}

// pythonWithProtobuf returns a Python 3 that imports google.protobuf, or
// skips the test.
func pythonWithProtobuf(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import google.protobuf").Run() == nil {
			return p
		}
	}
	t.Skip("no python3 with the protobuf module (Debian: apt-get install python3-protobuf)")
	return ""
}

// TestRunWritesEventFile checks the event files of a run stopped after its
// first epoch and resumed: the first holds the training scalars every
// -print-freq steps and epoch 1's validation, the resumed run's own file
// epoch 2's steps and validation.
func TestRunWritesEventFile(t *testing.T) {
	cfg := tinyConfig(t, 48) // 6 steps an epoch
	cfg.PrintFreq = 4
	stopAfterOneEpoch(t, cfg)
	cfg.Resume = cfg.Output
	run(t, cfg)

	files, _ := filepath.Glob(filepath.Join(cfg.Output, "events.out.tfevents.*"))
	if len(files) != 2 {
		t.Fatalf("event files %v, want 2 (the first run's and the resumed one's)", files)
	}
	slices.Sort(files) // the resumed one is newer, or the same second with ".1"
	type point struct {
		step int64
		tags string
	}
	var got [][]point
	for _, f := range files {
		var pts []point
		for _, ev := range readEvents(t, f)[1:] {
			var tags []string
			for _, v := range ev.Values {
				if x := v[1].(float64); math.IsNaN(x) || x < 0 {
					t.Errorf("%s: step %d %s = %v", f, ev.Step, v[0], x)
				}
				tags = append(tags, v[0].(string))
			}
			pts = append(pts, point{ev.Step, strings.Join(tags, " ")})
		}
		got = append(got, pts)
	}
	train, val := "train/loss train/lr train/img_per_s", "val/loss val/top1 val/top5"
	want := [][]point{{{4, train}, {6, val}}, {{8, train}, {12, train}, {12, val}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events (step, tags) per file\n%v\nwant\n%v", got, want)
	}
}

// TestTensorboardLogHooks drives the log's hooks with a fake clock: the
// speed counts the images since the epoch's start or the last point, and a
// segmentation validation record gives its per-class IoU.
func TestTensorboardLogHooks(t *testing.T) {
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	l := &tensorboardLog{dir: t.TempDir(), now: func() time.Time { return clock }}
	var h Hooks
	l.attach(&h, 2)
	if err := call(h.epochStart, EpochStart{Epoch: 1, Steps: 4}); err != nil {
		t.Fatal(err)
	}
	for step := 1; step <= 4; step++ {
		clock = clock.Add(time.Second)
		info := StepInfo{Epoch: 1, Step: step, Steps: 4, GlobalStep: int64(step), Images: 8 * step, Loss: 1, LR: 0.5}
		if err := call(h.step, info); err != nil {
			t.Fatal(err)
		}
	}
	val := NewRecord(1, 4, "val")
	val.Loss, val.MIoU, val.PixelAcc, val.IoU, val.Time = 0.5, 40, 90, []float64{80, math.NaN(), 0}, clock
	if err := call(h.epoch, EpochInfo{Train: NewRecord(1, 4, "train"), Val: val}); err != nil {
		t.Fatal(err)
	}
	if err := l.close(); err != nil {
		t.Fatal(err)
	}
	got := readEvents(t, l.w.Path())[1:]
	wall := float64(clock.Unix())
	train := func(speed float64) [][2]any {
		return [][2]any{{"train/loss", 1.0}, {"train/lr", 0.5}, {"train/img_per_s", speed}}
	}
	want := []event{
		{WallTime: wall - 2, Step: 2, Values: train((8 + 16) / 2.0)},
		{WallTime: wall, Step: 4, Values: train((24 + 32) / 2.0)},
		{WallTime: wall, Step: 4, Values: [][2]any{{"val/loss", 0.5}, {"val/miou", 40.0}, {"val/pixel_acc", 90.0},
			{"val/iou/0", 80.0}, {"val/iou/2", 0.0}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events\n%v\nwant\n%v", got, want)
	}
}
