package main

import (
	"path/filepath"
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
	if err := run("embedded", "", out, "val", data.JPEG, 10, true); err != nil {
		t.Fatal(err)
	}
	s, err := data.NewSegFolder(filepath.Join(out, "val"), nil, 1)
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
