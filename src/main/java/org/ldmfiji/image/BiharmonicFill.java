package org.ldmfiji.image;

/**
 * The thin-plate (biharmonic) interpolation of a plane's unknown pixels from its known ones: the u that minimises
 * the bending energy Σ_p (Δu)_p² over the pixels p whose discrete Laplacian (4-neighbour, no flux across the plane's
 * edge) involves an unknown pixel, the known pixels held at their values. Its normal equations are the discrete
 * Δ²u = 0 on the unknown pixels (the biharmonic inpainting of Damelin &amp; Hoang 2018, as scikit-image's
 * {@code inpaint_biharmonic}). Unlike the membrane ({@link HarmonicFill}), it continues the surroundings' gradients
 * into the hole, not only their values: a quadratic surface is reproduced exactly, and a ramp that changes slope
 * across the hole is bent smoothly instead of flattened. It is the low-frequency floor of an inpainting fill: the
 * smoothest continuation, closer on average to the truth than one sample of a model that has not seen the kind of
 * image (models/demo/EVALUATION.md, real images).
 * <p>
 * Solved directly ({@link BiharmonicSystem}: sparse Cholesky of the normal equations) where the hole's factor fits in
 * {@link BiharmonicSystem#MAX_ENTRIES} numbers (square holes up to about 260 px); larger holes on a coarser grid and
 * again near their border ({@link #fill(float[], boolean[], int, int, int)}); as a last resort, the least-squares
 * problem min ||L_U u_U + L_K v_K|| by CGLS (conjugate gradients on the normal equations, Björck, Numerical Methods
 * for Least Squares Problems, Alg. 7.4.1), started from the harmonic fill.
 */
public final class BiharmonicFill {

	/**
	 * σ in pixels of the smoothing of the known values before they are continued ({@link #fillDenoised}) where
	 * {@link ContinuationSmoothing} does not choose one (large windows).
	 */
	public static final double DENOISE_SIGMA = 1;
	/** σ (px) below which the known values' detail is noise, not carried into the hole ({@link #fillDenoised}). */
	static final double BORDER_SIGMA = 1;
	/** Pixels over which the structure a larger σ smooths away at the border fades into the hole. */
	static final double BORDER_DECAY = 2;
	/** Holes of at least this many pixels start from the solution on a grid twice as coarse. */
	static final int COARSE_MIN = 1024;
	/** Pixels of a hole too large to solve directly that are solved on the full grid: those this close to a known one. */
	static final double BAND = 16;
	/** Relative norm of the normal equations' residual at which the solve stops. */
	static final double TOLERANCE = 1e-4;

	private BiharmonicFill() {}

	/**
	 * The fill from known values with their noise taken out first: the biharmonic continuation extrapolates the
	 * gradients at the hole's edge, and the gradients of noisy pixels are mostly noise, which it would carry deep into
	 * the hole as slow swings. So the known values are smoothed by normalised convolution ({@link #smoothKnown})
	 * before they are continued (σ = 0: not at all), and where σ exceeds {@link #BORDER_SIGMA} the structure it
	 * smoothed away at the border is carried a few pixels in ({@link #addBorderStructure}). The known pixels of the
	 * result keep their own values.
	 * <p>
	 * On the 32 real images of models/demo/EVALUATION.md, σ = 1 px takes the fill's MAE from 0.140 (plain biharmonic,
	 * as scikit-image) to 0.133; σ = 0.7 gives 0.132, 1.5: 0.136, 2: 0.141; the best σ of each image 0.123, which
	 * {@link ContinuationSmoothing} approaches by choosing σ on the image. Continuing the raw values next to the
	 * border and the smoothed ones from 3 px in lowers the error further (0.1397 → 0.1373 through {@code ./ldm}) but
	 * raises the border gradient on noisy images (dicom-ct-small 1.07 → 1.26, the goal's bound 1.3): not adopted
	 * (EVALUATION.md, sessions 13 and 15).
	 */
	public static float[] fillDenoised(float[] values, boolean[] unknown, int w, int h, double sigma) {
		float[] smooth = sigma > 0 ? smoothKnown(values, unknown, w, h, sigma) : values;
		float[] out = fill(smooth, unknown, w, h);
		if (sigma > BORDER_SIGMA) addBorderStructure(out, values, smooth, unknown, w, h);
		for (int i = 0; i < w * h; i++) if (!unknown[i]) out[i] = values[i];
		return out;
	}

