package org.ldmfiji.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A mask's parts are its 8-connected regions, largest first, each claiming the pixels around it nearest to it. */
class MaskPartsTest {

	@Test
	void regionsAreNumberedFromTheLargestAndClaimTheirSurroundings() {
		int w = 20, h = 5;
		boolean[] mask = new boolean[w * h], around = new boolean[w * h];
		mask[2 * w + 2] = true; // one pixel
		for (int x = 12; x < 16; x++) mask[2 * w + x] = true; // four pixels in a row
		mask[3 * w + 16] = true; // diagonal neighbour: the same region
		for (int i = 0; i < w * h; i++) around[i] = !mask[i];
		int[] part = MaskParts.label(mask, around, w, h);
		assertEquals(0, part[2 * w + 12], "the larger region is part 0");
		assertEquals(0, part[3 * w + 16], "a diagonal neighbour belongs to its region");
		assertEquals(1, part[2 * w + 2]);
		assertEquals(1, part[2 * w + 6], "4 px from the small region, 6 from the large one");
		assertEquals(0, part[2 * w + 9], "7 px from the small region, 3 from the large one");
		assertEquals(-1, MaskParts.label(mask, new boolean[w * h], w, h)[2 * w + 3], "pixels not around are no part's");
	}
}
