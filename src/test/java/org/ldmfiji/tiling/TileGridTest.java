package org.ldmfiji.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Tile layout and weights along one axis and in 2-D. */
class TileGridTest {

	/** (length, tile, overlap, unit) including lengths that are no multiple of the stride and lengths below a tile. */
	private static final int[][] LAYOUTS = {{64, 16, 4, 4}, {52, 16, 4, 4}, {100, 32, 12, 4}, {12, 16, 4, 4},
		{16, 16, 4, 4}, {20, 16, 4, 4}, {512, 32, 8, 4}, {37, 8, 3, 1}, {1000, 64, 0, 8}};

	@Test
	void tilesCoverTheAxisEndAtTheBorderAndOverlapEnough() {
		for (int[] l : LAYOUTS) {
			TileGrid.Axis a = TileGrid.Axis.of(l[0], l[1], l[2], l[3], Blend.COSINE);
			String what = "length " + l[0] + ", tile " + l[1] + ", overlap " + l[2] + ", unit " + l[3];
			assertEquals(0, a.start(0), what + ": expected the first tile at 0");
			assertEquals(l[0], a.start(a.count() - 1) + a.tile, what + ": expected the last tile to end at the border");
			assertEquals(Math.min(l[0], l[1]), a.tile, what + ": tile length");
			for (int i = 0; i < a.count(); i++) {
				assertEquals(0, a.start(i) % l[3], what + ": expected starts on the unit grid");
				if (i > 0) {
					int overlap = a.start(i - 1) + a.tile - a.start(i);
					assertTrue(overlap >= l[2] && overlap < a.tile, what + ": overlap of tiles " + (i - 1) + " and " + i
						+ " is " + overlap);
				}
			}
		}
	}

	@Test
	void weightsArePositiveAndSumToOneEverywhere() {
		for (Blend blend : Blend.values())
			for (int[] l : LAYOUTS) {
				TileGrid.Axis a = TileGrid.Axis.of(l[0], l[1], l[2], l[3], blend);
				double[] sum = new double[l[0]];
				double[] most = new double[l[0]];
				for (int i = 0; i < a.count(); i++) {
					float[] w = a.weights(i);
					for (int d = 0; d < a.tile; d++) {
						assertTrue(w[d] >= 0, "negative weight");
						if (blend != Blend.NONE) assertTrue(w[d] > 0, blend + ": expected every tile position to count");
						sum[a.start(i) + d] += w[d];
						most[a.start(i) + d] = Math.max(most[a.start(i) + d], w[d]);
					}
				}
				for (int p = 0; p < l[0]; p++) {
					assertEquals(1, sum[p], 1e-6, blend + " " + java.util.Arrays.toString(l) + ": weight sum at " + p);
					if (blend == Blend.NONE) assertEquals(1, most[p], 0, "NONE: expected exactly one tile per position");
				}
			}
	}

	@Test
	void blendedWeightsFallTowardsSharedEdgesOnly() {
		TileGrid.Axis a = TileGrid.Axis.of(64, 16, 4, 4, Blend.COSINE);
		float[] first = a.weights(0), middle = a.weights(1);
		assertTrue(first[0] > 0.99, "the image border keeps full weight: " + first[0]);
		assertTrue(first[15] < 0.1, "a shared edge is down-weighted: " + first[15]);
		assertTrue(middle[0] < 0.1 && middle[15] < 0.1 && middle[8] > 0.99, "a middle tile fades at both ends");
	}

	@Test
	void twoDimensionalWeightsSumToOne() {
		TileGrid g = TileGrid.of(52, 36, 16, 4, 4, Blend.COSINE);
		double[] sum = new double[52 * 36];
		for (TileGrid.Tile t : g.tiles()) {
			float[] w = g.weights(t);
			for (int j = 0; j < t.height; j++)
				for (int i = 0; i < t.width; i++) sum[(t.y + j) * 52 + t.x + i] += w[j * t.width + i];
		}
		for (double s : sum) assertEquals(1, s, 1e-6, "2-D weight sum");
		assertEquals(g.x.count() * g.y.count(), g.count());
		assertEquals(g.x.start(1), g.tiles().get(1).x, "row-major order");
		TileGrid p = g.scaled(4);
		assertEquals(208, p.width(), "scaled width");
		assertEquals(4 * g.x.start(2), p.x.start(2), "scaled starts");
	}

	@Test
	void badLayoutsAreRefusedWithAReason() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TileGrid.Axis.of(64, 18, 4, 4, Blend.COSINE));
		assertTrue(e.getMessage().contains("multiple of 4"), e.getMessage());
		e = assertThrows(IllegalArgumentException.class, () -> TileGrid.Axis.of(64, 16, 16, 4, Blend.COSINE));
		assertTrue(e.getMessage().contains("smaller than the tile"), e.getMessage());
	}
}
