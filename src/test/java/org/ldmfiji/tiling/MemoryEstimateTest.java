package org.ldmfiji.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The automatic tile batch decides which tiles share a forward, and a batched forward differs from single ones in the
 * last bits: the batch must not follow the free memory, which differs from run to run (issue 16: same seed, same
 * settings, different RGB results).
 */
class MemoryEstimateTest {

	private static final long MIB = 1 << 20, MODELS = 100 * MIB, LATENTS = 10 * MIB;

	@Test
	void theAutomaticBatchDoesNotFollowTheFreeMemory() {
		long tile = 50 * MIB;
		// free memory that differs between two runs on the same machine, with room for 8 tiles each time
		int first = MemoryEstimate.autoBatch(MODELS + LATENTS + 2 * 9 * tile, MODELS, LATENTS, tile, 8);
		int second = MemoryEstimate.autoBatch(MODELS + LATENTS + 2 * 13 * tile, MODELS, LATENTS, tile, 8);
		assertEquals(8, first, "room for 8 tiles: the full batch");
		assertEquals(first, second, "more free memory must not change the batch");
		// short of memory: room for 5 or 6 tiles gives the same halving, not 5 and 6
		int five = MemoryEstimate.autoBatch(MODELS + LATENTS + 2 * 5 * tile, MODELS, LATENTS, tile, 8);
		int six = MemoryEstimate.autoBatch(MODELS + LATENTS + 2 * 6 * tile, MODELS, LATENTS, tile, 8);
		assertEquals(4, five, "room for 5 tiles: half the batch");
		assertEquals(five, six, "room for 5 or 6 tiles: the same batch");
		// a measured working set that wobbles by a few percent does not change it either
		assertEquals(MemoryEstimate.autoBatch(4 * 1024 * MIB, MODELS, LATENTS, 200 * MIB, 8),
			MemoryEstimate.autoBatch(4 * 1024 * MIB, MODELS, LATENTS, 207 * MIB, 8), "tile working set 200 vs 207 MiB");
	}

	@Test
	void oneTileThatDoesNotFitOrUnknownMemoryGivesABatchOfOne() {
		assertEquals(1, MemoryEstimate.autoBatch(MODELS + LATENTS + MIB, MODELS, LATENTS, 50 * MIB, 8));
		assertEquals(1, MemoryEstimate.autoBatch(0, MODELS, LATENTS, 50 * MIB, 8), "unknown free memory");
	}
}
