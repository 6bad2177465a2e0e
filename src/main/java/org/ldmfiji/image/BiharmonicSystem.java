package org.ldmfiji.image;

import java.util.Arrays;

/**
 * The thin-plate fill of {@link BiharmonicFill} for one fixed hole and many sets of known values, solved directly:
 * the normal equations (L_U)ᵀ L_U u = −(L_U)ᵀ L_K v_K (L the 4-neighbour Laplacian with no flux across the plane's
 * edge, U the unknown pixels, K the known ones) are assembled once and factorised, A = G Gᵀ, after which each set of
 * values costs two triangular solves. The solution is exact, where {@link BiharmonicFill#fill} iterates to a
 * tolerance.
 * <p>
 * The unknowns are numbered by nested dissection (George 1973: the hole is cut by a line two pixels thick, which no
 * equation crosses, into two halves that are numbered first, recursively, and the line last), so that the factor
 * stays sparse: about n·log n numbers and n^1.5 operations for n unknowns, where a numbering row by row fills two
 * lines' width for every pixel. The factorisation is the up-looking sparse Cholesky of Davis (Direct Methods for
 * Sparse Linear Systems, SIAM 2006, ch. 4: each row of G from a sparse triangular solve whose pattern is read off the
 * elimination tree). A 160 × 160 hole: 2.5·10⁶ numbers, 0.3 s on one core; a 256 × 240 hole 1.3 s, where the
 * iterations took 8 s. {@link #of} declines holes whose factor would hold more than {@link #MAX_ENTRIES} numbers.
 */
final class BiharmonicSystem {

	/**
	 * The most numbers a factor may hold by default (96 MiB with their row indices: a square hole of about 260 px), and
	 * at most a quarter of the heap's limit (which binds only below about 400 MB).
	 */
	static final int MAX_ENTRIES = 1 << 23;
	/** A number of the factor and its row index. */
	private static final int BYTES_PER_ENTRY = Double.BYTES + Integer.BYTES;
	/** Parts of the hole of at most this many pixels are not cut further. */
	private static final int LEAF = 48;
	/** The 4-neighbour offsets, (dy, dx). */
	private static final int[][] NEIGHBOURS = {{0, -1}, {0, 1}, {-1, 0}, {1, 0}};

	private final int w, h, n;
	/** The unknown pixels in their order in the system, and each pixel's index there (−1: known). */
	private final int[] pixels, index;
	/** The factor G by columns: column j holds rows gi[gp[j]..gp[j+1]), the diagonal first, values in gx. */
	private final int[] gp, gi;
	private final double[] gx;

	private BiharmonicSystem(int w, int h, int[] pixels, int[] index, int[] gp, int[] gi, double[] gx) {
		this.w = w;
		this.h = h;
		this.pixels = pixels;
		this.index = index;
		this.gp = gp;
		this.gi = gi;
		this.gx = gx;
		n = pixels.length;
	}

	/**
	 * The hole's system, factorised; null where no pixel of the plane is known (the system is then singular: a constant
	 * can be added to any solution), where its factor would hold more than {@link #MAX_ENTRIES} numbers (or a quarter
	 * of the heap's limit), or where factorising met a pivot that is not positive (rounding).
	 *
	 * @param unknown w·h row-major, true on the hole
	 */
	static BiharmonicSystem of(boolean[] unknown, int w, int h) {
		return of(unknown, w, h, maxEntries());
	}

	/** {@link #MAX_ENTRIES}, or a quarter of the heap's limit where that is less. */
	static int maxEntries() {
		return (int) Math.min(MAX_ENTRIES, Runtime.getRuntime().maxMemory() / (4 * BYTES_PER_ENTRY));
	}

