package main

import (
	"strings"
	"testing"
)

// TestHelpHasUsage checks that -h starts with a usage line, names the
// lesion subcommand and lists the flags with torchvision's aliases.
func TestHelpHasUsage(t *testing.T) {
	out, err := runOut(t, "-h")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "usage: train [flags]") || !strings.Contains(out, "train lesion") {
		t.Errorf("-h printed\n%s\nwant a usage line first and the lesion subcommand", out)
	}
	for _, flag := range []string{"-batch int", "-batch-size int", "-skip-bad", "-limit int"} {
		if !strings.Contains(out, "\n  "+flag) {
			t.Errorf("-h does not list %s", flag)
		}
	}
}

// TestUnknownFlagSuggests checks that a misspelt flag gets the nearest
// known one, and a far-fetched one none.
func TestUnknownFlagSuggests(t *testing.T) {
	for _, c := range []struct{ arg, want string }{
		{"-bach", "unknown flag -bach: did you mean -batch?"},
		{"--epoch", "unknown flag -epoch: did you mean -epochs?"},
		{"-output_dir", "did you mean -output-dir?"},
		{"-learning-rate", "unknown flag -learning-rate (train -h lists them)"},
		{"-q", "unknown flag -q (train -h lists them)"},
	} {
		if _, err := runOut(t, c.arg, "1"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.arg, err, c.want)
		}
	}
}

// TestSummaryFlagsWithoutSummary checks that the flags only -summary reads
// are refused when training, which would ignore them.
func TestSummaryFlagsWithoutSummary(t *testing.T) {
	for _, args := range [][]string{{"-input", "64"}, {"-classes", "10"}, {"-in-channels", "1"}} {
		if _, err := runOut(t, args...); err == nil || !strings.Contains(err.Error(), args[0]+" applies only to -summary") {
			t.Errorf("%v: error %v, want one saying it applies only to -summary", args, err)
		}
	}
}

// TestTorchvisionAliases checks that torchvision's spellings set the same
// fields as ours.
func TestTorchvisionAliases(t *testing.T) {
	f, err := parse(t, "--batch-size", "7", "-j", "3", "--data-path", "/d", "--output-dir", "/o", "--weight-decay", "0.5",
		"--test-only", "-weights", "w.safetensors", "-dataset", "folder")
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.config()
	if err != nil {
		t.Fatal(err)
	}
	if c.Batch != 7 || c.Workers != 3 || c.Data != "/d" || c.Output != "/o" || c.WeightDecay != 0.5 || !c.EvalOnly {
		t.Errorf("torchvision's spellings gave %+v", c)
	}
	if f, err = parse(t, "-b", "5"); err != nil || f.cfg.Batch != 5 {
		t.Errorf("-b 5: batch %d, %v", f.cfg.Batch, err)
	}
}

// TestSkipBadFlag checks that -skip-bad reaches the configuration.
func TestSkipBadFlag(t *testing.T) {
	for _, args := range [][]string{nil, {"-skip-bad"}} {
		f, err := parse(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		if c, err := f.config(); err != nil || c.SkipBad != (args != nil) {
			t.Errorf("%v: SkipBad %v, %v", args, c.SkipBad, err)
		}
	}
}
