package org.ldmfiji.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import java.util.Random;

class BandedCholeskyTest {

	/** A random symmetric, diagonally dominant matrix of bandwidth 3: A (A⁻¹ v) = v, read with a stride. */
	@Test
	void solvesABandedSystem() {
		int n = 40, b = 3, stride = 3;
		Random r = new Random(2);
		double[][] a = new double[n][n];
		for (int i = 0; i < n; i++)
			for (int j = Math.max(0, i - b); j < i; j++) a[i][j] = a[j][i] = r.nextDouble() - 0.5;
		for (int i = 0; i < n; i++) a[i][i] = 4 + r.nextDouble();
		double[] v = new double[n * stride], x = new double[n * stride];
		for (int i = 0; i < v.length; i++) v[i] = x[i] = r.nextGaussian();
		new BandedCholesky(n, b, (i, j) -> a[i][j]).solve(x, 1, stride);
		for (int i = 0; i < n; i++) {
			double s = 0;
			for (int j = 0; j < n; j++) s += a[i][j] * x[1 + stride * j];
			assertEquals(v[1 + stride * i], s, 1e-12, "row " + i);
		}
		for (int i = 0; i < v.length; i += stride) assertEquals(v[i], x[i], 0, "untouched " + i); // other strides
	}

	@Test
	void refusesAnIndefiniteMatrix() {
		assertThrows(IllegalArgumentException.class, () -> new BandedCholesky(3, 1, (i, j) -> i == j ? 1 : 2));
	}
}