	/** The same, with a factor of at most {@code maxEntries} numbers. */
	static BiharmonicSystem of(boolean[] unknown, int w, int h, int maxEntries) {
		int count = 0;
		for (boolean u : unknown) if (u) count++;
		if (count == w * h) return null;
		int[] pixels = new int[count];
		count = 0;
		for (int p = 0; p < w * h; p++) if (unknown[p]) pixels[count++] = p;
		int[] order = new int[count];
		new Dissection(w, order).cut(pixels, 0, count);
		int[] index = new int[w * h];
		Arrays.fill(index, -1);
		for (int i = 0; i < count; i++) index[order[i]] = i;
		return factorise(w, h, order, index, maxEntries);
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

	/** True where the pixel's Laplacian reads an unknown pixel (it or a neighbour): a row of L_U. */
	private boolean reachesUnknown(int e) {
		if (index[e] >= 0) return true;
		int y = e / w, x = e % w;
		return (x > 0 && index[e - 1] >= 0) || (x < w - 1 && index[e + 1] >= 0) || (y > 0 && index[e - w] >= 0)
			|| (y < h - 1 && index[e + w] >= 0);
	}

	/** b ← A⁻¹ b: G y = b forward, then Gᵀ x = y backward, G by columns. */
	private void solveInPlace(double[] b) {
		for (int j = 0; j < n; j++) {
			b[j] /= gx[gp[j]];
			for (int p = gp[j] + 1; p < gp[j + 1]; p++) b[gi[p]] -= gx[p] * b[j];
		}
		for (int j = n - 1; j >= 0; j--) {
			double s = b[j];
			for (int p = gp[j] + 1; p < gp[j + 1]; p++) s -= gx[p] * b[gi[p]];
			b[j] = s / gx[gp[j]];
		}
	}

	/**
	 * The coefficient of unknown pixel p in the equation row of pixel e (within one step of p): 1 for a neighbour, −k
	 * for e itself with k its neighbours inside the plane.
	 */
	private static int coefficient(int e, int p, int w, int h) {
		if (e != p) return 1;
		int y = e / w, x = e % w;
		return -((x > 0 ? 1 : 0) + (x < w - 1 ? 1 : 0) + (y > 0 ? 1 : 0) + (y < h - 1 ? 1 : 0));
	}

	/**
	 * A(p, q) = Σ_e L(e, p) L(e, q) over the equation rows e whose stencils hold both (e is p or a neighbour of it,
	 * and within one step of q).
	 */
	private static double entry(int p, int q, int w, int h) {
		int py = p / w, px = p % w, qy = q / w, qx = q % w;
		double sum = 0;
		for (int s = -1; s < 4; s++) {
			int ey = py + (s < 0 ? 0 : NEIGHBOURS[s][0]), ex = px + (s < 0 ? 0 : NEIGHBOURS[s][1]);
			if (ey < 0 || ey >= h || ex < 0 || ex >= w || Math.abs(ey - qy) + Math.abs(ex - qx) > 1) continue;
			int e = ey * w + ex;
			sum += coefficient(e, p, w, h) * coefficient(e, q, w, h);
		}
		return sum;
	}

	/**
	 * G's pattern from the elimination tree, then G's values row by row (Davis 2006, cs_etree, cs_ereach, cs_chol);
	 * null where G would hold more than {@code maxEntries} numbers or a pivot is not positive. A is not stored: its
	 * column k is read off the pixel's neighbourhood when needed ({@link #column}), so a hole declined for its size
	 * costs little more memory than its numbering.
	 */
	private static BiharmonicSystem factorise(int w, int h, int[] order, int[] index, int maxEntries) {
		int n = order.length;
		int[] rows = new int[13];
		// the elimination tree, with path compression through the ancestors
		int[] parent = new int[n], ancestor = new int[n];
		for (int k = 0; k < n; k++) {
			parent[k] = -1;
			ancestor[k] = -1;
			int m = column(k, order, index, w, h, rows);
			for (int r = 0; r < m; r++)
				for (int i = rows[r]; i != -1 && i < k; ) {
					int next = ancestor[i];
					ancestor[i] = k;
					if (next == -1) {
						parent[i] = k;
						break;
					}
					i = next;
				}
		}
		// G's column counts: row k of G is the pattern reached from A(:, k) in the tree
		int[] stack = new int[n], flag = new int[n], counts = new int[n];
		Arrays.fill(flag, -1);
		long entries = n;
		for (int k = 0; k < n; k++) {
			int top = reach(k, rows, column(k, order, index, w, h, rows), parent, stack, flag);
			for (int t = top; t < n; t++) counts[stack[t]]++;
			entries += n - top;
			if (entries > maxEntries) return null;
		}
		int[] gp = new int[n + 1], next = new int[n];
		for (int j = 0; j < n; j++) {
			gp[j + 1] = gp[j] + counts[j] + 1;
			next[j] = gp[j] + 1; // the diagonal first
		}
		int[] gi = new int[gp[n]];
		double[] gx = new double[gp[n]], work = new double[n];
		Arrays.fill(flag, -1);
		for (int k = 0; k < n; k++) {
			int m = column(k, order, index, w, h, rows);
			int top = reach(k, rows, m, parent, stack, flag);
			double d = 0;
			for (int r = 0; r < m; r++) {
				double a = entry(order[k], order[rows[r]], w, h);
				if (rows[r] == k) d = a;
				else work[rows[r]] = a;
			}
			for (; top < n; top++) { // G(k, i) = (A(i, k) − Σ_{j<i} G(k, j) G(i, j)) / G(i, i), in the tree's order
				int i = stack[top];
				double gki = work[i] / gx[gp[i]];
				work[i] = 0;
				for (int p = gp[i] + 1; p < next[i]; p++) work[gi[p]] -= gx[p] * gki;
				d -= gki * gki;
				gi[next[i]] = k;
				gx[next[i]++] = gki;
			}
			if (!(d > 0)) return null;
			gi[gp[k]] = k;
			gx[gp[k]] = Math.sqrt(d);
		}
		return new BiharmonicSystem(w, h, order, index, gp, gi, gx);
	}

	/**
	 * The rows i ≤ k of A's column k into {@code rows}, returning how many: the unknown pixels within two steps
	 * (Manhattan distance) of pixel order[k] that come no later. All of them share an equation with it, so A(i, k) is
	 * not 0 ({@link #entry}).
	 */
	private static int column(int k, int[] order, int[] index, int w, int h, int[] rows) {
		int p = order[k], y = p / w, x = p % w, m = 0;
		for (int dy = -2; dy <= 2; dy++)
			for (int dx = Math.abs(dy) - 2; dx <= 2 - Math.abs(dy); dx++) {
				int yy = y + dy, xx = x + dx;
				if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
				int i = index[yy * w + xx];
				if (i >= 0 && i <= k) rows[m++] = i;
			}
		return m;
	}

	/**
	 * The columns i &lt; k of row k of G (those reached from A(:, k), rows[0..m), up the elimination tree), into
	 * stack[top..n) in an order in which each comes after those it depends on; returns top.
	 */
	private static int reach(int k, int[] rows, int m, int[] parent, int[] stack, int[] flag) {
		int n = stack.length, top = n;
		flag[k] = k;
		for (int r = 0; r < m; r++) {
			int i = rows[r], len = 0;
			for (; flag[i] != k; i = parent[i]) {
				stack[len++] = i;
				flag[i] = k;
			}
			while (len > 0) stack[--top] = stack[--len];
		}
		return top;
	}

	/**
	 * Nested dissection of a set of pixels into {@code order}: a part is cut across its longer side, at the median,
	 * by a line two pixels thick (pixels three apart share no equation), and numbered as its first half, its second,
	 * then the line.
	 */
	private static final class Dissection {
		final int w;
		final int[] order;
		int next;

		Dissection(int w, int[] order) {
			this.w = w;
			this.order = order;
		}

		/** Numbers pixels[from..to) (which it reorders). */
		void cut(int[] pixels, int from, int to) {
			int size = to - from;
			if (size <= LEAF) {
				append(pixels, from, size);
				return;
			}
			int x0 = Integer.MAX_VALUE, x1 = -1, y0 = Integer.MAX_VALUE, y1 = -1;
			for (int t = from; t < to; t++) {
				int x = pixels[t] % w, y = pixels[t] / w;
				x0 = Math.min(x0, x);
				x1 = Math.max(x1, x);
				y0 = Math.min(y0, y);
				y1 = Math.max(y1, y);
			}
			boolean alongX = x1 - x0 >= y1 - y0;
			int lo = alongX ? x0 : y0, hi = alongX ? x1 : y1;
			if (hi - lo < 3) { // too thin to cut: one line
				append(pixels, from, size);
				return;
			}
			int[] histogram = new int[hi - lo + 1];
			for (int t = from; t < to; t++) histogram[(alongX ? pixels[t] % w : pixels[t] / w) - lo]++;
			int line = lo + 1, below = histogram[0];
			while (line < hi - 1 && below + histogram[line - lo] <= size / 2) below += histogram[line++ - lo];
			// pixels before the line, after it, and on it (two pixels thick: line and line + 1)
			int[] parts = new int[size];
			int a = 0, b = size;
			for (int t = from; t < to; t++) {
				int c = alongX ? pixels[t] % w : pixels[t] / w;
				if (c < line) parts[a++] = pixels[t];
				else if (c > line + 1) parts[--b] = pixels[t];
			}
			int onLine = a;
			for (int t = from; t < to; t++) {
				int c = alongX ? pixels[t] % w : pixels[t] / w;
				if (c == line || c == line + 1) parts[onLine++] = pixels[t];
			}
			System.arraycopy(parts, 0, pixels, from, size);
			// pixels[from..from+a): before; [from+a..from+onLine): the line; [from+onLine..to): after
			cut(pixels, from, from + a);
			cut(pixels, from + onLine, to);
			append(pixels, from + a, onLine - a);
		}

		/** Numbers pixels[from..from+size) in their order. */
		private void append(int[] pixels, int from, int size) {
			System.arraycopy(pixels, from, order, next, size);
			next += size;
		}
	}
}