	/**
	 * Adds to a fill of values smoothed by σ the structure they lost at the hole's border, fading into the hole:
	 * <pre>
	 *   out += exp(−(d − 1) / τ) · [G_τ ⊘ (G_s ⊘ v − G_σ ⊘ v)]   on the unknown pixels
	 * </pre>
	 * with s = {@link #BORDER_SIGMA}, τ = {@link #BORDER_DECAY}, ⊘ normalised convolution over the known pixels
	 * ({@link #smoothKnown}) and d the distance to the nearest known pixel. A large σ (chosen where it predicts the
	 * hole's depth best, {@link ContinuationSmoothing}) also moves the continuation's start off the known pixels by
	 * everything between the pixels' noise and σ: a blob or fibre cut by the border, which then ends in a step along
	 * the border (on the demo's held-out synthetic images, border gradient ratios of 1.4-1.6 where σ = 6 px). The
	 * band between s and σ is structure, not noise, and is carried a few pixels in; the noise below s is not (the raw
	 * values next to the border raised the border gradient of noisy images, EVALUATION.md, sessions 13 and 15).
	 */
	private static void addBorderStructure(float[] out, float[] values, float[] smooth, boolean[] unknown, int w,
		int h)
	{
		int n = w * h;
		float[] fine = smoothKnown(values, unknown, w, h, BORDER_SIGMA), lost = new float[n], known = new float[n];
		for (int i = 0; i < n; i++)
			if (!unknown[i]) {
				lost[i] = fine[i] - smooth[i];
				known[i] = 1;
			}
		float[] num = GaussianBlur.blur(lost, w, h, BORDER_DECAY), den = GaussianBlur.blur(known, w, h, BORDER_DECAY);
		float[] d = DistanceTransform.toKnown(unknown, w, h);
		for (int i = 0; i < n; i++)
			if (unknown[i] && den[i] > 1e-6) out[i] += (float) (num[i] / den[i] * Math.exp(-(d[i] - 1) / BORDER_DECAY));
	}

	/**
	 * G_σ ⊘ v: the known values smoothed by normalised convolution (Knutsson &amp; Westin 1993: G_σ ∗ (k·v) / G_σ ∗ k
	 * with k the known pixels' indicator, so that the unknown ones weigh nothing); 0 on the unknown pixels.
	 */
	static float[] smoothKnown(float[] values, boolean[] unknown, int w, int h, double sigma) {
		int n = w * h;
		float[] kv = new float[n], k = new float[n];
		for (int i = 0; i < n; i++)
			if (!unknown[i]) {
				kv[i] = values[i];
				k[i] = 1;
			}
		float[] num = GaussianBlur.blur(kv, w, h, sigma), den = GaussianBlur.blur(k, w, h, sigma);
		float[] smooth = new float[n];
		for (int i = 0; i < n; i++) smooth[i] = unknown[i] || den[i] <= 0 ? 0 : num[i] / den[i];
		return smooth;
	}

	/**
	 * @param values w·h row-major; only the known pixels are read (unknown ones may hold NaN)
	 * @param unknown w·h row-major, true where the value is to be interpolated
	 * @return a copy of {@code values} with the unknown pixels interpolated (0 in a region without known pixels)
	 */
	public static float[] fill(float[] values, boolean[] unknown, int w, int h) {
		return fill(values, unknown, w, h, BiharmonicSystem.maxEntries());
	}

	/**
	 * The same, holes whose factor would hold more than {@code maxEntries} numbers solved in two steps: the fill on a
	 * grid twice as coarse (recursively, {@link #coarse}), then the pixels within {@link #BAND} px of a known one
	 * solved again on this grid, with the coarse fill held beyond them. Exact near the border, where the fill meets
	 * its surroundings; deeper, the coarse fill, which differs from the exact one by the coarser grid's reading of
	 * the border (a textured 300 × 300 hole, smoothed by 1 px first: 2-3 % of the known values' range on average, in
	 * 0.1-0.6 s, {@code ./ldm bench --fill}; CGLS to its tolerance, the earlier way, was as far from it and took
	 * 17 s). A band too large to factorise is narrowed, down to 2 px; past that (thin holes over a very large plane),
	 * CGLS ({@link #iterate}).
	 */
	static float[] fill(float[] values, boolean[] unknown, int w, int h, int maxEntries) {
		BiharmonicSystem system = BiharmonicSystem.of(unknown, w, h, maxEntries);
		if (system != null) return system.fill(values);
		float[] start = w >= 8 && h >= 8 ? coarse(values, unknown, w, h, maxEntries) : null;
		if (start == null) return iterate(values, unknown, w, h);
		float[] depth = DistanceTransform.toKnown(unknown, w, h);
		for (double width = BAND; width >= 2; width /= 2) { // a band too large to factorise is narrowed
			boolean[] band = new boolean[w * h];
			for (int i = 0; i < band.length; i++) band[i] = unknown[i] && depth[i] <= width;
			BiharmonicSystem near = BiharmonicSystem.of(band, w, h, maxEntries);
			if (near != null) return near.fill(start);
		}
		return iterate(values, unknown, w, h);
	}

