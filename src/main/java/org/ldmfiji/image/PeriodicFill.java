package org.ldmfiji.image;

import java.util.Arrays;

/**
 * Continues a periodic pattern of the known pixels (interference fringes of a hologram, a grating, a lattice) into
 * the unknown ones, where the smooth continuation ({@link BiharmonicFill}) can only fill flat.
 * <p>
 * Detection: the known pixels' detail h = v − G_σ ⊘ v (σ = 4 px, normalised convolution) in a box around the hole,
 * tapered by a Hann window; the fraction p of its spectral energy at periods below {@link #LONGEST_PERIOD} px in the
 * {@link #PEAKS} strongest peaks of |FFT h|² and their mirror images, each with its (2·{@link #HALF} + 1)² neighbours
 * (the taper's and the envelope's spread). Noisy fringes of periods 4.7-20 px put 0.73-0.94 of it there; 175 real
 * training crops of {@code build/real_pack.npz} (photographs, astronomy, medical, textures) at most 0.40, the 32 real
 * evaluation images of models/demo/EVALUATION.md at most 0.50, scikit-image's brick wall 0.39. The peaks must also
 * hold {@link #LEAST_SHARE_OF_VALUES} of the known values' own variation (a smooth ramp's blur edge effect does not).
 * <p>
 * Continuation: Gerchberg–Papoulis band-limited extrapolation (Papoulis, IEEE Trans. Circuits Syst. 22, 1975) of the
 * residual r = v − t of a coarse trend t (the biharmonic fill of G_6 ⊘ v, {@link #trend}): {@link #ITERATIONS} times,
 * r ← F⁻¹(S · F r) with S the peaks' support, then r ← v − t on the known pixels (run on the support's coefficients,
 * {@link #continuation}). The fill is t + r.
 * <p>
 * The smooth fill is moved toward it by β = clip((p − {@link #DETECT_FROM}) / ({@link #DETECT_FULL} −
 * {@link #DETECT_FROM}), 0, 1): untouched on images without a periodic pattern. Six noisy fringe patterns through
 * {@code ./ldm inpaint} (models/evaluate_fringes.py: periods 4.7-11.5 px, strokes, boxes and blobs): error 0.19
 * against 0.53 before and 0.57 for the biharmonic fill (in [−1, 1] units). The box is the hole's bounding box plus
 * {@link #MARGIN} px, grown to the next powers of two where the plane allows; a hole whose box would have a side above
 * {@link #MAX_SIDE} px is left to the smooth fill, and so is one large against its box (its zeros spread the peaks:
 * a 300 px hole in 512 px fringes scores 0.49).
 */
public final class PeriodicFill {

	static final int PEAKS = 2, HALF = 2, ITERATIONS = 200, MARGIN = 32;
	/** The largest side of the box a pattern is read in. */
	public static final int MAX_SIDE = 512;
	static final double DETAIL_SIGMA = 4, LONGEST_PERIOD = 24, TREND_SIGMA = 6, DETECT_FROM = 0.55, DETECT_FULL = 0.7;
	/**
	 * Known pixels within this many px of the hole are hidden to test the continuation ({@link #heldOutSkill}, the
	 * evaluation's ring); β is scaled by skill / SKILL_FULL, clipped to [0, 1].
	 */
	static final double HELD_OUT = 8, SKILL_FULL = 0.5;
	/** The peaks' least share of the known values' own variation (their tapered spectrum, DC left out). */
	static final double LEAST_SHARE_OF_VALUES = 0.02;

	private PeriodicFill() {}

	/**
	 * Moves {@code fill} (a fill of the unknown pixels, the known ones holding their values) toward the periodic
	 * continuation by the detected β, in place; returns β (0: not periodic, {@code fill} untouched).
	 */
	public static double blendInto(float[] fill, float[] values, boolean[] unknown, int w, int h) {
		return blendInto(fill, values, unknown, unknown, w, h);
	}

