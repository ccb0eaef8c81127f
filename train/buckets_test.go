package train

import (
	"testing"

	"github.com/gocnn/gocnn/autograd/meta"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

func TestGradBuckets(t *testing.T) {
	m, err := models.New("resnet50", nn.NewShapeBuilder(meta.NewDevice()), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	params := nn.Parameters(m)
	for _, capElems := range []int{1, 1000, bucketBytes / 4, 1 << 40} {
		buckets := gradBuckets(params, capElems)
		next := len(params) - 1
		for b, bucket := range buckets {
			size := 0
			for _, i := range bucket {
				if i != next {
					t.Fatalf("cap %d: bucket %d holds parameter %d, want %d (reverse order, each once)", capElems, b, i, next)
				}
				next--
				size += params[i].Tensor.Numel()
			}
			if size > capElems && len(bucket) > 1 {
				t.Errorf("cap %d: bucket %d of %d parameters holds %d elements", capElems, b, len(bucket), size)
			}
			// A bucket closes only when the next parameter would not fit.
			if b+1 < len(buckets) && size+params[buckets[b+1][0]].Tensor.Numel() <= capElems {
				t.Errorf("cap %d: bucket %d closed with room for parameter %d", capElems, b, buckets[b+1][0])
			}
		}
		if next != -1 {
			t.Errorf("cap %d: parameters 0..%d in no bucket", capElems, next)
		}
	}
	if n := len(gradBuckets(params, 1<<40)); n != 1 {
		t.Errorf("%d buckets with no cap, want 1", n)
	}
	if n := len(gradBuckets(nil, 1)); n != 0 {
		t.Errorf("%d buckets of no parameters", n)
	}
}
