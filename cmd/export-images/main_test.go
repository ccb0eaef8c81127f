package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/data"
)

func TestExportEmbedded(t *testing.T) {
	out := t.TempDir()
	if err := run("embedded", "", out, "", data.PNG, 50, false); err != nil {
		t.Fatal(err)
	}
	train, val, err := data.ImageFolderSplits(out, data.FolderOptions{Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 50 || val.Len() != 50 {
		t.Fatalf("%d train and %d val images, want 50 each", train.Len(), val.Len())
	}
	segOut := t.TempDir()
	if err := run("embedded", "", segOut, "val", data.JPEG, 10, true); err != nil {
		t.Fatal(err)
	}
	s, err := data.NewSegFolder(filepath.Join(segOut, "val"), nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 10 {
		t.Fatalf("segmentation export: %d images, want 10", s.Len())
	}
	if err := run("cifar10", "", out, "", data.PNG, 0, false); err == nil {
		t.Fatal("cifar10 without -src accepted")
	}
}

// TestExportRefusesAFolderInUse: exporting into a split folder that holds
// files is refused, naming it, before anything is written.
func TestExportRefusesAFolderInUse(t *testing.T) {
	out := t.TempDir()
	if err := os.MkdirAll(filepath.Join(out, "val"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "val", "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := run("embedded", "", out, "", data.PNG, 5, false)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(out, "val")+" is not empty (1 entries, such as notes.txt)") {
		t.Fatalf("export into a used folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "train")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("train was written before the refusal: %v", err)
	}
	// An empty folder is fine.
	if err := os.Remove(filepath.Join(out, "val", "notes.txt")); err != nil {
		t.Fatal(err)
	}
	if err := run("embedded", "", out, "", data.PNG, 5, false); err != nil {
		t.Fatal(err)
	}
}