	/**
	 * The same for the {@code target} pixels only (unknown ones; the box is placed around them): the plane may hold
	 * more context, and other holes, than the fill needs.
	 */
	public static double blendInto(float[] fill, float[] values, boolean[] unknown, boolean[] target, int w, int h) {
		int[] box = box(bounds(target, w, new int[] {0, 0, w, h}), w, h);
		if (box == null) return 0;
		int x0 = box[0], y0 = box[1], bw = box[2] - x0, bh = box[3] - y0;
		int nw = Fft2.ceilPowerOfTwo(bw), nh = Fft2.ceilPowerOfTwo(bh);
		int extent = Math.max(box[4], box[5]);
		float[] v = new float[bw * bh];
		boolean[] hole = new boolean[bw * bh];
		int known = 0;
		for (int y = 0; y < bh; y++)
			for (int x = 0; x < bw; x++) {
				int i = (y0 + y) * w + x0 + x;
				hole[y * bw + x] = unknown[i];
				v[y * bw + x] = unknown[i] ? 0 : values[i];
				if (unknown[i]) continue;
				if (!Float.isFinite(values[i])) return 0; // no spectrum to read; the smooth fill decides
				known++;
			}
		if (known < 64) return 0;
		int[] peaks = new int[PEAKS];
		double beta = detect(v, hole, bw, bh, nw, nh, peaks);
		if (beta == 0) return 0;
		// modulations of the peaks slower than twice the hole are not constrained by its surroundings: the support
		// narrows for large holes (a 300 px hole in a 512 px box: error 0.73 with ±2 bins, 0.32 with ±1)
		int half = Math.max(1, Math.min(HALF, (int) Math.round(Math.min(nw, nh) / (2.0 * extent))));
		boolean[] support = support(peaks, half, nw, nh);
		beta *= Math.max(0, Math.min(1, heldOutSkill(v, hole, bw, bh, nw, nh, support) / SKILL_FULL));
		if (beta == 0) return 0;
		float[] periodic = continuation(v, hole, bw, bh, nw, nh, support);
		for (int y = 0; y < bh; y++)
			for (int x = 0; x < bw; x++) {
				int i = (y0 + y) * w + x0 + x;
				if (target[i]) fill[i] = (float) ((1 - beta) * fill[i] + beta * periodic[y * bw + x]);
			}
		return beta;
	}

	/**
	 * [x0, y0, x1, y1) of the true pixels within the rectangle {@code r} = [x0, y0, x1, y1) of a plane W wide, or null
	 * when there are none.
	 */
	public static int[] bounds(boolean[] pixels, int w, int[] r) {
		int x0 = Integer.MAX_VALUE, y0 = Integer.MAX_VALUE, x1 = -1, y1 = -1;
		for (int y = r[1]; y < r[3]; y++)
			for (int x = r[0]; x < r[2]; x++)
				if (pixels[y * w + x]) {
					x0 = Math.min(x0, x);
					y0 = Math.min(y0, y);
					x1 = Math.max(x1, x + 1);
					y1 = Math.max(y1, y + 1);
				}
		return x1 < 0 ? null : new int[] {x0, y0, x1, y1};
	}

	/**
	 * The box the pattern is read in around a hole with bounds [x0, y0, x1, y1) on a W × H plane: the bounds plus
	 * {@link #MARGIN} px, grown to the transform's size (the next powers of two) where the plane has the pixels (more
	 * periods to measure), as {x0, y0, x1, y1, hole width, hole height}; null for no hole or a side above
	 * {@link #MAX_SIDE} px.
	 */
	public static int[] box(int[] hole, int w, int h) {
		if (hole == null) return null;
		int x0 = Math.max(0, hole[0] - MARGIN), y0 = Math.max(0, hole[1] - MARGIN);
		int x1 = Math.min(w, hole[2] + MARGIN), y1 = Math.min(h, hole[3] + MARGIN);
		int nw = Fft2.ceilPowerOfTwo(x1 - x0), nh = Fft2.ceilPowerOfTwo(y1 - y0);
		if (nw > MAX_SIDE || nh > MAX_SIDE) return null;
		x0 = Math.max(0, Math.min(x0 - (nw - (x1 - x0)) / 2, w - nw));
		y0 = Math.max(0, Math.min(y0 - (nh - (y1 - y0)) / 2, h - nh));
		return new int[] {x0, y0, Math.min(w, x0 + nw), Math.min(h, y0 + nh), hole[2] - hole[0], hole[3] - hole[1]};
	}

