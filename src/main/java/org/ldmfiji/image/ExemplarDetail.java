package org.ldmfiji.image;

/**
 * Continues the surroundings' detail into a mask by exemplars: the fill becomes
 * <pre>
 *   out(p) = (G_σ ∗ g)(p) + D(q*(p)),   D = c − G_σ ∗ c (on the known pixels),   q*(p) = argmin_q  mean_{o ∈ A(p)} Σ_channels [v(q + o) − v(p + o)]²
 * </pre>
 * on the masked pixels p, with g the smooth guess (the biharmonic continuation, equal to the known pixels outside the
 * mask; its low band G_σ ∗ g, not g itself, since near the border g holds the known pixels' detail carried in), c the
 * known pixels, G_σ ∗ c at a source q their Gaussian-weighted mean over q's patch (G_σ a Gaussian,
 * {@link GaussianBlur}), v the values (the known ones, and out on the pixels already filled), A(p) the offsets o of
 * the (2·{@value #HALF} + 1)² patch around p whose pixel p + o is known or already filled, and q a patch centre within
 * {@value #REACH} px of p whose whole patch is known and within the range of the known pixels around the mask
 * ({@link #sources}). The masked pixels are filled from the border inward (by distance to the nearest known pixel), one pixel
 * per match, all channels from the same source: pixel-wise non-parametric synthesis (Efros &amp; Leung 1999) in the
 * onion-peel order, the detail only, above the smooth guess's band (as {@link LowBandFloor}).
 * <p>
 * Why: a sample's detail is a texture at the surroundings' level but out of phase with the truth, and adds its whole
 * energy to the error. The detail of the best-matching known patch is in phase wherever the surroundings predict it:
 * an edge or a line crossing a thin mask, a periodic pattern (its phase is fixed by the matched patch), and on noise
 * it is again noise at the surroundings' level. On the 32 real images of models/demo/EVALUATION.md it took the fill's
 * MAE below the biharmonic continuation's.
 */
public final class ExemplarDetail {

	/** Half the patch side: the patches are 7 × 7. */
	static final int HALF = 3;
	/** How far (px, in x and in y) from the pixel to fill a source patch may lie. */
	static final int REACH = 64;

	private ExemplarDetail() {}

	/**
	 * In place on the masked pixels of every channel of {@code fill}; {@code guess} has the fill's size and equals the
	 * known pixels outside the mask. Leaves the fill as it is when no patch of the plane is wholly known.
	 *
	 * @param mask w·h row-major, true on the fill
	 * @param sigma the Gaussian's σ (px): the detail copied is the band above it
	 */
	public static void apply(FloatPlanes fill, FloatPlanes guess, boolean[] mask, double sigma) {
		fill.requireSameSize(guess);
		int w = fill.width(), h = fill.height(), n = w * h, channels = fill.channels();
		if (mask.length != n) throw new IllegalArgumentException("the mask has " + mask.length + " pixels, the fill "
			+ w + "x" + h);
		boolean[] source = sources(mask, w, h, guess);
		if (!any(source)) return;
		float[] g = guess.data();
		// a source's low band from its own (matched, wholly known) patch: the Gaussian-weighted mean over the patch
		// (every pixel of which the match compares), so that neither the mask nor an outlier just beyond the patch (a
		// star beside a dark sky) enters its detail
		double[] kernel = new double[(2 * HALF + 1) * (2 * HALF + 1)];
		double sum = 0;
		for (int oy = -HALF, j = 0; oy <= HALF; oy++)
			for (int ox = -HALF; ox <= HALF; ox++, j++) sum += kernel[j] = Math.exp(-(ox * ox + oy * oy) / (2 * sigma * sigma));
		for (int j = 0; j < kernel.length; j++) kernel[j] /= sum;
		float[] detail = new float[channels * n], base = new float[channels * n];
		for (int c = 0; c < channels; c++) {
			for (int i = 0; i < n; i++)
				if (source[i]) {
					double low = 0;
					for (int oy = -HALF, j = 0; oy <= HALF; oy++)
						for (int ox = -HALF; ox <= HALF; ox++, j++) low += kernel[j] * g[c * n + i + oy * w + ox];
					detail[c * n + i] = (float) (g[c * n + i] - low);
				}
			float[] guessLow = GaussianBlur.blur(java.util.Arrays.copyOfRange(g, c * n, (c + 1) * n), w, h, sigma);
			System.arraycopy(guessLow, 0, base, c * n, n);
		}
		// the values matched: the known pixels and the filled ones
		float[] v = g.clone();
		boolean[] known = new boolean[n];
		for (int i = 0; i < n; i++) known[i] = !mask[i];
		float[] out = fill.data();
		for (int p : order(mask, w, h)) {
			int q = bestSource(p, v, known, source, w, h, channels);
			if (q < 0) q = bestSource(p, v, known, source, w, h, channels, Math.max(w, h));
			for (int c = 0; c < channels; c++) {
				v[c * n + p] = base[c * n + p] + detail[c * n + q];
				out[c * n + p] = v[c * n + p];
			}
			known[p] = true;
		}
	}

	private static boolean available(int x, int y, boolean[] known, int w, int h) {
		return x >= 0 && y >= 0 && x < w && y < h && known[y * w + x];
	}

