// Fused optimizer updates over flat parameter buffers, in place, with
// PyTorch's semantics (see autograd.SGDParams, AdamWParams, RMSpropParams).
#include "common.cuh"

extern "C" __global__ void sgd_step_f32(float* w, const float* g, float* buf, i64 n, float lr, float momentum,
                                        float dampening, float weightDecay, i64 nesterov, i64 firstStep) {
	GRID_STRIDE(i, n) {
		float d = g[i];
		if (weightDecay != 0.f) d += weightDecay * w[i];
		if (momentum != 0.f) {
			float b = firstStep ? d : momentum * buf[i] + (1 - dampening) * d;
			buf[i] = b;
			d = nesterov ? d + momentum * b : b;
		}
		w[i] -= lr * d;
	}
}

// adamw_step_f32 takes the per-call constants the caller computes in
// float64: decay = 1 - lr*weightDecay, stepSize = lr/(1-beta1^step) and
// bc2Sqrt = sqrt(1-beta2^step).
extern "C" __global__ void adamw_step_f32(float* w, const float* g, float* m, float* v, i64 n, float beta1,
                                          float beta2, float eps, float decay, float stepSize, float bc2Sqrt) {
	GRID_STRIDE(i, n) {
		float gi = g[i];
		float mi = beta1 * m[i] + (1 - beta1) * gi;
		float vi = beta2 * v[i] + (1 - beta2) * gi * gi;
		m[i] = mi;
		v[i] = vi;
		float denom = (float)sqrt((double)vi) / bc2Sqrt + eps;
		w[i] = w[i] * decay - stepSize * mi / denom;
	}
}

extern "C" __global__ void rmsprop_step_f32(float* w, const float* g, float* sq, float* buf, float* ga, i64 n,
                                            float lr, float alpha, float eps, float weightDecay, float momentum,
                                            i64 centered) {
	GRID_STRIDE(i, n) {
		float d = g[i];
		if (weightDecay != 0.f) d += weightDecay * w[i];
		float s = alpha * sq[i] + (1 - alpha) * d * d;
		sq[i] = s;
		float avg = s;
		if (centered) {
			float a = alpha * ga[i] + (1 - alpha) * d;
			ga[i] = a;
			avg -= a * a;
		}
		float step = d / ((float)sqrt((double)avg) + eps);
		if (momentum > 0.f) {
			step = momentum * buf[i] + step;
			buf[i] = step;
		}
		w[i] -= lr * step;
	}
}
