package org.ldmfiji.image;

/**
 * A symmetric positive definite n × n matrix of bandwidth b (entries (i, j) with |i − j| ≤ b) factorised as L Lᵀ,
 * L lower triangular of the same bandwidth (Golub &amp; Van Loan, Matrix Computations, Algorithm 4.3.5): O(n b²) to
 * factorise, O(n b) per solve.
 */
public final class BandedCholesky {

	private final int n, b;
	/** l[i][b + j − i] = L(i, j) for i − b ≤ j ≤ i. */
	private final double[][] l;

	/**
	 * @param a a(i, j) for |i − j| ≤ b, read for j ≤ i only
	 */
	public BandedCholesky(int n, int b, Entry a) {
		this.n = n;
		this.b = b;
		l = new double[n][b + 1];
		for (int i = 0; i < n; i++)
			for (int j = Math.max(0, i - b); j <= i; j++) {
				double s = a.at(i, j);
				for (int k = Math.max(0, i - b); k < j; k++) s -= l[i][b + k - i] * l[j][b + k - j];
				if (j < i) l[i][b + j - i] = s / l[j][b];
				else if (s > 0) l[i][b] = Math.sqrt(s);
				else throw new IllegalArgumentException("the matrix is not positive definite (pivot " + s + " at " + i + ")");
			}
	}

	/** An entry of the matrix. */
	@FunctionalInterface
	public interface Entry {
		double at(int i, int j);
	}

	/** v ← A⁻¹ v over v[offset + stride·i], i &lt; n, in place (forward then back substitution). */
	public void solve(double[] v, int offset, int stride) {
		for (int i = 0; i < n; i++) {
			double s = v[offset + stride * i];
			for (int k = Math.max(0, i - b); k < i; k++) s -= l[i][b + k - i] * v[offset + stride * k];
			v[offset + stride * i] = s / l[i][b];
		}
		for (int i = n - 1; i >= 0; i--) {
			double s = v[offset + stride * i];
			for (int k = i + 1; k <= Math.min(n - 1, i + b); k++) s -= l[k][b + i - k] * v[offset + stride * k];
			v[offset + stride * i] = s / l[i][b];
		}
	}
}
