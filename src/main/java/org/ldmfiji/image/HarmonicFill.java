package org.ldmfiji.image;

/**
 * The membrane (harmonic) interpolation of a plane's unknown pixels from its known ones: the u that solves the
 * discrete Laplace equation Δu = 0 on the unknown pixels with u = the known values on their 4-neighbours (Dirichlet)
 * and no flux across the plane's edge (Neumann). For every unknown pixel p with in-plane neighbours N(p):
 * <pre>
 *   |N(p)|·u_p − Σ_{q ∈ N(p), unknown} u_q = Σ_{q ∈ N(p), known} v_q
 * </pre>
 * a symmetric positive definite system (when each unknown region touches a known pixel), solved by conjugate
 * gradients (Saad, Iterative Methods for Sparse Linear Systems, Alg. 9.1) with a multigrid V-cycle as
 * preconditioner. A linear ramp is reproduced exactly, since it is harmonic.
 * <p>
 * Inpainting uses it for the first guess of a fill (the smoothest continuation of the surroundings), and to carry
 * the decoder's error at the known pixels into the fill (once per decoding), which removes the seam (Pérez et al. 2003, Poisson
 * image editing, eq. 5: the fill keeps its own gradients, its border takes the surroundings' values).
 */
public final class HarmonicFill {

	/** Relative residual ||b − A·u|| / ||b|| at which the solve stops. */
	static final double TOLERANCE = 1e-6;

	private HarmonicFill() {}

	/**
	 * @param values w·h row-major; only the known pixels are read (unknown ones may hold NaN)
	 * @param unknown w·h row-major, true where the value is to be interpolated
	 * @return a copy of {@code values} with the unknown pixels interpolated (0 in a region without known neighbours)
	 */
	public static float[] fill(float[] values, boolean[] unknown, int w, int h) {
		if (values.length != w * h || unknown.length != w * h) throw new IllegalArgumentException("values ("
			+ values.length + ") and mask (" + unknown.length + ") must both hold " + w + "x" + h + " pixels");
		int[] index = new int[w * h];
		int n = 0;
		for (int p = 0; p < index.length; p++) index[p] = unknown[p] ? n++ : -1;
		int[] pixel = new int[n];
		for (int p = 0; p < index.length; p++) if (index[p] >= 0) pixel[index[p]] = p;

		// the right-hand side (known neighbours), the diagonal |N(p)|, and the unknown neighbours (-1: none)
		double[] b = new double[n];
		MultigridLevel fine = new MultigridLevel(n, w, h);
		for (int i = 0; i < n; i++) {
			int p = pixel[i], x = p % w, y = p / w;
			fine.cell[i] = p;
			int[] qs = {x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1};
			for (int k = 0; k < 4; k++) {
				int q = qs[k];
				if (q < 0) continue;
				fine.diag[i]++;
				if (index[q] < 0) b[i] += values[q];
				else {
					fine.links[4 * i + k] = index[q];
					fine.weights[4 * i + k] = 1;
				}
			}
		}
		double[] u = conjugateGradients(b, fine.withCoarser(), w + h);
		float[] out = values.clone();
		for (int i = 0; i < n; i++) out[pixel[i]] = (float) u[i];
		return out;
	}

	/**
	 * CG on A·u = b preconditioned by one multigrid V-cycle ({@link MultigridLevel#vCycle}): symmetric, so CG
	 * applies, and its iterations grow far more slowly with the holes' size than with the diagonal as preconditioner
	 * (a 768 px square: 0.9 s instead of 4.2 s, and 5 times closer to the direct solution).
	 */
	private static double[] conjugateGradients(double[] b, MultigridLevel a, int perimeter) {
		return ConjugateGradients.solve(a::apply, b, (r, z) -> System.arraycopy(a.vCycle(r), 0, z, 0, r.length),
			TOLERANCE, 20 * perimeter + 100);
	}
}
