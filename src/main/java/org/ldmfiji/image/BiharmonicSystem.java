package org.ldmfiji.image;

/**
 * The thin-plate fill of {@link BiharmonicFill} for one fixed hole and many sets of known values, solved directly:
 * the normal equations (L_U)ᵀ L_U u = −(L_U)ᵀ L_K v_K (L the 4-neighbour Laplacian with no flux across the plane's
 * edge, U the unknown pixels, K the known ones) are assembled once and factorised by envelope Cholesky (George &amp;
 * Liu, Computer Solution of Large Sparse Positive Definite Systems, 1981, ch. 4: the factor's nonzeros stay inside
 * the matrix's envelope), after which each set of values costs two triangular solves. The solution is exact, where
 * {@link BiharmonicFill#fill} iterates to a tolerance.
 * <p>
 * Its cost is the envelope's: with the unknowns numbered along the hole's shorter side, a row reaches back about two
 * lines of the hole, so the factor holds about n·2·side numbers for n unknowns and takes about n·(2·side)²
 * multiply-adds (a 100 × 100 hole: 2·10⁶ numbers, 0.13 s on one core; {@link BiharmonicFill#fill}'s iterations took
 * 0.35 s there and stopped 0.016 away from the solution on values of range 4). {@link #of} declines holes whose factor
 * would hold more than {@link #MAX_ENTRIES} numbers.
 */
final class BiharmonicSystem {

	/** The most numbers a factor may hold (32 MiB of doubles; a square hole of about 125 × 125 pixels). */
	static final int MAX_ENTRIES = 1 << 22;
	/** The 4-neighbour offsets, (dy, dx). */
	private static final int[][] NEIGHBOURS = {{0, -1}, {0, 1}, {-1, 0}, {1, 0}};

	private final int w, h, n;
	/** The unknown pixels in their order in the system, and each pixel's index there (−1: known). */
	private final int[] pixels, index;
	/** The envelope: row i of the matrix, then of its factor, holds columns first[i]..i from factor[start[i]] on. */
	private final int[] first, start;
	private final double[] factor;

	/**
	 * The hole's system, factorised; null where no pixel of the plane is known (the system is then singular: a constant
	 * can be added to any solution), where its factor would hold more than {@link #MAX_ENTRIES} numbers, or where
	 * factorising met a pivot that is not positive (rounding).
	 *
	 * @param unknown w·h row-major, true on the hole
	 */
	static BiharmonicSystem of(boolean[] unknown, int w, int h) {
		int[] index = new int[w * h];
		int[] pixels = order(unknown, w, h, index);
		int n = pixels.length;
		if (n == w * h) return null;
		int[] first = new int[n], start = new int[n + 1];
		for (int i = 0; i < n; i++) {
			first[i] = firstCoupled(pixels[i], index, w, h);
			long end = (long) start[i] + i - first[i] + 1;
			if (end > MAX_ENTRIES) return null;
			start[i + 1] = (int) end;
		}
		BiharmonicSystem system = new BiharmonicSystem(w, h, pixels, index, first, start);
		return system.choleskyInPlace() ? system : null;
	}

	private BiharmonicSystem(int w, int h, int[] pixels, int[] index, int[] first, int[] start) {
		this.w = w;
		this.h = h;
		this.pixels = pixels;
		this.index = index;
		this.first = first;
		this.start = start;
		n = pixels.length;
		factor = new double[start[n]];
		assemble();
	}

	/**
	 * @param values w·h row-major; only the known pixels are read
	 * @return a copy of {@code values} with the hole's pixels set to the fill
	 */
	float[] fill(float[] values) {
		double[] b = new double[n];
		// b = −(L_U)ᵀ (L_K v_K): every equation row e whose stencil holds an unknown pixel
		for (int e = 0; e < w * h; e++) {
			if (!reachesUnknown(e)) continue;
			double known = 0;
			int y = e / w, x = e % w, k = 0;
			for (int[] d : NEIGHBOURS) {
				int yy = y + d[0], xx = x + d[1];
				if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
				k++;
				int q = yy * w + xx;
				if (index[q] < 0) known += values[q];
			}
			if (index[e] < 0) known -= k * values[e];
			for (int[] d : NEIGHBOURS) {
				int yy = y + d[0], xx = x + d[1];
				if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
				int q = yy * w + xx;
				if (index[q] >= 0) b[index[q]] -= known;
			}
			if (index[e] >= 0) b[index[e]] += k * known;
		}
		solveInPlace(b);
		float[] out = values.clone();
		for (int i = 0; i < n; i++) out[pixels[i]] = (float) b[i];
		return out;
	}

