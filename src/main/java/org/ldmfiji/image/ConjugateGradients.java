package org.ldmfiji.image;

/**
 * Conjugate gradients for A u = b with A symmetric positive definite (Hestenes &amp; Stiefel 1952), optionally
 * preconditioned by a symmetric positive definite M ≈ A⁻¹ (Saad, Iterative Methods for Sparse Linear Systems, 2nd ed.,
 * Alg. 9.1): from u = 0,
 * <pre>
 *   r = b, z = M r, d = z;   repeat: α = (r·z) / (d·A d), u += α d, r −= α A d, z = M r, β = (r·z)_new / (r·z), d = z + β d
 * </pre>
 * until ||r|| ≤ tolerance · ||b|| or maxIterations. A direction with d·A d ≤ 0 ends the solve where it is (A
 * singular on it: a region that no equation ties to a known value keeps u = 0 there).
 */
public final class ConjugateGradients {

	/** out ← a linear operator applied to in (both of the system's size; in is not to be modified). */
	public interface Operator {
		void apply(double[] in, double[] out);
	}

	private ConjugateGradients() {}

	/**
	 * @param a the symmetric positive definite matrix, as an operator
	 * @param preconditioner M ≈ A⁻¹, symmetric positive definite, or null for none (M = I)
	 * @return u with ||b − A u|| ≤ tolerance · ||b|| unless maxIterations ran out first
	 */
	public static double[] solve(Operator a, double[] b, Operator preconditioner, double tolerance, int maxIterations) {
		int n = b.length;
		double[] u = new double[n], r = b.clone(), z = preconditioner == null ? r : new double[n], ad = new double[n];
		double stop = tolerance * tolerance * dot(b, b);
		if (!(stop > 0)) return u;
		if (preconditioner != null) preconditioner.apply(r, z);
		double[] d = z.clone();
		double rz = dot(r, z);
		for (int it = 0; it < maxIterations && dot(r, r) > stop; it++) {
			a.apply(d, ad);
			double dad = dot(d, ad);
			if (!(dad > 0)) break;
			double alpha = rz / dad;
			for (int i = 0; i < n; i++) {
				u[i] += alpha * d[i];
				r[i] -= alpha * ad[i];
			}
			if (preconditioner != null) preconditioner.apply(r, z);
			double next = dot(r, z), beta = next / rz;
			rz = next;
			for (int i = 0; i < n; i++) d[i] = z[i] + beta * d[i];
		}
		return u;
	}

	public static double dot(double[] a, double[] b) {
		double s = 0;
		for (int i = 0; i < a.length; i++) s += a[i] * b[i];
		return s;
	}
}
