package main

import (
	"errors"
	"testing"
)

func TestOneLinePrefixesOnce(t *testing.T) {
	for in, want := range map[string]string{
		"-lr -1: must be positive":             "train: -lr -1: must be positive",
		"train: loss is NaN at epoch 1 step 8": "train: loss is NaN at epoch 1 step 8",
	} {
		if got := oneLine(errors.New(in)); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}