	private static int bestSource(int p, float[] v, boolean[] known, boolean[] source, int w, int h, int channels) {
		return bestSource(p, v, known, source, w, h, channels, REACH);
	}

	/** The source centre q (a pixel index) of least mean squared difference, or −1 when none lies within reach. */
	private static int bestSource(int p, float[] v, boolean[] known, boolean[] source, int w, int h, int channels,
		int reach)
	{
		int n = w * h, px = p % w, py = p / w, side = 2 * HALF + 1;
		// the patch's available offsets around p (inside the plane, known or filled)
		int[] dx = new int[side * side], dy = new int[side * side];
		int count = 0;
		for (int oy = -HALF; oy <= HALF; oy++)
			for (int ox = -HALF; ox <= HALF; ox++) {
				int x = px + ox, y = py + oy;
				if (x < 0 || y < 0 || x >= w || y >= h || !known[y * w + x]) continue;
				dx[count] = ox;
				dy[count++] = oy;
			}
		float[] target = new float[count * channels];
		for (int k = 0; k < count; k++)
			for (int c = 0; c < channels; c++) target[k * channels + c] = v[c * n + (py + dy[k]) * w + px + dx[k]];
		double best = Double.POSITIVE_INFINITY;
		int bestQ = -1;
		for (int qy = Math.max(HALF, py - reach); qy <= Math.min(h - 1 - HALF, py + reach); qy++)
			for (int qx = Math.max(HALF, px - reach); qx <= Math.min(w - 1 - HALF, px + reach); qx++) {
				int q = qy * w + qx;
				if (!source[q]) continue;
				double ssd = 0;
				for (int k = 0; k < count && ssd < best; k++) {
					int s = q + dy[k] * w + dx[k];
					for (int c = 0; c < channels; c++) {
						double d = v[c * n + s] - target[k * channels + c];
						ssd += d * d;
					}
				}
				if (ssd < best) {
					best = ssd;
					bestQ = q;
				}
			}
		return bestQ;
	}

	/**
	 * The patch centres whose whole patch lies inside the plane with no masked pixel and only values within the range
	 * of the known pixels within {@link FillTexture#RING} px of the mask, every channel (as {@link FillTexture}'s
	 * exemplar: the match compares only the pixels known or filled around the pixel to fill, and a star in the rest
	 * of a patch beside a dark sky would enter its low band and so its detail).
	 */
	static boolean[] sources(boolean[] mask, int w, int h, FloatPlanes values) {
		int n = w * h, channels = values.channels();
		float[] d = values.data();
		boolean[] outside = new boolean[n];
		for (int i = 0; i < n; i++) outside[i] = !mask[i];
		float[] toMask = DistanceTransform.toKnown(outside, w, h);
		float[] lo = new float[channels], hi = new float[channels];
		java.util.Arrays.fill(lo, Float.POSITIVE_INFINITY);
		java.util.Arrays.fill(hi, Float.NEGATIVE_INFINITY);
		for (int i = 0; i < n; i++)
			if (!mask[i] && toMask[i] <= FillTexture.RING)
				for (int c = 0; c < channels; c++) {
					lo[c] = Math.min(lo[c], d[c * n + i]);
					hi[c] = Math.max(hi[c], d[c * n + i]);
				}
		boolean[] inRange = new boolean[n];
		for (int i = 0; i < n; i++) {
			inRange[i] = !mask[i];
			for (int c = 0; c < channels && inRange[i]; c++) inRange[i] = d[c * n + i] >= lo[c] && d[c * n + i] <= hi[c];
		}
		long[] sat = new long[(w + 1) * (h + 1)];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				sat[(y + 1) * (w + 1) + x + 1] = (inRange[y * w + x] ? 0 : 1) + sat[y * (w + 1) + x + 1]
					+ sat[(y + 1) * (w + 1) + x] - sat[y * (w + 1) + x];
		boolean[] out = new boolean[n];
		for (int y = HALF; y < h - HALF; y++)
			for (int x = HALF; x < w - HALF; x++) {
				int x0 = x - HALF, y0 = y - HALF, x1 = x + HALF + 1, y1 = y + HALF + 1;
				out[y * w + x] = sat[y1 * (w + 1) + x1] - sat[y0 * (w + 1) + x1] - sat[y1 * (w + 1) + x0]
					+ sat[y0 * (w + 1) + x0] == 0;
			}
		return out;
	}

	/** The masked pixels by distance to the nearest known pixel, nearest first (row-major among equals). */
	static int[] order(boolean[] mask, int w, int h) {
		float[] d = DistanceTransform.toKnown(mask, w, h);
		int count = 0;
		for (boolean b : mask) if (b) count++;
		Integer[] idx = new Integer[count];
		for (int i = 0, k = 0; i < mask.length; i++) if (mask[i]) idx[k++] = i;
		java.util.Arrays.sort(idx, (a, b) -> Float.compare(d[a], d[b]));
		int[] out = new int[count];
		for (int k = 0; k < count; k++) out[k] = idx[k];
		return out;
	}

	private static boolean any(boolean[] m) {
		for (boolean b : m) if (b) return true;
		return false;
	}
}