	/** {@link #fill} by CGLS, to a relative tolerance ({@link #TOLERANCE}): the last resort for very large holes. */
	static float[] iterate(float[] values, boolean[] unknown, int w, int h) {
		float[] start = HarmonicFill.fill(values, unknown, w, h);
		int n = w * h;
		// the equations: pixels whose Laplacian reads an unknown pixel (an unknown one or one of its neighbours)
		int x0 = w, y0 = h, x1 = -1, y1 = -1, unknowns = 0;
		for (int p = 0; p < n; p++)
			if (unknown[p]) {
				unknowns++;
				x0 = Math.min(x0, p % w);
				x1 = Math.max(x1, p % w);
				y0 = Math.min(y0, p / w);
				y1 = Math.max(y1, p / w);
			}
		if (unknowns == 0) return start;
		// work in the bounding box grown by 2 px: the equations lie within 1 px of an unknown pixel, their stencils
		// within 2
		x0 = Math.max(0, x0 - 2);
		y0 = Math.max(0, y0 - 2);
		x1 = Math.min(w - 1, x1 + 2);
		y1 = Math.min(h - 1, y1 + 2);
		int bw = x1 - x0 + 1, bh = y1 - y0 + 1, bn = bw * bh;
		boolean[] u = new boolean[bn], eq = new boolean[bn];
		double[] v = new double[bn];
		// the box's own edge is not a no-flux edge unless it is the plane's: pixels outside the box but inside the
		// plane are known, and their Laplacians read no unknown pixel, so they add no equation; the stencils of the
		// equations reach them only as known values, which lie in the box (2 px margin)
		for (int y = 0; y < bh; y++)
			for (int x = 0; x < bw; x++) {
				int p = (y + y0) * w + x + x0;
				u[y * bw + x] = unknown[p];
				v[y * bw + x] = start[p];
			}
		for (int y = 0; y < bh; y++)
			for (int x = 0; x < bw; x++) {
				int i = y * bw + x;
				eq[i] = u[i] || (x > 0 && u[i - 1]) || (x < bw - 1 && u[i + 1]) || (y > 0 && u[i - bw])
					|| (y < bh - 1 && u[i + bw]);
			}
		Laplacian lap = new Laplacian(bw, bh, x0, y0, w, h);
		double[] r = new double[bn], tmp = new double[bn], s = new double[bn];
		// the accuracy asked is relative to the harmonic start's residual; a large hole starts from the solution on
		// a grid twice as coarse (cascadic: CG then has mostly the fine error left to remove, which it does fast)
		double gamma0 = normalResidual(v, u, eq, lap, r, s);
		if (unknowns >= COARSE_MIN && bw >= 8 && bh >= 8) coarseStart(v, u, bw, bh);
		double gamma = normalResidual(v, u, eq, lap, r, s);
		double[] d = s.clone(), q = new double[bn];
		int maxIterations = 40 * (bw + bh) + 200;
		for (int it = 0; it < maxIterations && gamma > TOLERANCE * TOLERANCE * gamma0 && gamma > 0; it++) {
			lap.apply(d, q);
			for (int i = 0; i < bn; i++) if (!eq[i]) q[i] = 0;
			double qq = ConjugateGradients.dot(q, q);
			if (qq <= 0) break;
			double alpha = gamma / qq;
			for (int i = 0; i < bn; i++) {
				if (u[i]) v[i] += alpha * d[i];
				r[i] -= alpha * q[i];
			}
			lap.apply(r, tmp);
			for (int i = 0; i < bn; i++) s[i] = u[i] ? tmp[i] : 0;
			double next = ConjugateGradients.dot(s, s);
			double beta = next / gamma;
			gamma = next;
			for (int i = 0; i < bn; i++) d[i] = s[i] + beta * d[i];
		}
		float[] out = start.clone();
		for (int y = 0; y < bh; y++)
			for (int x = 0; x < bw; x++)
				if (u[y * bw + x]) out[(y + y0) * w + x + x0] = (float) v[y * bw + x];
		return out;
	}

	/** r = −L(v) on the equations, s = L(r) on the unknown pixels (the normal equations' residual); returns |s|². */
	private static double normalResidual(double[] v, boolean[] u, boolean[] eq, Laplacian lap, double[] r, double[] s) {
		lap.apply(v, r);
		for (int i = 0; i < r.length; i++) r[i] = eq[i] ? -r[i] : 0;
		lap.apply(r, s);
		for (int i = 0; i < s.length; i++) if (!u[i]) s[i] = 0;
		return ConjugateGradients.dot(s, s);
	}

