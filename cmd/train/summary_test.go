package main

import (
	"os"
	"regexp"
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
		{[]string{"-model", "unet_bn", "-summary", "-classes", "21"}, "params: 31038933"},
		// ResNet-50's 25,557,032 less 990 classes of fc (2048*990 + 990)
		// and 2 input channels of conv1 (64*7*7*2).
		{[]string{"-model", "resnet50", "-summary", "-classes", "10", "-in-channels", "1"}, "params: 23522250"},
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

// TestSummaryAgreesWithTheREADME checks -summary with no other flag
// against every row of the README's model table: each model at its own
// classes and channels.
func TestSummaryAgreesWithTheREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, zoo, _ := strings.Cut(string(readme), "\n## Model zoo\n")
	zoo, _, _ = strings.Cut(zoo, "\n## ")
	rows := regexp.MustCompile("(?m)^\\| `([a-z0-9_]+)` \\| ([0-9,]+) \\| ([0-9]+) \\|").FindAllStringSubmatch(zoo, -1)
	if len(rows) != len(models.All()) {
		t.Fatalf("the README's table has %d rows for %d models", len(rows), len(models.All()))
	}
	for _, row := range rows {
		out, err := runOut(t, "-model", row[1], "-summary")
		if err != nil {
			t.Errorf("%s: %v", row[1], err)
			continue
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if want := "params: " + strings.ReplaceAll(row[2], ",", ""); lines[len(lines)-1] != want {
			t.Errorf("%s -summary ends %q; the README says %s", row[1], lines[len(lines)-1], want)
		}
		if !strings.Contains(lines[0], "input 1x"+row[3]+"x"+row[3]+"x") {
			t.Errorf("%s -summary starts %q; the README's input is %s", row[1], lines[0], row[3])
		}
	}
}

func TestSummaryErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-model", "nope", "-summary"},
		{"-model", "unet", "-summary", "-input", "100"},
		{"-model", "resnet18", "-summary", "-classes", "-1"},
		{"-no-such-flag"},
	} {
		if _, err := runOut(t, args...); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line", args, err)
		}
	}
}
