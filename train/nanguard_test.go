package train

import (
	"math"
	"testing"
)

func TestCheckLoss(t *testing.T) {
	if err := CheckLoss(2.3, 1, 10, ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		loss float64
		ckpt string
		want string
	}{
		{math.NaN(), "runs/a/checkpoint-epoch002.json", "train: loss is NaN at epoch 3 step 1234; last good checkpoint: runs/a/checkpoint-epoch002.json"},
		{math.Inf(-1), "", "train: loss is infinite at epoch 3 step 1234; last good checkpoint: none"},
	} {
		err := CheckLoss(c.loss, 3, 1234, c.ckpt)
		if err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}