	/**
	 * The fill solved on a grid twice as coarse ({@link #coarse}): for values already smooth over several pixels (a
	 * blurred plane), where the fine grid adds work but no detail. A plane too small to halve is filled as it is.
	 */
	static float[] fillCoarse(float[] values, boolean[] unknown, int w, int h) {
		float[] coarse = w >= 8 && h >= 8 ? coarse(values, unknown, w, h, BiharmonicSystem.maxEntries()) : null;
		return coarse == null ? fill(values, unknown, w, h) : coarse;
	}

	/** Sets the unknown pixels of the box to {@link #coarse}'s values (the start of a large hole's solve). */
	private static void coarseStart(double[] v, boolean[] u, int bw, int bh) {
		float[] fv = new float[v.length];
		for (int i = 0; i < v.length; i++) fv[i] = (float) v[i];
		float[] coarse = coarse(fv, u, bw, bh, BiharmonicSystem.maxEntries());
		if (coarse == null) return;
		for (int i = 0; i < v.length; i++) if (u[i]) v[i] = coarse[i];
	}

	/**
	 * The values with their unknown pixels set to the biharmonic fill of the plane averaged over 2 × 2 blocks (a block
	 * with an unknown pixel is unknown; the plane's edge is a no-flux edge), interpolated bilinearly; null when no
	 * block is known.
	 */
	private static float[] coarse(float[] values, boolean[] u, int bw, int bh, int maxEntries) {
		int cw = (bw + 1) / 2, ch = (bh + 1) / 2;
		float[] cv = new float[cw * ch];
		boolean[] cu = new boolean[cw * ch];
		int[] count = new int[cw * ch];
		for (int y = 0; y < bh; y++)
			for (int x = 0; x < bw; x++) {
				int c = (y / 2) * cw + x / 2, i = y * bw + x;
				if (u[i]) cu[c] = true;
				else {
					cv[c] += values[i];
					count[c]++;
				}
			}
		boolean known = false;
		for (int c = 0; c < cv.length; c++) {
			if (count[c] > 0) cv[c] /= count[c];
			known |= !cu[c];
		}
		if (!known) return null;
		float[] coarse = fill(cv, cu, cw, ch, maxEntries), out = values.clone();
		for (int y = 0; y < bh; y++)
			for (int x = 0; x < bw; x++) {
				if (!u[y * bw + x]) continue;
				double cx = Math.max(0, Math.min(cw - 1, (x - 0.5) / 2)), cy = Math.max(0, Math.min(ch - 1, (y - 0.5) / 2));
				int ix = Math.min(cw - 2, (int) cx), iy = Math.min(ch - 2, (int) cy);
				double fx = cx - ix, fy = cy - iy;
				out[y * bw + x] = (float) ((1 - fy) * ((1 - fx) * coarse[iy * cw + ix] + fx * coarse[iy * cw + ix + 1])
					+ fy * ((1 - fx) * coarse[(iy + 1) * cw + ix] + fx * coarse[(iy + 1) * cw + ix + 1]));
			}
		return out;
	}

	/**
	 * The 4-neighbour Laplacian on a box of the plane, with no flux across the plane's edge (a neighbour outside the
	 * plane is left out); neighbours outside the box but inside the plane read 0 (only used where that is exact).
	 * Symmetric as an operator on the box's pixels.
	 */
	private static final class Laplacian {
		final int bw, bh;
		final boolean left, right, top, bottom;

		Laplacian(int bw, int bh, int x0, int y0, int w, int h) {
			this.bw = bw;
			this.bh = bh;
			left = x0 > 0;
			top = y0 > 0;
			right = x0 + bw < w;
			bottom = y0 + bh < h;
		}

		void apply(double[] f, double[] out) {
			for (int y = 0; y < bh; y++)
				for (int x = 0; x < bw; x++) {
					int i = y * bw + x;
					double s = 0;
					int k = 0;
					if (x > 0) {
						s += f[i - 1];
						k++;
					}
					else if (left) k++;
					if (x < bw - 1) {
						s += f[i + 1];
						k++;
					}
					else if (right) k++;
					if (y > 0) {
						s += f[i - bw];
						k++;
					}
					else if (top) k++;
					if (y < bh - 1) {
						s += f[i + bw];
						k++;
					}
					else if (bottom) k++;
					out[i] = s - k * f[i];
				}
		}
	}
}
