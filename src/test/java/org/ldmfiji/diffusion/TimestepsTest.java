package org.ldmfiji.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Every step count in [1, T] gives a usable timestep list: distinct, descending, within [0, T − 1] (a count that
 * selected the non-existent timestep T was refused: S = 3, 9, 36, 105, 300, 501 … 1000 of T = 1000).
 */
class TimestepsTest {

	@Test
	void everyDdimCountIsUsableAndKeepsCompVisWhereCompVisCanIndex() {
		for (int T : new int[] {2, 10, 1000}) {
			for (int s = 1; s <= T; s++) {
				int[] ts = Timesteps.ddimUniform(s, T);
				String what = "DDIM S = " + s + " of T = " + T + ": ";
				assertUsable(ts, T, what);
				int[] compVis = compVis(s, T);
				if (compVis[0] < T) {
					assertArrayEquals(compVis, ts, what + "expected CompVis's range(0, T, T//S) + 1, reversed");
				} else {
					assertEquals(T - 1, ts[0], what + "expected to start at the noisiest timestep T - 1");
					assertEquals(Math.min(s, T - 1), ts.length, what + "expected S steps (T - 1 for S = T)");
					assertTrue(ts[ts.length - 1] >= 1, what + "a step from t = 0 to alpha_bar_0 would change nothing");
				}
			}
		}
		assertArrayEquals(new int[] {999, 666, 333}, Timesteps.ddimUniform(3, 1000), "S = 3: CompVis's grid moved down by one");
	}

	@Test
	void everyKarrasCountIsUsable() {
		NoiseSchedule schedule = NoiseSchedule.of("linear", 0.0015, 0.0205, 1000, 0);
		for (int s = 1; s <= 1000; s++) {
			int[] ts = Timesteps.karras(schedule, s, DpmSolverPP2M.RHO);
			assertUsable(ts, 1000, "Karras " + s + " steps: ");
			assertEquals(999, ts[0], "Karras " + s + " steps: expected to start at sigma_max = sigma(T - 1)");
		}
	}

	private static void assertUsable(int[] ts, int T, String what) {
		assertTrue(ts.length >= 1, what + "no timesteps");
		assertTrue(ts[0] <= T - 1 && ts[ts.length - 1] >= 0, what + "outside [0, T - 1]: " + ts[0] + " … " + ts[ts.length - 1]);
		for (int i = 1; i < ts.length; i++) {
			assertTrue(ts[i] < ts[i - 1], what + "not distinct and descending at " + i + ": " + ts[i - 1] + ", " + ts[i]);
		}
	}

	/** make_ddim_timesteps(..., 'uniform'), reversed, as CompVis writes it (may hold the non-existent T). */
	private static int[] compVis(int s, int T) {
		int c = T / s, n = (T + c - 1) / c;
		int[] t = new int[n];
		for (int i = 0; i < n; i++) t[i] = (n - 1 - i) * c + 1;
		return t;
	}
}
