package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/train"
)

// TestLesionEndToEnd trains preresnet20 for a few steps with train.Run and
// runs the whole study on its checkpoint.
func TestLesionEndToEnd(t *testing.T) {
	cfg := train.DefaultConfig()
	cfg.Model, cfg.Limit, cfg.Epochs, cfg.Batch, cfg.Workers = "preresnet20", 48, 1, 16, 1
	cfg.Output = t.TempDir()
	if err := train.Run(context.Background(), cfg, io.Discard); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var out strings.Builder
	err := runLesion([]string{"-resnet", cfg.Output, "-limit", "32", "-draws", "1", "-max-delete", "2", "-max-swaps", "1",
		"-path-samples", "1", "-path-batch", "4", "-out", dir}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "preresnet20: error") {
		t.Errorf("output %q", out.String())
	}
	for _, f := range []string{"report.md", "single.csv", "random.csv", "reorder.csv", "paths.csv", "fig3_single.png", "fig6_paths.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestLesionErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "-resnet names no checkpoint"},
		{[]string{"-resnet", "x", "-draws", "0"}, "-draws must be at least 1"},
		{[]string{"-resnet", "x", "-batch", "0"}, "-batch 0"},
		{[]string{"-resnet", "x", "extra"}, `unexpected argument "extra"`},
		{[]string{"-resnet", filepath.Join(t.TempDir(), "none")}, "no such file"},
		{[]string{"-nope"}, "flag provided but not defined"},
	} {
		err := runLesion(c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("lesion %v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
	if _, _, err := openSplits("voc", ""); err == nil || !strings.Contains(err.Error(), "want builtin") {
		t.Errorf("openSplits(voc): %v", err)
	}
	if _, _, err := openSplits("cifar10", ""); err == nil || !strings.Contains(err.Error(), "needs -data") {
		t.Errorf("openSplits(cifar10) without a folder: %v", err)
	}
}
