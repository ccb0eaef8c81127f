// check.cpp runs the GEMM and convolution kernels (gemm.cu, conv.cu,
// depthwise.cu) on the CPU through emu.h and compares them with float64
// references: every path the cuda backend picks (small and big tiles,
// split reductions, the 1x1 and depthwise kernels) over the suite's
// geometries, on a machine without a GPU. It mirrors the launch logic of
// cuda/gemm.go and cuda/conv.go (plan, splits, grids) with a pretend SM
// count of 4, so that small problems take the big tile and the splits.
// Run it with kernels/emu/run.sh; it exits non-zero on a mismatch.
#include "emu.h"
#include "../gemm.cu"
#include "../conv.cu"
#include "../depthwise.cu"
#include <random>
#include <string>
int SMS = 4;
struct Tl { int bm, bn, bk; bool big; };
Tl BIG{128, 128, 8, true}, SMALL{64, 64, 16, false};
int cdiv(int a, int b) { return (a + b - 1) / b; }
void plan(int m, int n, int k, int batch, Tl& t, int& splits, int& chunk) {
	for (Tl c : {BIG, SMALL}) {
		t = c;
		int blocks = cdiv(m, t.bm) * cdiv(n, t.bn) * batch;
		splits = 1;
		if (blocks < SMS) splits = max(1, min(cdiv(2 * SMS, blocks), k / (t.bk * 32)));
		if (blocks * splits >= SMS) break;
	}
	chunk = cdiv(cdiv(k, splits), t.bk) * t.bk;
	if (splits > 1) splits = cdiv(k, chunk); else chunk = k;
}
int used_big = 0, used_split = 0;
void gemm(bool ta, bool tb, int m, int n, int k, int batch, const float* a, i64 lda, i64 sa, const float* b, i64 ldb, i64 sb,
          float* c, i64 ldc, i64 sc, float alpha, float beta) {
	if (!m || !n || !batch) return;
	Tl t; int splits, chunk; plan(m, n, k, batch, t, splits, chunk);
	used_big += t.big; used_split += splits > 1;
	auto kern = t.big ? (ta ? (tb ? sgemm_tt_big_f32 : sgemm_tn_big_f32) : (tb ? sgemm_nt_big_f32 : sgemm_nn_big_f32))
	                  : (ta ? (tb ? sgemm_tt_small_f32 : sgemm_tn_small_f32) : (tb ? sgemm_nt_small_f32 : sgemm_nn_small_f32));
	dim3_ grid{(unsigned)cdiv(m, t.bm), (unsigned)cdiv(n, t.bn), (unsigned)(batch * splits)};
	if (splits == 1) { launch(grid, {256, 1, 1}, [=] { kern(a, lda, sa, b, ldb, sb, c, ldc, sc, 0, m, n, k, 1, chunk, alpha, beta); }); return; }
	std::vector<float> ws((size_t)batch * splits * m * n, NAN);
	float* w = ws.data(); i64 mn = (i64)m * n;
	launch(grid, {256, 1, 1}, [=] { kern(a, lda, sa, b, ldb, sb, w, n, splits * mn, mn, m, n, k, splits, chunk, 1.f, 0.f); });
	launch({8, 1, 1}, {256, 1, 1}, [=] { sum_splits_f32(w, splits, batch, m, n, c, ldc, sc, alpha, beta); });
}
struct P { int n, h, w, c, k, r, s, sh, sw, ph, pw, dh, dw, g; int P_() const { return (h + 2 * ph - dh * (r - 1) - 1) / sh + 1; } int Q_() const { return (w + 2 * pw - dw * (s - 1) - 1) / sw + 1; } };
#define ARGS p.n, p.h, p.w, p.c, p.k, p.r, p.s, p.sh, p.sw, p.ph, p.pw, p.dh, p.dw, p.g, p.P_(), p.Q_()
bool pointwise(const P& p) { return p.r == 1 && p.s == 1 && p.sh == 1 && p.sw == 1 && p.ph == 0 && p.pw == 0; }
void fwd(P p, const float* x, const float* w, float* y) {
	int cg = p.c / p.g, kg = p.k / p.g;
	if (cg == 1) { launch({16, 1, 1}, {256, 1, 1}, [=] { depthwise_forward_f32(x, w, y, ARGS); }); return; }
	if (pointwise(p)) { gemm(false, true, p.n * p.h * p.w, kg, cg, p.g, x, p.c, cg, w, cg, kg * cg, y, p.k, kg, 1, 0); return; }
	int m = p.n * p.P_() * p.Q_(); Tl t; int sp, ch; plan(m, kg, 0, p.g, t, sp, ch); used_big += t.big;
	auto kern = t.big ? conv2d_forward_big_f32 : conv2d_forward_small_f32;
	launch({(unsigned)cdiv(m, t.bm), (unsigned)cdiv(kg, t.bn), (unsigned)p.g}, {256, 1, 1}, [=] { kern(x, w, y, ARGS); });
}
void bwd_data(P p, const float* dy, const float* w, float* dx) {
	int cg = p.c / p.g, kg = p.k / p.g;
	if (cg == 1) { launch({16, 1, 1}, {256, 1, 1}, [=] { depthwise_backward_data_f32(dy, w, dx, ARGS); }); return; }
	if (pointwise(p)) { gemm(false, false, p.n * p.h * p.w, cg, kg, p.g, dy, p.k, kg, w, cg, kg * cg, dx, p.c, cg, 1, 0); return; }
	int m = p.n * p.h * p.w; Tl t; int sp, ch; plan(m, cg, 0, p.g, t, sp, ch); used_big += t.big;
	auto kern = t.big ? conv2d_backward_data_big_f32 : conv2d_backward_data_small_f32;
	launch({(unsigned)cdiv(m, t.bm), (unsigned)cdiv(cg, t.bn), (unsigned)p.g}, {256, 1, 1}, [=] { kern(dy, w, dx, ARGS); });
}
void bwd_filter(P p, const float* x, const float* dy, float* dw) {
	int cg = p.c / p.g, kg = p.k / p.g, taps = p.r * p.s * cg, m = p.n * p.P_() * p.Q_();
	if (cg == 1) {
		int rs = p.r * p.s, cb = cdiv(p.k, 32), splits = max(1, min(cdiv(m, 64), SMS * 4 / (cb * rs)));
		std::vector<double> part((size_t)splits * p.k * rs); double* pp = part.data();
		launch({(unsigned)cb, (unsigned)splits, (unsigned)rs}, {32, 8, 1}, [=] { depthwise_backward_filter_partial_f32(x, dy, pp, ARGS); });
		int n = p.k * rs;
		launch({4, 1, 1}, {256, 1, 1}, [=] { depthwise_backward_filter_finish_f32(pp, splits, dw, n); });
		return;
	}
	if (pointwise(p)) { gemm(true, false, kg, cg, p.n * p.h * p.w, p.g, dy, p.k, kg, x, p.c, cg, dw, cg, kg * cg, 1, 0); return; }
	Tl t; int splits, chunk; plan(kg, taps, m, p.g, t, splits, chunk); used_big += t.big; used_split += splits > 1;
	auto kern = t.big ? conv2d_backward_filter_big_f32 : conv2d_backward_filter_small_f32;
	dim3_ grid{(unsigned)cdiv(kg, t.bm), (unsigned)cdiv(taps, t.bn), (unsigned)(p.g * splits)};
	if (splits == 1) { launch(grid, {256, 1, 1}, [=] { kern(x, dy, dw, 1, m, ARGS); }); return; }
	std::vector<float> ws((size_t)p.g * splits * kg * taps, NAN); float* w = ws.data(); int per = kg * taps;
	launch(grid, {256, 1, 1}, [=] { kern(x, dy, w, splits, chunk, ARGS); });
	launch({8, 1, 1}, {256, 1, 1}, [=] { sum_splits_f32(w, splits, p.g, kg, taps, dw, taps, per, 1.f, 0.f); });
}
std::mt19937 rng(1);
std::vector<float> randn(size_t n) { std::normal_distribution<float> d; std::vector<float> v(n); for (auto& x : v) x = d(rng); return v; }
int fails = 0;
void cmp(const char* what, const std::string& name, const std::vector<float>& got, const std::vector<double>& want, int red) {
	double atol = 1e-4 * sqrt((double)std::max(red, 1)), rtol = 1e-4; int bad = 0;
	for (size_t i = 0; i < want.size(); i++) {
		double d = fabs(got[i] - want[i]);
		if (!(d <= atol + rtol * fabs(want[i]))) { if (bad < 3) printf("  %s %s: [%zu] got %g want %g\n", name.c_str(), what, i, got[i], want[i]); bad++; }
	}
	if (bad) { fails++; printf("FAIL %s %s: %d/%zu bad\n", name.c_str(), what, bad, want.size()); }
}
void test_conv(const std::string& name, P p) {
	int P_ = p.P_(), Q_ = p.Q_(), cg = p.c / p.g, kg = p.k / p.g;
	size_t in = (size_t)p.n * p.h * p.w * p.c, out = (size_t)p.n * P_ * Q_ * p.k, fl = (size_t)p.k * p.r * p.s * cg;
	auto x = randn(in), w = randn(fl), dy = randn(out);
	std::vector<double> y(out), dx(in), dw(fl);
	for (int n = 0; n < p.n; n++) for (int oh = 0; oh < P_; oh++) for (int ow = 0; ow < Q_; ow++) for (int k = 0; k < p.k; k++) {
		int g = k / kg;
		for (int r = 0; r < p.r; r++) for (int s = 0; s < p.s; s++) {
			int h = oh * p.sh - p.ph + r * p.dh, ww = ow * p.sw - p.pw + s * p.dw;
			if (h < 0 || h >= p.h || ww < 0 || ww >= p.w) continue;
			for (int c = 0; c < cg; c++) {
				size_t xi = (((size_t)n * p.h + h) * p.w + ww) * p.c + g * cg + c, wi = (((size_t)k * p.r + r) * p.s + s) * cg + c, yi = (((size_t)n * P_ + oh) * Q_ + ow) * p.k + k;
				y[yi] += (double)x[xi] * w[wi]; dx[xi] += (double)dy[yi] * w[wi]; dw[wi] += (double)dy[yi] * x[xi];
			}
		}
	}
	std::vector<float> gy(out, NAN), gdx(in, NAN), gdw(fl, NAN);
	fwd(p, x.data(), w.data(), gy.data());
	bwd_data(p, dy.data(), w.data(), gdx.data());
	bwd_filter(p, x.data(), dy.data(), gdw.data());
	cmp("forward", name, gy, y, p.r * p.s * cg);
	cmp("backward data", name, gdx, dx, p.r * p.s * kg);
	cmp("backward filter", name, gdw, dw, p.n * P_ * Q_);
	printf("checked %s (launches so far: %d big-tile, %d split)\n", name.c_str(), used_big, used_split); fflush(stdout);
}
void test_gemm(int m, int n, int k) {
	for (int ta = 0; ta < 2; ta++) for (int tb = 0; tb < 2; tb++) for (float beta : {0.f, 1.5f}) {
		auto a = randn((size_t)m * k), b = randn((size_t)k * n), c0 = randn((size_t)m * n);
		std::vector<double> want((size_t)m * n);
		for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) { double s = 0; for (int l = 0; l < k; l++) s += (double)a[i * k + l] * b[l * n + j]; want[i * n + j] = 0.5 * s + beta * c0[i * n + j]; }
		std::vector<float> sa = a, sb = b;
		if (ta) for (int i = 0; i < m; i++) for (int l = 0; l < k; l++) sa[l * m + i] = a[i * k + l];
		if (tb) for (int l = 0; l < k; l++) for (int j = 0; j < n; j++) sb[j * k + l] = b[l * n + j];
		std::vector<float> c = beta == 0 ? std::vector<float>((size_t)m * n, NAN) : c0;
		gemm(ta, tb, m, n, k, 1, sa.data(), ta ? m : k, 0, sb.data(), tb ? k : n, 0, c.data(), n, 0, 0.5f, beta);
		char name[100]; snprintf(name, sizeof name, "gemm %dx%dx%d ta=%d tb=%d beta=%g", m, n, k, ta, tb, beta);
		cmp("", name, c, want, k);
	}
	printf("checked gemm %dx%dx%d (launches so far: %d big-tile, %d split)\n", m, n, k, used_big, used_split); fflush(stdout);
}
int main(int argc, char** argv) {
	SMS = 4;
	test_gemm(5, 7, 3); test_gemm(1, 1, 1); test_gemm(3, 4, 0); test_gemm(70, 67, 130); test_gemm(300, 200, 20); test_gemm(3, 5, 3000);
	test_gemm(130, 70, 5000);
	// name, n h w c k r s sh sw ph pw dh dw g
	test_conv("7x7s2p3 stem", {1, 11, 9, 3, 4, 7, 7, 2, 2, 3, 3, 1, 1, 1});
	test_conv("3x3s1p1", {2, 5, 6, 3, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1});
	test_conv("3x3s2p1 odd", {2, 7, 5, 4, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1});
	test_conv("1x1s1", {2, 4, 3, 5, 6, 1, 1, 1, 1, 0, 0, 1, 1, 1});
	test_conv("1x1s2", {2, 5, 5, 4, 6, 1, 1, 2, 2, 0, 0, 1, 1, 1});
	test_conv("1x1 pad 1", {1, 2, 14, 2, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1});
	test_conv("11x11s4p2", {1, 15, 15, 3, 2, 11, 11, 4, 4, 2, 2, 1, 1, 1});
	test_conv("5x5p2 g2", {1, 6, 5, 4, 6, 5, 5, 1, 1, 2, 2, 1, 1, 2});
	test_conv("dw 3x3s1p1", {2, 5, 5, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 6});
	test_conv("dw 5x5s2p2", {1, 9, 8, 4, 4, 5, 5, 2, 2, 2, 2, 1, 1, 4});
	test_conv("dw mult 2", {1, 5, 4, 3, 6, 3, 3, 1, 1, 1, 1, 1, 1, 3});
	test_conv("1x1 g2", {2, 3, 3, 4, 6, 1, 1, 1, 1, 0, 0, 1, 1, 2});
	test_conv("resnext g4", {1, 4, 4, 32, 8, 3, 3, 1, 1, 1, 1, 1, 1, 4});
	test_conv("dil 2", {1, 7, 8, 3, 4, 3, 3, 1, 1, 2, 2, 2, 2, 1});
	test_conv("non-square", {1, 4, 9, 2, 3, 3, 2, 1, 2, 1, 0, 1, 2, 1});
	test_conv("transposed-style s2 d2 g2", {1, 7, 7, 4, 6, 3, 3, 2, 2, 1, 1, 2, 2, 2});
	test_conv("big fwd", {2, 13, 13, 20, 140, 3, 3, 1, 1, 1, 1, 1, 1, 1});
	test_conv("big bwd data + split filter", {2, 15, 15, 150, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1});
	test_conv("pointwise big", {2, 12, 12, 40, 136, 1, 1, 1, 1, 0, 0, 1, 1, 1});
	test_conv("s2 d2 g2 bigger", {3, 17, 15, 48, 40, 3, 3, 2, 2, 2, 2, 2, 2, 2});
	test_conv("split filter", {2, 40, 40, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1});
	test_conv("split filter g2 s2", {2, 31, 30, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 2});
	printf("%d failures\n", fails);
	return fails != 0;
}
