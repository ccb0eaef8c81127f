package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gocnn/gocnn/internal/jsonfloat"
)

// ErrNotFound is returned (wrapped) by Resolve and Load for a folder that
// holds no checkpoint yet.
var ErrNotFound = errors.New("no checkpoint")

// Resolve returns the checkpoint .json that path names: path itself, or
// for a folder the newest checkpoint, which its latest file points to.
// For a folder without one the error wraps ErrNotFound.
func Resolve(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	if !fi.IsDir() {
		return path, nil
	}
	latest := filepath.Join(path, "latest")
	b, err := os.ReadFile(latest)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("checkpoint: %s: %w", path, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	name := strings.TrimSpace(string(b))
	if name == "" || name != filepath.Base(name) {
		return "", fmt.Errorf("checkpoint: %s: %q is not a checkpoint file name", latest, name)
	}
	return filepath.Join(path, name), nil
}

// Load loads the checkpoint path names (see Resolve), checking every file
// it lists against its checksum. A missing, truncated or corrupt file
// gives an error naming it.
func Load(path string) (*Checkpoint, error) {
	path, f, err := readResolved(path)
	if err != nil {
		return nil, err
	}
	ck := &Checkpoint{State: f.state()}
	_, ck.Resumable = f.Files["optimizer"]
	for role, ref := range f.Files {
		if ref.Name != filepath.Base(ref.Name) || ref.Name == "" {
			return nil, fmt.Errorf("checkpoint: %s: %s file %q is not a plain file name", path, role, ref.Name)
		}
		p := filepath.Join(filepath.Dir(path), ref.Name)
		if err := checkCRC(p, ref.CRC32C); err != nil {
			return nil, err
		}
		switch role {
		case "weights":
			ck.Weights, _, err = LoadWeights(p)
		case "optimizer":
			ck.Optimizer, _, err = LoadSafetensors(p)
		default:
			err = fmt.Errorf("checkpoint: %s: unknown file role %q", path, role)
		}
		if err != nil {
			return nil, err
		}
	}
	if _, ok := f.Files["weights"]; !ok {
		return nil, fmt.Errorf("checkpoint: %s: no weights file listed", path)
	}
	return ck, nil
}

// ReadState returns the State of the checkpoint path names (see Resolve)
// without reading its tensors.
func ReadState(path string) (*State, error) {
	_, f, err := readResolved(path)
	if err != nil {
		return nil, err
	}
	st := f.state()
	return &st, nil
}

// readResolved resolves path (see Resolve) and reads the state file it
// names, returning the resolved path too.
func readResolved(path string) (string, *stateFile, error) {
	path, err := Resolve(path)
	if err != nil {
		return "", nil, err
	}
	f, err := readStateFile(path)
	return path, f, err
}

// state returns the State f holds.
func (f *stateFile) state() State {
	st := f.State
	st.Metrics = jsonfloat.Map[float64](f.Metrics)
	st.OptimizerScalars = jsonfloat.Map[float64](f.OptimizerScalars)
	return st
}

func readStateFile(path string) (*stateFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	var f stateFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("checkpoint: %s: corrupt checkpoint state: %w", path, err)
	}
	return &f, nil
}

func checkCRC(path string, want uint32) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	if got := h.Sum32(); got != want {
		return fmt.Errorf("checkpoint: %s: checksum %08x, want %08x: the file is corrupt or truncated", path, got, want)
	}
	return nil
}