	/** β from the detail's spectrum; the {@link #PEAKS} peaks' bins (nw × nh, −1 for none) into {@code peaks}. */
	static double detect(float[] v, boolean[] hole, int bw, int bh, int nw, int nh, int[] peaks) {
		float[] detail = BiharmonicFill.smoothKnown(v, hole, bw, bh, DETAIL_SIGMA);
		for (int i = 0; i < detail.length; i++) detail[i] = v[i] - detail[i];
		double[][] spectrum = taperedSpectrum(detail, hole, bw, bh, nw, nh);
		double[] re = spectrum[0], im = spectrum[1], power = new double[nw * nh];
		double total = 0;
		for (int i = 1; i < power.length; i++)
			if (Math.hypot(frequency(i % nw, nw), frequency(i / nw, nh)) >= 1 / LONGEST_PERIOD)
				total += power[i] = re[i] * re[i] + im[i] * im[i];
		if (total <= 0) return 0;
		boolean[] support = new boolean[nw * nh];
		Arrays.fill(peaks, -1);
		for (int peak = 0; peak < PEAKS; peak++) {
			int best = -1;
			for (int i = 1; i < power.length; i++)
				if (!support[i] && (best < 0 || power[i] > power[best]) && isLocalMaximum(power, i, nw, nh)) best = i;
			if (best < 0) break;
			peaks[peak] = best;
			support = support(peaks, HALF, nw, nh);
		}
		double inPeaks = 0;
		for (int i = 1; i < power.length; i++) if (support[i]) inPeaks += power[i];
		if (inPeaks < LEAST_SHARE_OF_VALUES * variation(v, hole, bw, bh, nw, nh)) return 0;
		double p = inPeaks / total;
		return Math.max(0, Math.min(1, (p - DETECT_FROM) / (DETECT_FULL - DETECT_FROM)));
	}

	/**
	 * How much better the continuation predicts the known pixels next to the hole than the smooth fill does: both run
	 * with the known pixels within {@link #HELD_OUT} px of the hole hidden as well, skill = 1 − Σ (v − p)² / Σ (v − s)²
	 * over those pixels, p the continuation ({@link #continuation}) and s the smooth fill
	 * ({@link BiharmonicFill#fillDenoised}, σ = {@value BiharmonicFill#DENOISE_SIGMA} px). A spectrum can have strong
	 * peaks without a pattern that repeats: a few parallel grass blades, the streaks of a sky. Their continuation
	 * predicts the hidden pixels worse than the smooth fill (skill −0.08 and −0.84 on two such crops of the real-image
	 * evaluation's photographs, whose detection gave β 0.92 and 0.69), noisy fringes' predicts them far better (0.73 to
	 * 0.98 on twelve of {@code evaluate_fringes.py}'s, 128 and 512 px). 1 when no known pixel lies near the hole.
	 */
	static double heldOutSkill(float[] v, boolean[] hole, int bw, int bh, int nw, int nh, boolean[] support) {
		float[] toHole = DistanceTransform.toUnknown(hole, bw, bh);
		boolean[] hidden = hole.clone(), near = new boolean[hole.length];
		for (int i = 0; i < hole.length; i++) if (!hole[i] && toHole[i] <= HELD_OUT) hidden[i] = near[i] = true;
		float[] p = continuation(v, hidden, bw, bh, nw, nh, support);
		float[] s = BiharmonicFill.fillDenoised(v, hidden, bw, bh, BiharmonicFill.DENOISE_SIGMA);
		double periodic = 0, smooth = 0;
		for (int i = 0; i < hole.length; i++)
			if (near[i]) {
				periodic += (v[i] - p[i]) * (v[i] - p[i]);
				smooth += (v[i] - s[i]) * (v[i] - s[i]);
			}
		return smooth > 0 ? 1 - periodic / smooth : 1;
	}

