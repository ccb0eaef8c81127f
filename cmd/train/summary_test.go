package main

import (
	"strings"
	"testing"

	"github.com/gocnn/gocnn/nn/models"
)

func runOut(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out strings.Builder
	err := run(args, &out)
	return out.String(), err
}

func TestModelsListsEveryModel(t *testing.T) {
	out, err := runOut(t, "-models")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	all := models.All()
	if len(lines) != len(all) {
		t.Fatalf("%d lines for %d models", len(lines), len(all))
	}
	for i, s := range all {
		if f := strings.Fields(lines[i]); len(f) < 2 || f[0] != s.Name {
			t.Errorf("line %d is %q, want %s and its description", i, lines[i], s.Name)
		}
	}
}

// TestSummaryParamsLine checks the last line of -summary against
// docs/anchors.md.
func TestSummaryParamsLine(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-model", "resnet50", "-summary"}, "params: 25557032"},
		{[]string{"-model", "xception", "-summary", "-input", "299"}, "params: 22855952"},
		{[]string{"-model", "googlenet", "-summary", "-aux-logits"}, "params: 13004888"},
		{[]string{"-model", "inception_v3", "-summary", "-aux-logits"}, "params: 27161264"},
		{[]string{"-model", "wide_resnet50_2", "-summary"}, "params: 68883240"},
		{[]string{"-model", "unet", "-summary", "-in-channels", "1", "-classes", "2"}, "params: 31030658"},
		{[]string{"-model", "unet_bn", "-summary", "-classes", "2"}, "params: 31037698"},
		{[]string{"-model", "resnet20", "-summary", "-classes", "10"}, "params: 269722"},
	} {
		out, err := runOut(t, c.args...)
		if err != nil {
			t.Errorf("%v: %v", c.args, err)
			continue
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if last := lines[len(lines)-1]; last != c.want {
			t.Errorf("%v: last line %q, want %q", c.args, last, c.want)
		}
	}
}

func TestSummaryErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-model", "nope", "-summary"},
		{"-model", "unet", "-summary", "-input", "100"},
		{"-model", "resnet18", "-summary", "-classes", "0"},
		{"-no-such-flag"},
	} {
		if _, err := runOut(t, args...); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line", args, err)
		}
	}
}
