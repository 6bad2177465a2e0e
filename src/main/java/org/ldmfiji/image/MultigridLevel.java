package org.ldmfiji.image;

import java.util.Arrays;

/**
 * One level of the multigrid hierarchy: the system's matrix on a grid's unknown cells, a 5-point stencil with
 * weights (off-diagonal −weight towards the unknown neighbour in each direction; known neighbours only add to the
 * diagonal). The next coarser level aggregates each 2 × 2 block of cells with an unknown, and its matrix is the
 * Galerkin product Pᵀ·A·P with P the piecewise-constant prolongation (Braess 1995, aggregation multigrid): the
 * block's diagonal is the sum of its cells' diagonals less the weights of the links inside it, and the weight
 * between two blocks the sum of the links between them, so the coarse matrix is again such a stencil.
 */
final class MultigridLevel {

	/** Levels with at most this many unknowns are solved by {@link #COARSE_SWEEPS} sweeps instead. */
	static final int COARSEST = 64;
	static final int COARSE_SWEEPS = 50;

	final int n, w, h;
	final double[] diag;
	final int[] links;
	final double[] weights;
	/** Each unknown's grid cell, y·w + x. */
	final int[] cell;
	/** Each unknown's aggregate on the coarser level; null on the coarsest. */
	int[] parent;
	MultigridLevel coarser;

	MultigridLevel(int n, int w, int h) {
		this.n = n;
		this.w = w;
		this.h = h;
		diag = new double[n];
		links = new int[4 * n];
		Arrays.fill(links, -1);
		weights = new double[4 * n];
		cell = new int[n];
	}

	/** Builds the coarser levels below this one; returns this. */
	MultigridLevel withCoarser() {
		if (n <= COARSEST) return this; // n <= w·h, which halves with every level
		int cw = (w + 1) / 2, ch = (h + 1) / 2;
		int[] index = new int[cw * ch];
		Arrays.fill(index, -1);
		parent = new int[n];
		int m = 0;
		for (int i = 0; i < n; i++) {
			int c = (cell[i] / w / 2) * cw + (cell[i] % w) / 2;
			if (index[c] < 0) index[c] = m++;
			parent[i] = index[c];
		}
		MultigridLevel c = new MultigridLevel(m, cw, ch);
		for (int p = 0; p < index.length; p++) if (index[p] >= 0) c.cell[index[p]] = p;
		for (int i = 0; i < n; i++) {
			int pi = parent[i];
			c.diag[pi] += diag[i];
			for (int k = 0; k < 4; k++) {
				int j = links[4 * i + k];
				if (j < 0) continue;
				int pj = parent[j];
				if (pj == pi) c.diag[pi] -= weights[4 * i + k]; // a link inside the block, seen from both ends
				else {
					c.links[4 * pi + k] = pj; // blocks are 2 x 2, so a neighbour across direction k is the block's
					c.weights[4 * pi + k] += weights[4 * i + k];
				}
			}
		}
		coarser = c.withCoarser();
		return this;
	}

	/** out = A·v. */
	void apply(double[] v, double[] out) {
		for (int i = 0; i < n; i++) {
			double s = diag[i] * v[i];
			for (int k = 4 * i; k < 4 * i + 4; k++) if (links[k] >= 0) s -= weights[k] * v[links[k]];
			out[i] = s;
		}
	}

	/**
	 * An approximate solution of A·e = r: a Gauss–Seidel sweep forward, the residual's block sums solved on the
	 * coarser level and added back to every cell of each block, a sweep backward (a symmetric V-cycle, so a
	 * symmetric preconditioner). The coarsest level takes {@link #COARSE_SWEEPS} sweeps each way.
	 */
	double[] vCycle(double[] r) {
		double[] e = new double[n];
		if (coarser == null) {
			for (int s = 0; s < COARSE_SWEEPS; s++) {
				sweep(e, r, true);
				sweep(e, r, false);
			}
			return e;
		}
		sweep(e, r, true);
		double[] ae = new double[n];
		apply(e, ae);
		double[] rc = new double[coarser.n];
		for (int i = 0; i < n; i++) rc[parent[i]] += r[i] - ae[i];
		double[] ec = coarser.vCycle(rc);
		for (int i = 0; i < n; i++) e[i] += ec[parent[i]];
		sweep(e, r, false);
		return e;
	}

	/** One Gauss–Seidel sweep on A·e = r, in place, in index order or backwards. */
	private void sweep(double[] e, double[] r, boolean forward) {
		for (int t = 0; t < n; t++) {
			int i = forward ? t : n - 1 - t;
			if (diag[i] == 0) continue;
			double s = r[i];
			for (int k = 4 * i; k < 4 * i + 4; k++) if (links[k] >= 0) s += weights[k] * e[links[k]];
			e[i] = s / diag[i];
		}
	}
}