	/**
	 * Σ |FFT((v − mean) · taper)|² over the non-DC bins, the known pixels only: a pattern in the detail that is a
	 * small part of this is the blur's own edge effect on a smooth image (a ramp: 0.0002 of it, with a peak share of
	 * 0.93), not a pattern of the image (noisy fringes: 0.6-0.93, on a strong quadratic illumination 0.1-0.36).
	 */
	private static double variation(float[] v, boolean[] hole, int bw, int bh, int nw, int nh) {
		double mean = 0;
		int n = 0;
		for (int i = 0; i < v.length; i++)
			if (!hole[i]) {
				mean += v[i];
				n++;
			}
		float[] centred = new float[v.length];
		for (int i = 0; i < v.length; i++) centred[i] = (float) (v[i] - mean / n);
		double[][] spectrum = taperedSpectrum(centred, hole, bw, bh, nw, nh);
		double[] re = spectrum[0], im = spectrum[1];
		double total = 0;
		for (int i = 1; i < re.length; i++) total += re[i] * re[i] + im[i] * im[i];
		return total;
	}

	/** {re, im} (nw × nh) of the FFT of u on the known pixels times a Hann window over the box, zero elsewhere. */
	private static double[][] taperedSpectrum(float[] u, boolean[] hole, int bw, int bh, int nw, int nh) {
		double[] re = new double[nw * nh], im = new double[nw * nh], tx = hann(bw), ty = hann(bh);
		for (int y = 0; y < bh; y++)
			for (int x = 0; x < bw; x++) {
				int i = y * bw + x;
				if (!hole[i]) re[y * nw + x] = u[i] * tx[x] * ty[y];
			}
		Fft2.transform(re, im, nw, nh, false);
		return new double[][] {re, im};
	}

