package org.ldmfiji.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

class ConjugateGradientsTest {

	/** A = BᵀB + I for a random B: symmetric positive definite, badly scaled rows so that a preconditioner matters. */
	private static double[][] spd(int n, long seed) {
		Random r = new Random(seed);
		double[][] b = new double[n][n], a = new double[n][n];
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++) b[i][j] = r.nextGaussian() * (1 + 20 * (j % 3));
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++) {
				double s = i == j ? 1 : 0;
				for (int k = 0; k < n; k++) s += b[k][i] * b[k][j];
				a[i][j] = s;
			}
		return a;
	}

	private static void times(double[][] a, double[] in, double[] out) {
		for (int i = 0; i < a.length; i++) {
			double s = 0;
			for (int j = 0; j < a.length; j++) s += a[i][j] * in[j];
			out[i] = s;
		}
	}

	private static double residual(double[][] a, double[] u, double[] b) {
		double[] au = new double[b.length];
		times(a, u, au);
		double rr = 0, bb = 0;
		for (int i = 0; i < b.length; i++) {
			rr += (b[i] - au[i]) * (b[i] - au[i]);
			bb += b[i] * b[i];
		}
		return Math.sqrt(rr / bb);
	}

	@Test
	void solvesToTheToleranceWithAndWithoutAPreconditioner() {
		int n = 40;
		double[][] a = spd(n, 1);
		double[] b = new Random(2).doubles(n, -1, 1).toArray();
		double[] plain = ConjugateGradients.solve((in, out) -> times(a, in, out), b, null, 1e-9, 10 * n);
		double[] jacobi = ConjugateGradients.solve((in, out) -> times(a, in, out), b, (r, z) -> {
			for (int i = 0; i < n; i++) z[i] = r[i] / a[i][i];
		}, 1e-9, 10 * n);
		assertTrue(residual(a, plain, b) <= 1e-9, "plain CG: relative residual " + residual(a, plain, b));
		assertTrue(residual(a, jacobi, b) <= 1e-9, "Jacobi-preconditioned CG: relative residual " + residual(a, jacobi, b));
		for (int i = 0; i < n; i++) assertEquals(plain[i], jacobi[i], 1e-6 * (1 + Math.abs(plain[i])));
	}

	@Test
	void stopsAtTheIterationLimitAndOnAZeroRightHandSide() {
		int n = 40;
		double[][] a = spd(n, 3);
		double[] b = new Random(4).doubles(n, -1, 1).toArray();
		double[] one = ConjugateGradients.solve((in, out) -> times(a, in, out), b, null, 1e-12, 1);
		// one step from 0 is the steepest-descent step along b: u = (b·b / b·Ab) b
		double[] ab = new double[n];
		times(a, b, ab);
		double step = ConjugateGradients.dot(b, b) / ConjugateGradients.dot(b, ab);
		for (int i = 0; i < n; i++) assertEquals(step * b[i], one[i], 1e-12 * (1 + Math.abs(one[i])));
		double[] zero = ConjugateGradients.solve((in, out) -> times(a, in, out), new double[n], null, 1e-6, 100);
		for (double v : zero) assertEquals(0, v);
	}

	@Test
	void aSingularDirectionEndsTheSolveWithoutNaN() {
		// A = diag(1, 0): the second unknown is tied to nothing; b's second entry cannot be met
		double[] u = ConjugateGradients.solve((in, out) -> {
			out[0] = in[0];
			out[1] = 0;
		}, new double[] {2, 1}, null, 1e-9, 10);
		for (double v : u) assertTrue(Double.isFinite(v), "finite, not NaN: " + v);
	}
}