	/**
	 * The unknown pixels in the system's order: row by row, or column by column where the hole's bounding box is
	 * taller than wide (a row of the matrix then reaches back two of the shorter lines); fills {@code index}.
	 */
	private static int[] order(boolean[] unknown, int w, int h, int[] index) {
		int x0 = w, y0 = h, x1 = -1, y1 = -1, count = 0;
		for (int p = 0; p < w * h; p++) {
			index[p] = -1;
			if (!unknown[p]) continue;
			count++;
			x0 = Math.min(x0, p % w);
			x1 = Math.max(x1, p % w);
			y0 = Math.min(y0, p / w);
			y1 = Math.max(y1, p / w);
		}
		int[] pixels = new int[count];
		boolean byColumn = y1 - y0 > x1 - x0;
		int i = 0;
		for (int a = 0; a < (byColumn ? w : h); a++)
			for (int c = 0; c < (byColumn ? h : w); c++) {
				int p = byColumn ? c * w + a : a * w + c;
				if (unknown[p]) {
					index[p] = i;
					pixels[i++] = p;
				}
			}
		return pixels;
	}

	/**
	 * The least index of an unknown pixel within 2 steps of p (Manhattan distance: two pixels share an equation only
	 * then).
	 */
	private static int firstCoupled(int p, int[] index, int w, int h) {
		int y = p / w, x = p % w, least = index[p];
		for (int dy = -2; dy <= 2; dy++)
			for (int dx = Math.abs(dy) - 2; dx <= 2 - Math.abs(dy); dx++) {
				int yy = y + dy, xx = x + dx;
				if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
				int q = index[yy * w + xx];
				if (q >= 0) least = Math.min(least, q);
			}
		return least;
	}

	/** True where the pixel's Laplacian reads an unknown pixel (it or a neighbour): a row of L_U. */
	private boolean reachesUnknown(int e) {
		if (index[e] >= 0) return true;
		int y = e / w, x = e % w;
		return (x > 0 && index[e - 1] >= 0) || (x < w - 1 && index[e + 1] >= 0) || (y > 0 && index[e - w] >= 0)
			|| (y < h - 1 && index[e + w] >= 0);
	}

	/** The lower half of (L_U)ᵀ L_U into the envelope: each equation row adds the outer product of its unknown part. */
	private void assemble() {
		int[] cols = new int[5];
		double[] coefs = new double[5];
		for (int e = 0; e < w * h; e++) {
			if (!reachesUnknown(e)) continue;
			int y = e / w, x = e % w, k = 0, m = 0;
			for (int[] d : NEIGHBOURS) {
				int yy = y + d[0], xx = x + d[1];
				if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
				k++;
				int q = index[yy * w + xx];
				if (q >= 0) {
					cols[m] = q;
					coefs[m++] = 1;
				}
			}
			if (index[e] >= 0) {
				cols[m] = index[e];
				coefs[m++] = -k;
			}
			for (int a = 0; a < m; a++)
				for (int c = 0; c < m; c++)
					if (cols[c] <= cols[a]) factor[start[cols[a]] + cols[c] - first[cols[a]]] += coefs[a] * coefs[c];
		}
	}

	/** A = L Lᵀ over the envelope, L into the same storage; false on a pivot that is not positive. */
	private boolean choleskyInPlace() {
		for (int i = 0; i < n; i++) {
			int ri = start[i] - first[i];
			for (int j = first[i]; j <= i; j++) {
				int rj = start[j] - first[j], from = Math.max(first[i], first[j]);
				double s = factor[ri + j];
				for (int k = from; k < j; k++) s -= factor[ri + k] * factor[rj + k];
				if (j < i) factor[ri + j] = s / factor[rj + j];
				else {
					if (!(s > 0)) return false;
					factor[ri + i] = Math.sqrt(s);
				}
			}
		}
		return true;
	}

	/** b ← A⁻¹ b: L y = b forward, then Lᵀ x = y backward. */
	private void solveInPlace(double[] b) {
		for (int i = 0; i < n; i++) {
			int ri = start[i] - first[i];
			double s = b[i];
			for (int k = first[i]; k < i; k++) s -= factor[ri + k] * b[k];
			b[i] = s / factor[ri + i];
		}
		for (int i = n - 1; i >= 0; i--) {
			int ri = start[i] - first[i];
			b[i] /= factor[ri + i];
			for (int k = first[i]; k < i; k++) b[k] -= factor[ri + k] * b[i];
		}
	}
}