	/**
	 * t + r on the box (bw × bh): the trend plus the Gerchberg–Papoulis continuation of the residual.
	 * <p>
	 * The iterations run on the spectrum's K support bins, not on the image: with P the known pixels, S the support
	 * and c_k = S F r_k, an iteration r_{k+1} = P r_0 + (1 − P) F⁻¹ c_k is c_{k+1} = b + (I − G) c_k, where b = S F P r_0
	 * and G = S F P F⁻¹ S, G_jl = (F P)(ν_j − ν_l) / N (the transform of the known pixels' indicator at the bins'
	 * difference, N the transform's size). The same iterates as transforming the whole box twice per iteration, for
	 * three transforms and {@link #ITERATIONS} K × K products (K ≤ 100): 512 px boxes took 11 s before.
	 */
	static float[] continuation(float[] v, boolean[] hole, int bw, int bh, int nw, int nh, boolean[] support) {
		float[] trend = trend(v, hole, bw, bh);
		int n = nw * nh;
		double[] r0 = new double[n], bre = new double[n], bim = new double[n], pre = new double[n], pim = new double[n];
		for (int y = 0; y < bh; y++)
			for (int x = 0; x < bw; x++) {
				int i = y * bw + x;
				if (hole[i]) continue;
				r0[y * nw + x] = bre[y * nw + x] = v[i] - trend[i];
				pre[y * nw + x] = 1;
			}
		Fft2.transform(bre, bim, nw, nh, false);
		Fft2.transform(pre, pim, nw, nh, false);
		int k = 0;
		int[] bins = new int[n];
		for (int i = 0; i < n; i++) if (support[i]) bins[k++] = i;
		// M = I − G
		double[][] mre = new double[k][k], mim = new double[k][k];
		for (int j = 0; j < k; j++)
			for (int l = 0; l < k; l++) {
				int d = Math.floorMod(bins[j] / nw - bins[l] / nw, nh) * nw + Math.floorMod(bins[j] % nw - bins[l] % nw, nw);
				mre[j][l] = (j == l ? 1 : 0) - pre[d] / n;
				mim[j][l] = -pim[d] / n;
			}
		double[] cre = new double[k], cim = new double[k], nre = new double[k], nim = new double[k];
		for (int it = 0; it < ITERATIONS; it++) {
			for (int j = 0; j < k; j++) {
				double sr = bre[bins[j]], si = bim[bins[j]];
				for (int l = 0; l < k; l++) {
					sr += mre[j][l] * cre[l] - mim[j][l] * cim[l];
					si += mre[j][l] * cim[l] + mim[j][l] * cre[l];
				}
				nre[j] = sr;
				nim[j] = si;
			}
			double[] t = cre;
			cre = nre;
			nre = t;
			t = cim;
			cim = nim;
			nim = t;
		}
		double[] re = new double[n], im = new double[n];
		for (int j = 0; j < k; j++) {
			re[bins[j]] = cre[j];
			im[bins[j]] = cim[j];
		}
		Fft2.transform(re, im, nw, nh, true);
		float[] out = new float[bw * bh];
		for (int y = 0; y < bh; y++)
			for (int x = 0; x < bw; x++) {
				int i = y * bw + x;
				out[i] = (float) (trend[i] + (hole[i] ? re[y * nw + x] : r0[y * nw + x]));
			}
		return out;
	}

	/**
	 * The coarse trend t: the biharmonic fill of G_6 ⊘ v, solved on a grid twice as coarse (values blurred by σ = 6 px
	 * hold nothing a 2 px grid misses; on a 512 px box around a 256 px hole 0.6 s instead of 6, within 0.004 of the
	 * fine solution).
	 */
	static float[] trend(float[] v, boolean[] hole, int bw, int bh) {
		return BiharmonicFill.fillCoarse(BiharmonicFill.smoothKnown(v, hole, bw, bh, TREND_SIGMA), hole, bw, bh);
	}

	/** Cycles per pixel of bin k of n (negative in the upper half, as numpy's fftfreq). */
	private static double frequency(int k, int n) {
		return (k < (n + 1) / 2 ? k : k - n) / (double) n;
	}

	/** The Hann window of n points. */
	private static double[] hann(int n) {
		double[] t = new double[n];
		for (int i = 0; i < n; i++) t[i] = n < 2 ? 1 : 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1));
		return t;
	}

	private static boolean isLocalMaximum(double[] power, int i, int nw, int nh) {
		int x = i % nw, y = i / nw;
		for (int dy = -1; dy <= 1; dy++)
			for (int dx = -1; dx <= 1; dx++)
				if ((dx != 0 || dy != 0) && power[Math.floorMod(y + dy, nh) * nw + Math.floorMod(x + dx, nw)] > power[i])
					return false;
		return power[i] > 0;
	}

	/** The peaks' bins and their mirror images, each with its (2·half + 1)² neighbours; DC left out. */
	static boolean[] support(int[] peaks, int half, int nw, int nh) {
		boolean[] support = new boolean[nw * nh];
		for (int p : peaks) {
			if (p < 0) continue;
			for (int[] at : new int[][] {{p % nw, p / nw}, {(nw - p % nw) % nw, (nh - p / nw) % nh}})
				for (int dy = -half; dy <= half; dy++)
					for (int dx = -half; dx <= half; dx++)
						support[Math.floorMod(at[1] + dy, nh) * nw + Math.floorMod(at[0] + dx, nw)] = true;
		}
		support[0] = false;
		return support;
	}
}
