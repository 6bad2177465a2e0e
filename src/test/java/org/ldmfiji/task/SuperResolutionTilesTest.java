package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Super-resolution's automatic tiles (issue #19): over the window of a large image's block (a block and its halo on
 * both sides, {@link BlockwiseSuperResolution}) the denoiser processes less than twice the window's latent per step
 * (tiles of the native latent overlapping by a quarter; by half, as a given tile still overlaps, 3.6 times).
 */
class SuperResolutionTilesTest {

	@Test
	void automaticTilesProcessLessThanTwiceTheLatentOfABlockWindow() {
		SuperResolution sr = new SuperResolution(DemoModel.get(), DemoModel.fast(1));
		int side = BlockwiseSuperResolution.BLOCK + 2 * BlockwiseSuperResolution.HALO, t = sr.autoTile();
		int auto = sr.tileCount(side, side, 0), given = sr.tileCount(side, side, t);
		double redundancy = (double) auto * t * t / ((double) side * side);
		assertTrue(redundancy < 2, auto + " tiles of " + t + "² over " + side + "²: " + redundancy + " times the latent");
		assertTrue(given > auto, "a given tile overlaps by half: " + given + " tiles, automatic " + auto);
		assertEquals(1, sr.tileCount(t, t, 0), "an input of one tile is one tile");
	}
}
